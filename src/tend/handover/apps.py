from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "tend.handover"
    verbose_name = _("Handover")

    def ready(self) -> None:
        from . import agenda_sections, checks  # noqa: F401  (registrations)
