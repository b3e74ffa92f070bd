from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptureConfig(AppConfig):
    name = "tend.capture"
    verbose_name = _("Capture")

    def ready(self) -> None:
        from tend.customers.views import TIMELINE_FORM_TEMPLATES

        from . import handover, jobs  # noqa: F401  (registrations)

        template = "capture/_customer_suggestions.html"
        if template not in TIMELINE_FORM_TEMPLATES:
            TIMELINE_FORM_TEMPLATES.append(template)
