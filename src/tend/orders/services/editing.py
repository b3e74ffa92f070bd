"""Editing an order from its page. A draft is edited freely, its lines replaced. Once confirmed,
the agreed terms and the lines' quantity, price and discount change only by an approved
request: changing them here opens one through the approval service, which decides and applies.
The rest (number, port, flags, remarks, batch numbers) changes at once."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tend.accounts.models import User

from .. import transitions
from ..models import Order, OrderLine, OrderStatus
from .orders import (
    _money,
    _same_terms,
    order_lines_checked,
    order_status_change,
    payment_terms_given,
    rate_for,
)

FREE_FIELDS = ("number", "port", "essential", "time_sensitive", "quality_standard", "remarks")
DRAFT_FIELDS = (
    *FREE_FIELDS,
    "order_date",
    "currency",
    "incoterm",
    "payment_terms",
    "promised_ship_date",
)
# On a confirmed order: fixed for good, or changed by an approved request.
FIXED_FIELDS = ("order_date", "currency")
REQUESTED_FIELDS = ("incoterm", "payment_terms", "promised_ship_date")
REQUESTED_LINE_FIELDS = ("quantity", "unit_price", "discount_pct")
PRICE_LINE_FIELDS = {"unit_price", "discount_pct"}


@dataclass
class OrderEdit:
    order: Order
    request: Any = None  # the approval request opened for the guarded changes, if any
    changed: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


@transaction.atomic
def order_edit(
    *,
    by: User,
    order: Order,
    fields: dict[str, Any],
    lines: list[dict[str, Any]],
    reason: str = "",
) -> OrderEdit:
    """Save the order's new values. ``lines`` lists every line to keep, an existing one with
    its ``id``. Errors are per field (``lines.1.quantity``) and nothing is written."""
    order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    if order.guard_active():
        return _edit_confirmed(by=by, order=order, fields=fields, lines=lines, reason=reason)
    return _edit_draft(order=order, fields=fields, lines=lines)


def _edit_draft(*, order: Order, fields: dict[str, Any], lines: list[dict]) -> OrderEdit:
    old_promise = order.promised_ship_date
    # Empty terms take the customer's approved ones, as on a new order; terms left as they
    # were stay (confirming checks them again: ``agreed_payment_terms_check``).
    terms = fields.get("payment_terms")
    if "payment_terms" in fields and not (terms and _same_terms(terms, order.payment_terms)):
        fields = {
            **fields,
            "payment_terms": payment_terms_given(
                approved=order.customer.payment_terms, given=terms
            ),
        }
    for name, value in fields.items():
        setattr(order, name, value)
    order.currency = (order.currency or "").upper()
    if order.estimated_ship_date in (None, old_promise):
        order.estimated_ship_date = order.promised_ship_date
    order.full_clean(exclude=["customer", "rate_to_base"])
    order.rate_to_base = rate_for(order.currency, order.order_date)
    checked = order_lines_checked(lines)
    existing = {line.pk: line for line in order.lines.all()}
    kept_ids = set()
    for data, line in zip(lines, checked, strict=True):
        line_id = data.get("id")
        if line_id is not None and line_id in existing:
            line.pk = line_id
            kept_ids.add(line_id)
        line.order = order
    order.lines.exclude(pk__in=kept_ids).delete()
    for line in checked:
        line.save()
    order.amount = _money(sum((line.amount for line in checked), Decimal("0")))
    order.amount_base = _money(order.amount * order.rate_to_base)
    order.save()
    return OrderEdit(order=order, changed=sorted(fields))


def _edit_confirmed(
    *, by: User, order: Order, fields: dict[str, Any], lines: list[dict], reason: str
) -> OrderEdit:
    errors: dict[str, list[str]] = {}
    for name in FIXED_FIELDS:
        if name in fields and fields[name] != getattr(order, name):
            errors[name] = [_("Fixed once the order is confirmed.")]
    proposed: dict[str, Any] = {}
    for name in REQUESTED_FIELDS:
        if name in fields and (fields[name] or None) != (getattr(order, name) or None):
            if fields[name] in (None, ""):
                errors[name] = [_("Cannot be emptied on a confirmed order.")]
            else:
                proposed[name] = _text(fields[name])
    existing = {line.pk: line for line in order.lines.select_related("product")}
    given_ids = [data.get("id") for data in lines]
    if sorted(i for i in given_ids if i is not None) != sorted(existing) or None in given_ids:
        errors["lines"] = [
            _("Lines are added or removed only on a draft; ask for an approved change instead.")
        ]
    line_changes: dict[str, dict[str, str]] = {}
    batch_changes: list[OrderLine] = []
    for index, data in enumerate(lines):
        line = existing.get(data.get("id"))
        if line is None:
            continue
        product = data.get("product")
        if product is not None and product.pk != line.product_id:
            errors[f"lines.{index}.product"] = [_("Fixed once the order is confirmed.")]
        changes = {
            name: _text(data[name])
            for name in REQUESTED_LINE_FIELDS
            if data.get(name) is not None and data[name] != getattr(line, name)
        }
        if changes:
            line_changes[str(line.pk)] = changes
        batch = data.get("batch_number")
        if batch is not None and batch != line.batch_number:
            line.batch_number = batch
            batch_changes.append(line)
    if line_changes:
        proposed["lines"] = line_changes
    for name in FREE_FIELDS:
        if name in fields:
            setattr(order, name, fields[name])
    try:
        order.full_clean(exclude=["customer", "rate_to_base", *REQUESTED_FIELDS])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if proposed and not reason.strip():
        errors["reason"] = [_("Say why these terms should change: the approver decides on it.")]
    if errors:
        raise ValidationError(errors)
    order.save(update_fields=[*FREE_FIELDS, "updated_at"])
    for line in batch_changes:
        line.save(update_fields=["batch_number"])
    request = None
    if proposed:
        # Imported here: the approval service itself builds on the order services.
        from tend.approvals.models import RequestKind
        from tend.approvals.services import request_create

        only_prices = set(proposed) == {"lines"} and all(
            set(changes) <= PRICE_LINE_FIELDS for changes in line_changes.values()
        )
        request = request_create(
            by=by,
            kind=RequestKind.DISCOUNT if only_prices else RequestKind.ORDER_CHANGE,
            customer=order.customer,
            order=order,
            reason=reason,
            proposed=proposed,
        )
    changed = [name for name in FREE_FIELDS if name in fields]
    return OrderEdit(order=order, request=request, changed=changed)


@dataclass(frozen=True)
class Move:
    """A status an order may move to next, and whether only an approved request makes it."""

    status: str
    label: str
    needs_request: bool


def order_moves(*, order: Order) -> list[Move]:
    """The order's next statuses (the declared transitions), each marked when the move waits
    for an approver: reopening a confirmed order, or confirming a draft priced beyond policy."""
    from tend.approvals.policy import needs_approval, order_terms_requirements

    labels = dict(OrderStatus.choices)
    beyond_policy = None
    moves = []
    for status in transitions.allowed_next(order.status):
        needs_request = transitions.is_guarded_move(order.status, status)
        if transitions.agrees_terms(order.status, status):
            if beyond_policy is None:
                lines = list(order.lines.select_related("product"))
                beyond_policy = needs_approval(order_terms_requirements(order=order, lines=lines))
            needs_request = beyond_policy
        moves.append(Move(status=status, label=str(labels[status]), needs_request=needs_request))
    return moves


def order_move(
    *,
    by: User,
    order: Order,
    status: str,
    reason: str = "",
    actual_ship_date: date | None = None,
) -> OrderEdit:
    """Move the order on (``order_status_change``), or, when only an approved request makes
    that move, ask for it: a discount approval to confirm a draft priced beyond policy, a
    change to a confirmed order to reopen it as a draft."""
    move = next((m for m in order_moves(order=order) if m.status == status), None)
    if move is None or not move.needs_request:
        moved = order_status_change(
            order=order, status=status, by=by, actual_ship_date=actual_ship_date
        )
        return OrderEdit(order=moved, changed=["status"])
    if not reason.strip():
        raise ValidationError(
            {"reason": _("This move needs an approver: say why, and a request is made.")}
        )
    from tend.approvals.models import RequestKind
    from tend.approvals.services import request_create

    kind = (
        RequestKind.ORDER_CHANGE
        if transitions.is_guarded_move(order.status, status)
        else RequestKind.DISCOUNT
    )
    request = request_create(
        by=by,
        kind=kind,
        customer=order.customer,
        order=order,
        reason=reason,
        proposed={"status": status},
    )
    order.refresh_from_db()
    return OrderEdit(order=order, request=request)
