"""The built-in report sections; each module registers itself (``registry.register``)."""

from . import churn, cohorts, reliability, revenue, risk  # noqa: F401
