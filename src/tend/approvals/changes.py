"""What each kind of approval request changes: the baseline that tells whether the target moved
since the request was made, the measure the policy is read with, the policy itself, and how an
approved change is applied (the only place a guarded value is written)."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tend.audit.models import AuditAction
from tend.audit.services import audit_record
from tend.core.decimals import MONEY
from tend.customers.models import Customer
from tend.orders import transitions
from tend.orders.models import Order, OrderLine, OrderStatus, discount_depth

from .models import (
    ApprovalPolicy,
    ApprovalRequest,
    Concession,
    CreditNote,
    RequestKind,
)
from .policy import order_depth
from .proposed import currency_of, field_value, in_base, line_number

CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- What each kind changes: a baseline to detect staleness, a measure, and how to apply. ---


def _line_state(line: OrderLine) -> dict[str, str]:
    return {
        "product_id": str(line.product_id),
        "quantity": str(line.quantity),
        "unit_price": str(line.unit_price),
        "discount_pct": str(line.discount_pct),
    }


def _order_state(order: Order) -> dict[str, Any]:
    return {
        "status": order.status,
        "currency": order.currency,
        "incoterm": order.incoterm,
        "payment_terms": order.payment_terms,
        "promised_ship_date": str(order.promised_ship_date) if order.promised_ship_date else None,
        "lines": {str(line.pk): _line_state(line) for line in order.lines.order_by("pk")},
    }


def _customer_state(customer: Customer) -> dict[str, Any]:
    return {
        "payment_terms": customer.payment_terms,
        "credit_limit": str(customer.credit_limit) if customer.credit_limit is not None else None,
    }


def _new_line_amount(line: OrderLine, changes: dict[str, Any]) -> Decimal:
    quantity = line_number(line, changes, "quantity")
    price = line_number(line, changes, "unit_price")
    discount = line_number(line, changes, "discount_pct")
    return _money(quantity * price * (Decimal("100") - discount) / Decimal("100"))


def _prepare_status(kind: str, order: Order, proposed: dict[str, Any]):
    """A status move only an approved request makes: confirming a draft priced below list
    beyond policy (a discount request, measured by its deepest line), or reopening a confirmed
    order to draft (a change to a confirmed order, measured by its whole value)."""
    if set(proposed) != {"status"}:
        raise ValidationError({"proposed": _("A status request proposes the status alone.")})
    status = proposed["status"]
    if not isinstance(status, str) or status not in OrderStatus.values:
        raise ValidationError({"proposed": _("Unknown status.")})
    try:
        transitions.check_move(number=order.number, old=order.status, new=status)
    except ValidationError as undeclared:
        raise ValidationError({"proposed": undeclared.message_dict["status"]}) from None
    except PermissionDenied:
        pass  # a guarded move: what this request is for
    if kind == RequestKind.DISCOUNT and transitions.agrees_terms(order.status, status):
        depth = order_depth(
            rate_to_base=order.rate_to_base, lines=order.lines.select_related("product")
        )
        return _order_state(order), order.amount_base, depth
    if kind == RequestKind.ORDER_CHANGE and transitions.is_guarded_move(order.status, status):
        return _order_state(order), order.amount_base, order.amount_base
    raise ValidationError(
        {
            "proposed": _(
                "A discount request may confirm a draft order; a change to a confirmed order "
                "may move it back to draft. Any other move needs no request."
            )
        }
    )


def prepare(kind: str, customer: Customer, order: Order | None, proposed: dict[str, Any]):
    """Validate the proposed change; return (baseline, amount_base, measure_value)."""
    if kind in (RequestKind.DISCOUNT, RequestKind.ORDER_CHANGE):
        if order is None:
            raise ValidationError({"order": _("Which order?")})
        if "status" in proposed:
            return _prepare_status(kind, order, proposed)
        if order.status in (OrderStatus.CANCELLED, OrderStatus.DELIVERED, OrderStatus.SHIPPED):
            raise ValidationError(
                {
                    "order": _("Order %(number)s is %(status)s.")
                    % {"number": order.number, "status": order.get_status_display()}
                }
            )
        lines = {str(line.pk): line for line in order.lines.select_related("product")}
        line_changes = proposed.get("lines") or {}
        if not isinstance(line_changes, dict):
            raise ValidationError({"proposed": _("Lines must map a line id to its changes.")})
        allowed_line = {"quantity", "unit_price", "discount_pct"}
        if kind == RequestKind.DISCOUNT:
            allowed_line = {"unit_price", "discount_pct"}
            if set(proposed) - {"lines"}:
                raise ValidationError({"proposed": _("A discount request changes prices only.")})
        delta = Decimal("0")
        deepest = Decimal("0")
        new_amounts: dict[int, Decimal] = {}
        for line_id, changes in line_changes.items():
            line = lines.get(str(line_id))
            if line is None:
                raise ValidationError(
                    {"proposed": _("Line %(id)s is not on this order.") % {"id": line_id}}
                )
            if not isinstance(changes, dict) or not changes or set(changes) - allowed_line:
                raise ValidationError(
                    {
                        "proposed": _("Line %(id)s: only %(fields)s may change.")
                        % {"id": line_id, "fields": ", ".join(sorted(allowed_line))}
                    }
                )
            new_amount = _new_line_amount(line, changes)
            delta += new_amount - line.amount
            depth = discount_depth(
                net_amount=new_amount,
                quantity=line_number(line, changes, "quantity"),
                rate_to_base=order.rate_to_base,
                list_price=line.product.list_price,
                discount_pct=line_number(line, changes, "discount_pct"),
            )
            new_amounts[line.pk] = new_amount
            deepest = max(deepest, depth)
        header = {k: v for k, v in proposed.items() if k != "lines"}
        allowed_header = {"promised_ship_date", "payment_terms", "incoterm"}
        if set(header) - allowed_header:
            raise ValidationError(
                {
                    "proposed": _("Only %(fields)s, and lines, may change.")
                    % {"fields": ", ".join(sorted(allowed_header))}
                }
            )
        for name, value in header.items():
            field_value(Order, name, value)
        if not line_changes and not header:
            raise ValidationError({"proposed": _("Nothing to change.")})
        new_total = sum(
            (new_amounts.get(line.pk, line.amount) for line in lines.values()), Decimal("0")
        )
        if max(new_total, new_total * order.rate_to_base) > MONEY.largest:
            raise ValidationError(
                {
                    "proposed": _("The order's new amount is too large: at most %(largest)s.")
                    % {"largest": f"{MONEY.largest:,}"}
                }
            )
        amount_base = _money(abs(delta) * order.rate_to_base)
        measure = _money(deepest) if kind == RequestKind.DISCOUNT else amount_base
        return _order_state(order), amount_base, measure
    if kind == RequestKind.REFUND:
        _only(proposed, {"kind", "amount", "currency"})
        amount = MONEY.check(proposed.get("amount"), field="amount")
        if amount <= 0:
            raise ValidationError({"amount": _("A refund or credit is a positive amount.")})
        if proposed.get("kind", "refund") not in ("refund", "credit_note"):
            raise ValidationError({"kind": _("A refund or a credit note.")})
        currency = currency_of(proposed, order.currency if order else customer.currency)
        amount_base = in_base(amount, currency, "amount")
        return {}, amount_base, amount_base
    if kind == RequestKind.ACCOMMODATION:
        _only(proposed, {"description", "value", "currency"})
        if not str(proposed.get("description", "")).strip():
            raise ValidationError({"description": _("Describe the accommodation.")})
        value = MONEY.check(proposed.get("value", 0), field="value")
        if value < 0:
            raise ValidationError({"value": _("The value cannot be negative.")})
        currency = currency_of(proposed, customer.currency)
        amount_base = in_base(value, currency, "value")
        return {}, amount_base, amount_base
    if kind == RequestKind.CREDIT_TERMS:
        if not set(proposed) & {"payment_terms", "credit_limit"} or set(proposed) - {
            "payment_terms",
            "credit_limit",
        }:
            raise ValidationError({"proposed": _("Propose payment terms and/or a credit limit.")})
        if "payment_terms" in proposed:
            field_value(Customer, "payment_terms", proposed["payment_terms"])
        limit = Decimal("0")
        if proposed.get("credit_limit") is not None:
            limit = MONEY.check(proposed["credit_limit"], field="credit_limit")
            if limit < 0:
                raise ValidationError({"credit_limit": _("A credit limit cannot be negative.")})
        return _customer_state(customer), _money(limit), _money(limit)
    if kind == RequestKind.CHANNEL_ACTION:
        from tend.market.services.channel import channel_action_prepare

        return channel_action_prepare(customer, proposed)
    raise ValidationError({"kind": _("Unknown kind of request.")})


def _only(proposed: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(proposed) - allowed
    if unknown:
        raise ValidationError(
            {
                "proposed": _("Unknown: %(fields)s. Expected %(allowed)s.")
                % {"fields": ", ".join(sorted(unknown)), "allowed": ", ".join(sorted(allowed))}
            }
        )


def current_baseline(request: ApprovalRequest) -> dict[str, Any]:
    if request.kind in (RequestKind.DISCOUNT, RequestKind.ORDER_CHANGE):
        return _order_state(Order.objects.get(pk=request.order_id))
    if request.kind == RequestKind.CREDIT_TERMS:
        return _customer_state(Customer.objects.get(pk=request.customer_id))
    if request.kind == RequestKind.CHANNEL_ACTION:
        from tend.market.services.channel import channel_action_baseline

        return channel_action_baseline(request)
    return {}


def apply_change(request: ApprovalRequest) -> None:
    proposed = request.proposed
    if request.kind in (RequestKind.DISCOUNT, RequestKind.ORDER_CHANGE):
        order = Order.objects.select_for_update().get(pk=request.order_id)
        for line_id, changes in (proposed.get("lines") or {}).items():
            line = OrderLine.objects.get(pk=int(line_id), order=order)
            for field, value in changes.items():
                setattr(line, field, Decimal(str(value)))
            line.save(update_fields=list(changes))
        for field, value in proposed.items():
            if field == "lines":
                continue
            setattr(order, field, field_value(Order, field, value))
        lines = list(order.lines.all())
        order.amount = _money(sum((line.amount for line in lines), Decimal("0")))
        order.amount_base = _money(order.amount * order.rate_to_base)
        order.save()
    elif request.kind == RequestKind.REFUND:
        order = request.order
        currency = proposed.get("currency") or (
            order.currency if order else request.customer.currency
        )
        CreditNote.objects.create(
            request=request,
            customer_id=request.customer_id,
            order=order,
            kind=proposed.get("kind", "refund"),
            amount=Decimal(str(proposed["amount"])),
            currency=currency,
            amount_base=request.amount_base,
        )
    elif request.kind == RequestKind.ACCOMMODATION:
        Concession.objects.create(
            request=request,
            customer_id=request.customer_id,
            description=proposed["description"],
            value_base=request.amount_base,
        )
    elif request.kind == RequestKind.CREDIT_TERMS:
        customer = Customer.objects.select_for_update().get(pk=request.customer_id)
        before = _customer_state(customer)
        if "payment_terms" in proposed:
            customer.payment_terms = proposed["payment_terms"]
        if "credit_limit" in proposed:
            limit = proposed["credit_limit"]
            customer.credit_limit = None if limit is None else Decimal(str(limit))
        customer.save(update_fields=["payment_terms", "credit_limit", "updated_at"])
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            instance=customer,
            before=before,
            after=_customer_state(customer),
            customer_id=customer.pk,
        )
    elif request.kind == RequestKind.CHANNEL_ACTION:
        from tend.market.services.channel import channel_action_apply

        channel_action_apply(request)


# --- Policy ---


def policy_requirements(kind: str, measure: Decimal) -> dict[str, Any]:
    """How many approvers, whether one must be an admin, and who may approve, for a request of
    this kind and size: the highest threshold the measure is above."""
    policy = ApprovalPolicy.objects.prefetch_related("thresholds").filter(kind=kind).first()
    if policy is None:
        return {
            "approvals_needed": 1,
            "admin_required": False,
            "managers_may_approve": True,
            "same_team_only": True,
            "expiry_days": 7,
        }
    matching = [t for t in policy.thresholds.all() if measure > t.above]
    rule = max(matching, key=lambda t: t.above) if matching else None
    if rule is None:
        return {
            "approvals_needed": 0,
            "admin_required": False,
            "managers_may_approve": True,
            "same_team_only": True,
            "expiry_days": policy.expiry_days,
        }
    return {
        "approvals_needed": rule.approvers,
        "admin_required": rule.admin_required,
        "managers_may_approve": rule.managers_may_approve,
        "same_team_only": rule.same_team_only,
        "expiry_days": policy.expiry_days,
    }
