"""Writes for orders: placing and changing orders, delays told to the customer, disruptions,
samples. Split by topic; import from here."""

from .disruptions import (
    disruption_affected_orders,
    disruption_notify,
    disruption_shift_estimates,
)
from .orders import order_create, order_set_estimate, order_set_status, rate_for
from .samples import sample_log, sample_set_outcome
from .updates import order_update_draft, order_update_record

__all__ = [
    "disruption_affected_orders",
    "disruption_notify",
    "disruption_shift_estimates",
    "order_create",
    "order_set_estimate",
    "order_set_status",
    "order_update_draft",
    "order_update_record",
    "rate_for",
    "sample_log",
    "sample_set_outcome",
]
