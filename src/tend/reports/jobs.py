"""The periodic jobs of reports (registered on import, from ReportsConfig.ready)."""

from . import monthly  # noqa: F401  (reports.monthly_report)
