from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tend.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from . import jobs, sections  # noqa: F401  (the monthly report job, the sections)
