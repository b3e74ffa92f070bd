from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "tend.engagement"
    verbose_name = _("Engagement")

    def ready(self) -> None:
        from tend.core.derived import register_derived
        from tend.customers.views import TIMELINE_FORM_TEMPLATES

        from . import agenda_sections, contact_threads, demo, handover, jobs, timeline_kinds  # noqa: F401  (registrations)

        for template in ("engagement/_log_form.html", "engagement/_customer_promises.html"):
            if template not in TIMELINE_FORM_TEMPLATES:
                TIMELINE_FORM_TEMPLATES.append(template)

        register_derived(
            "engagement.contact_threads",
            suspend=contact_threads.triggers_drop,
            rebuild=contact_threads.install,
        )
