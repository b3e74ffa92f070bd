from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    name = "tend.voice"
    verbose_name = _("Customer voice")

    def ready(self) -> None:
        from tend.customers.views import CUSTOMER_PANELS

        from . import floor, health, jobs, report_section, timeline_kinds  # noqa: F401  (registrations)

        if "voice/_customer_panel.html" not in CUSTOMER_PANELS:
            CUSTOMER_PANELS.append("voice/_customer_panel.html")
