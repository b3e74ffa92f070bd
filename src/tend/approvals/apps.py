from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "tend.approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from tend.customers.views import CUSTOMER_PANELS

        from . import agenda_sections, jobs, timeline_kinds  # noqa: F401  (registrations)

        if "approvals/_customer_panel.html" not in CUSTOMER_PANELS:
            CUSTOMER_PANELS.append("approvals/_customer_panel.html")
