from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    name = "tend.voice"
    verbose_name = _("Customer voice")

    def ready(self) -> None:
        from . import health, jobs, timeline_kinds  # noqa: F401  (registrations)
