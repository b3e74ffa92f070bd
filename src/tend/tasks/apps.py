from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tend.tasks"
    verbose_name = _("Tasks")

    def ready(self) -> None:
        from tend.customers.panels import CustomerPanel, register_panel

        from . import agenda_sections, handover, timeline_kinds  # noqa: F401  (registrations)

        register_panel(CustomerPanel("tasks", "tasks/_customer_panel.html", _("Tasks")))
