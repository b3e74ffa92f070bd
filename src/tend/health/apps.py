from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "tend.health"
    verbose_name = _("Health")

    def ready(self) -> None:
        from tend.core.derived import register_derived

        from . import jobs, signals, summary_token  # noqa: F401  (registrations)

        register_derived(
            "health.summary_token",
            suspend=summary_token.triggers_drop,
            rebuild=summary_token.install,
        )
        from .views_lost import register_panel  # the lost panel; timeline kinds lost, won back

        register_panel()

        from django.utils.translation import gettext_lazy

        from tend.customers.panels import CustomerPanel
        from tend.customers.panels import register_panel as register_customer_panel

        from . import agenda_sections  # noqa: F401  (the at-risk agenda section)
        from .views_risk import PANEL as HEALTH_PANEL  # the health panel

        register_customer_panel(CustomerPanel("health", HEALTH_PANEL, gettext_lazy("Health")))
