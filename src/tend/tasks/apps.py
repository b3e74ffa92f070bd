from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tend.tasks"
    verbose_name = _("Tasks")

    def ready(self) -> None:
        from tend.customers.views import CUSTOMER_PANELS

        from . import agenda_sections, handover, timeline_kinds  # noqa: F401  (registrations)

        if "tasks/_customer_panel.html" not in CUSTOMER_PANELS:
            CUSTOMER_PANELS.append("tasks/_customer_panel.html")
