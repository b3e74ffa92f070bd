from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "tend.approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from tend.customers.panels import CustomerPanel, register_panel

        from . import agenda_sections, jobs, timeline_kinds  # noqa: F401  (registrations)

        register_panel(
            CustomerPanel(
                "approvals", "approvals/_customer_panel.html", _("Special terms asked for")
            )
        )
