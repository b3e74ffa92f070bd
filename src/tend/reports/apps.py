from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tend.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from tend.core.derived import register_derived

        from . import jobs, revenue_months, sections  # noqa: F401  (jobs and sections register)

        register_derived(
            "reports.revenue", suspend=revenue_months.triggers_drop, rebuild=revenue_months.install
        )
