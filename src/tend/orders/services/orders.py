from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.approvals.policy import confirm_refusal, needs_approval, order_terms_requirements
from tend.core.decimals import MONEY
from tend.core.guard import GuardedChange
from tend.core.i18n import TranslatableText
from tend.customers.models import Customer
from tend.health.services.lost import record_won_back
from tend.timeline.services import timeline_add

from .. import transitions
from ..models import EstimateChange, ExchangeRate, Order, OrderLine, OrderStatus, Product
from ..timeline_kinds import ORDER

ORDER_FIELDS = {
    "number",
    "order_date",
    "currency",
    "incoterm",
    "payment_terms",
    "port",
    "promised_ship_date",
    "estimated_ship_date",
    "actual_ship_date",
    "status",
    "essential",
    "time_sensitive",
    "quality_standard",
    "remarks",
}


def rate_for(currency: str, on: date) -> Decimal:
    """The base-currency value of one unit of ``currency`` on ``on``: the latest rate valid on
    that day. A missing rate is an error that says which one to add, never a silent 1.0."""
    if currency == settings.TEND_BASE_CURRENCY:
        return Decimal("1")
    rate = (
        ExchangeRate.objects.filter(currency=currency, valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise ValidationError(
            {
                "currency": _(
                    "No exchange rate for %(currency)s on %(day)s: add one (%(currency)s "
                    "→ %(base)s, valid from that day or earlier)."
                )
                % {"currency": currency, "day": on, "base": settings.TEND_BASE_CURRENCY}
            }
        )
    return rate


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def order_lines_checked(lines: Iterable[dict]) -> list[OrderLine]:
    """Unsaved lines from their data (``product`` or ``product_id``, quantity, unit_price,
    discount_pct, batch_number); every problem is named by index (``lines.2.quantity``)."""
    line_objects = []
    errors: dict[str, list[str]] = {}
    lines = list(lines)
    if not lines:
        errors["lines"] = [_("An order needs at least one line.")]
    products = Product.objects.in_bulk(
        [line.get("product_id") for line in lines if line.get("product_id")]
    )
    for index, data in enumerate(lines):
        product = data.get("product") or products.get(data.get("product_id"))
        if product is None:
            errors[f"lines.{index}.product"] = [_("Unknown product.")]
            continue
        line = OrderLine(
            product=product,
            quantity=data.get("quantity"),
            unit_price=data.get("unit_price"),
            discount_pct=data.get("discount_pct") or Decimal("0"),
            batch_number=data.get("batch_number", "") or "",
        )
        try:
            line.full_clean(exclude=["order"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"lines.{index}.{field}"] = messages
            continue
        if line.discount_pct > 100:
            errors[f"lines.{index}.discount_pct"] = [_("A discount cannot exceed 100%.")]
            continue
        line_objects.append(line)
    if errors:
        raise ValidationError(errors)
    return line_objects


def _same_terms(left: str, right: str) -> bool:
    return " ".join((left or "").split()).casefold() == " ".join((right or "").split()).casefold()


def payment_terms_given(*, approved: str, given: str) -> str:
    """The payment terms an order may be given: its customer's approved terms (empty gives
    them). Other terms are a credit decision made by four eyes, so they are refused here, on
    every path that places or edits a draft, and reach an order only by an approved request.

    Returns the terms to store (the customer's spelling); raises a ValidationError on
    ``payment_terms`` saying which request to make."""
    if not (given or "").strip() or _same_terms(given, approved):
        return approved
    if approved:
        message = _(
            "The customer's approved payment terms are “%(approved)s”; “%(given)s” needs an "
            "approver. Place the order on the approved terms (leave the field empty), then ask "
            "for a change to its payment terms once it is confirmed, or ask for new payment "
            "terms for the customer."
        )
    else:
        message = _(
            "The customer has no approved payment terms; “%(given)s” needs an approver. Leave "
            "the field empty, then ask for payment terms for the customer, or for a change to "
            "the order's payment terms once it is confirmed."
        )
    raise ValidationError({"payment_terms": message % {"approved": approved, "given": given}})


def agreed_payment_terms_check(order: Order) -> None:
    """Leaving draft agrees the order's payment terms, so they must still be its customer's
    approved terms (a draft made before the customer's terms changed keeps the old ones until
    edited), or terms an approved request gave this very order (a confirmed order moved back to
    draft keeps them). Raises GuardedChange on ``payment_terms``; the status service and the
    model's last check both call this."""
    from tend.approvals.models import ApprovalRequest, RequestState

    approved = Customer.objects.values_list("payment_terms", flat=True).get(pk=order.customer_id)
    if _same_terms(order.payment_terms, approved):
        return
    granted = ApprovalRequest.objects.filter(
        order_id=order.pk,
        state__in=[RequestState.APPROVED, RequestState.APPLIED],
        proposed__payment_terms=order.payment_terms,
    )
    if granted.exists():
        return
    raise GuardedChange(
        "Order",
        ["payment_terms"],
        message=_(
            "Order %(number)s is on payment terms “%(terms)s”, but its customer's approved terms "
            "are now “%(approved)s”. Edit the draft's payment terms (leave them empty for the "
            "approved ones) before confirming it, or ask for new payment terms for the customer."
        )
        % {
            "number": order.number,
            "terms": order.payment_terms or "—",
            "approved": approved or "—",
        },
    )


def _request_confirmation(*, by: User, order: Order, reason: str) -> None:
    from tend.approvals.services import request_create

    request_create(
        by=by,
        kind="discount",
        customer=order.customer,
        order=order,
        reason=reason or _("Placed below list beyond policy: to be confirmed when approved."),
        proposed={"status": OrderStatus.CONFIRMED.value},
    )


@transaction.atomic
def order_create(
    *,
    by: User | None,
    customer: Customer,
    fields: dict[str, Any],
    lines: Iterable[dict],
    approval_reason: str = "",
) -> Order:
    """Place an order with its lines; amounts in the order's currency and in base currency at
    the order date's rate. Errors are per field (``lines.2.quantity``) and nothing is written.

    The order is written as a draft with its lines, then walks the transition table to the
    status asked for, each step checked by the model like any move.

    Its payment terms are the customer's approved ones (``payment_terms_given``): other terms
    are refused, never written.

    Placing an order past draft agrees its prices, so the discount policy is consulted first:
    beyond it, the order is placed as a draft with a pending discount approval that confirms
    it when approved (``approval_reason`` tells the approver why). Without a person to ask
    (``by`` is None), it is refused instead."""
    unknown = set(fields) - ORDER_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    order = Order(customer=customer, created_by=by, **fields)
    order.currency = (order.currency or customer.currency or "").upper()
    if not order.incoterm:
        order.incoterm = customer.incoterm
    if order.estimated_ship_date is None:
        order.estimated_ship_date = order.promised_ship_date
    order.rate_to_base = Decimal("0")
    order.full_clean(exclude=["customer", "rate_to_base"])
    order.payment_terms = payment_terms_given(
        approved=customer.payment_terms, given=order.payment_terms
    )
    if order.status == OrderStatus.SHIPPED and order.actual_ship_date is None:
        raise ValidationError({"actual_ship_date": _("A shipped order needs its ship date.")})
    order.rate_to_base = rate_for(order.currency, order.order_date)
    line_objects = order_lines_checked(lines)
    order.amount = _money(sum((line.amount for line in line_objects), Decimal("0")))
    order.amount_base = _money(order.amount * order.rate_to_base)
    if max(order.amount, order.amount_base) > MONEY.largest:
        raise ValidationError(
            {
                "lines": _("The order comes to %(amount)s: too large, at most %(largest)s.")
                % {"amount": f"{order.amount:,}", "largest": f"{MONEY.largest:,}"}
            }
        )
    held_back = transitions.agrees_terms(None, order.status) and needs_approval(
        order_terms_requirements(order=order, lines=line_objects)
    )
    if held_back and by is None:
        raise ValidationError({"status": confirm_refusal(order=order, lines=line_objects)})
    status = OrderStatus.DRAFT if held_back else order.status
    order.status = OrderStatus.DRAFT
    order.save()
    for line in line_objects:
        line.order = order
    OrderLine.objects.bulk_create(line_objects)
    for step in transitions.path_from_draft(status):
        order.status = step
        order.save(update_fields=["status", "updated_at"])
    if held_back:
        _request_confirmation(by=by, order=order, reason=approval_reason)
    timeline_add(
        customer_id=customer.pk,
        kind=ORDER,
        title=TranslatableText(
            gettext_lazy("Order %(number)s: %(amount)s %(currency)s, ship by %(date)s"),
            {
                "number": order.number,
                "amount": f"{order.amount:,.2f}",
                "currency": order.currency,
                "date": order.promised_ship_date or "—",
            },
        ),
        actor=by,
        data={"amount_base": str(order.amount_base)},
        source=order,
    )
    record_won_back(order)  # a lost customer ordering again is won back
    return order


@transaction.atomic
def order_set_estimate(
    *, by: User | None, order: Order, new_date: date, reason: str, disruption=None
) -> Order:
    """Move the estimated ship date, keeping the history with the reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the date moves: the customer will ask.")})
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not order.is_open:
        raise ValidationError(
            _("Order %(number)s is %(status)s; its estimate cannot change.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    if new_date == order.estimated_ship_date:
        return order
    EstimateChange.objects.create(
        order=order,
        by=by,
        old_date=order.estimated_ship_date,
        new_date=new_date,
        reason=reason,
        disruption=disruption,
    )
    order.estimated_ship_date = new_date
    order.save(update_fields=["estimated_ship_date", "updated_at"])
    return order


@transaction.atomic
def order_status_change(
    *, order: Order, status: str, by: User | None, actual_ship_date: date | None = None
) -> Order:
    """Move an order along the declared transitions (``transitions.TRANSITIONS``): the one
    service every page, API call, bulk action and import uses to change a status.

    Refused, with nothing changed, as a ValidationError on ``status`` that names the request to
    make: confirming a draft priced below list beyond the discount policy (ask for a discount
    approval proposing "confirmed"), and moving a confirmed order back to draft (ask for a
    change to a confirmed order proposing "draft"). Approving either request makes the move."""
    if status not in OrderStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    order = Order.objects.select_for_update().get(pk=order.pk)
    old = order.status
    try:
        transitions.check_move(number=order.number, old=old, new=status)
    except GuardedChange as refused:
        raise ValidationError({"status": str(refused)}) from None
    if transitions.agrees_terms(old, status):
        lines = list(order.lines.select_related("product"))
        if needs_approval(order_terms_requirements(order=order, lines=lines)):
            raise ValidationError({"status": confirm_refusal(order=order, lines=lines)})
        try:
            agreed_payment_terms_check(order)
        except GuardedChange as refused:
            raise ValidationError({"status": str(refused)}) from None
    order.status = status
    if status == OrderStatus.SHIPPED:
        if actual_ship_date is None:
            raise ValidationError({"actual_ship_date": _("When did it ship?")})
        order.actual_ship_date = actual_ship_date
    order.save(update_fields=["status", "actual_ship_date", "updated_at"])
    if status == OrderStatus.SHIPPED:
        timeline_add(
            customer_id=order.customer_id,
            kind=ORDER,
            actor=by,
            source=order,
            title=TranslatableText(
                gettext_lazy("Order %(number)s shipped on %(date)s"),
                {"number": order.number, "date": actual_ship_date},
            ),
        )
    return order
