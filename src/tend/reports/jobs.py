"""The periodic jobs of reports (registered on import, from ReportsConfig.ready)."""

from . import cadence, monthly  # noqa: F401  (reports.cadence_months, monthly_report)
