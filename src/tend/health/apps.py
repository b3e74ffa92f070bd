from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "tend.health"
    verbose_name = _("Health")

    def ready(self) -> None:
        from . import jobs, signals  # noqa: F401  (registrations)
        from .views_lost import register_panel  # the lost panel; timeline kinds lost, won back

        register_panel()

        from tend.customers.views import CUSTOMER_PANELS

        from . import agenda_sections  # noqa: F401  (the at-risk agenda section)
        from .views_risk import PANEL as HEALTH_PANEL  # the health panel

        if HEALTH_PANEL not in CUSTOMER_PANELS:
            CUSTOMER_PANELS.append(HEALTH_PANEL)
