from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "tend.cases"
    verbose_name = _("Service cases")

    def ready(self) -> None:
        from django.core.signals import request_started

        from tend.customers.panels import CustomerPanel, register_panel

        from . import (  # noqa: F401  (registrations)
            agenda_sections,
            handover,
            health_signals,
            integrations,
            jobs,
            report_section,
            timeline_kinds,
        )

        request_started.connect(integrations.forget, dispatch_uid="cases.floor.forget")

        register_panel(CustomerPanel("cases", "cases/_customer_panel.html", _("Service cases")))
