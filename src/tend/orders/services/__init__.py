"""Writes for orders: placing and changing orders, delays told to the customer, disruptions,
samples. Split by topic; import from here."""

from .catalogue import disruption_create, exchange_rate_create, product_create
from .disruptions import (
    NotifyResult,
    disruption_affected_orders,
    disruption_notices_plan,
    disruption_notify,
    disruption_shift_estimates,
)
from .documents import document_number_next, order_document_generate
from .editing import Move, OrderEdit, order_edit, order_move, order_moves
from .orders import (
    order_create,
    order_lines_checked,
    order_set_estimate,
    order_status_change,
    rate_for,
)
from .samples import sample_log, sample_set_outcome
from .updates import order_update_draft, order_update_record

__all__ = [
    "Move",
    "NotifyResult",
    "OrderEdit",
    "disruption_affected_orders",
    "disruption_create",
    "disruption_notices_plan",
    "disruption_notify",
    "disruption_shift_estimates",
    "document_number_next",
    "exchange_rate_create",
    "order_create",
    "order_document_generate",
    "order_edit",
    "order_lines_checked",
    "order_move",
    "order_moves",
    "order_set_estimate",
    "order_status_change",
    "order_update_draft",
    "order_update_record",
    "product_create",
    "rate_for",
    "sample_log",
    "sample_set_outcome",
]
