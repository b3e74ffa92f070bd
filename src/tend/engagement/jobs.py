"""Engagement's periodic rules, run by ``tend worker``."""

from datetime import timedelta

from tend.jobs.registry import register_periodic

from . import services

register_periodic(
    "engagement.customers_return_to_pool",
    timedelta(minutes=15),
    services.customers_return_to_pool,
)
register_periodic(
    "engagement.promises_break_overdue",
    timedelta(minutes=15),
    services.promises_break_overdue,
)
