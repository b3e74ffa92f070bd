from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    name = "tend.voice"
    verbose_name = _("Customer voice")

    def ready(self) -> None:
        from tend.customers.panels import CustomerPanel, register_panel

        from . import floor, health, jobs, report_section, timeline_kinds  # noqa: F401  (registrations)

        register_panel(CustomerPanel("voice", "voice/_customer_panel.html", _("Customer voice")))
