from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "tend.approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from . import timeline_kinds  # noqa: F401  (registrations)
