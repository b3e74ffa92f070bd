from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tend.cases"
    verbose_name = _("Service cases")

    def ready(self) -> None:
        from tend.customers.views import CUSTOMER_PANELS

        from . import agenda_sections, handover, health_signals, jobs, timeline_kinds  # noqa: F401

        if "cases/_customer_panel.html" not in CUSTOMER_PANELS:
            CUSTOMER_PANELS.append("cases/_customer_panel.html")
