from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "tend.agenda"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        from . import digest  # noqa: F401  (registers the daily digest job)
