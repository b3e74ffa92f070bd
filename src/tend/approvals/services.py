"""Four-eyes approvals: request a guarded change, decide it, apply it exactly once.

A guarded change (prices and discounts, a confirmed order's terms, refunds and credits, special
accommodations, payment terms and credit limits) is applied only here, by approving its request,
inside one transaction that first checks the target has not changed since the request was made.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.audit.models import AuditAction
from tend.audit.services import audit_record
from tend.core.decimals import MONEY
from tend.core.guard import approval_applying
from tend.core.i18n import TranslatableText
from tend.customers.models import Customer
from tend.orders import transitions
from tend.orders.models import Order, OrderLine, OrderStatus, discount_depth
from tend.orders.services.mail import send_after_commit
from tend.timeline.services import timeline_add

from . import routing
from .models import (
    ApprovalDecision,
    ApprovalPolicy,
    ApprovalRequest,
    Concession,
    CreditNote,
    Decision,
    Notification,
    RequestKind,
    RequestState,
)
from .policy import order_depth
from .proposed import currency_of, field_value, in_base, line_number
from .selectors import approvers_eligible, may_approve
from .timeline_kinds import APPROVAL

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


def _prepare(kind: str, customer: Customer, order: Order | None, proposed: dict[str, Any]):
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


def _current_baseline(request: ApprovalRequest) -> dict[str, Any]:
    if request.kind in (RequestKind.DISCOUNT, RequestKind.ORDER_CHANGE):
        return _order_state(Order.objects.get(pk=request.order_id))
    if request.kind == RequestKind.CREDIT_TERMS:
        return _customer_state(Customer.objects.get(pk=request.customer_id))
    return {}


def _apply(request: ApprovalRequest) -> None:
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


# --- Workflow ---


def _notify(user: User, text: str, url: str, key: str) -> None:
    Notification.objects.create(user=user, text=text[:300], url=url)
    if user.email:
        send_after_commit(
            to=user.email,
            subject=text[:200],
            body=f"{text}\n\n{settings.TEND_BASE_URL}{url}",
            key=key,
        )


def _timeline(request: ApprovalRequest, title: TranslatableText, actor, body: str = "") -> None:
    timeline_add(
        customer_id=request.customer_id,
        kind=APPROVAL,
        title=title,
        actor=actor,
        body=body,
        data={"request": request.pk, "state": request.state},
        source=request,
    )


def _audit_state(request: ApprovalRequest, actor, before: str, note: str = "") -> None:
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=request,
        before={"state": before},
        after={"state": request.state, "note": note or None},
        customer_id=request.customer_id,
    )


@transaction.atomic
def request_create(
    *,
    by: User,
    kind: str,
    customer: Customer,
    reason: str,
    proposed: dict[str, Any],
    order: Order | None = None,
) -> ApprovalRequest:
    """Ask for a guarded change. Within policy (no approver needed) it is applied at once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: the approver decides on it.")})
    if kind not in RequestKind.values:
        raise ValidationError({"kind": _("Unknown kind of request.")})
    if order is not None and order.customer_id != customer.pk:
        raise ValidationError({"order": _("That order is not this customer's.")})
    baseline, amount_base, measure = _prepare(kind, customer, order, proposed)
    rules = policy_requirements(kind, measure)
    now = timezone.now()
    request = ApprovalRequest.objects.create(
        kind=kind,
        customer=customer,
        order=order,
        requested_by=by,
        reason=reason,
        proposed=proposed,
        baseline=baseline,
        amount_base=amount_base,
        measure_value=measure,
        approvals_needed=rules["approvals_needed"],
        admin_required=rules["admin_required"],
        managers_may_approve=rules["managers_may_approve"],
        same_team_only=rules["same_team_only"],
        created_at=now,
        expires_at=now + timedelta(days=rules["expiry_days"]),
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=request,
        after={
            "kind": kind,
            "proposed": str(proposed),
            "reason": reason,
            "amount_base": str(amount_base),
        },
        customer_id=customer.pk,
    )
    _timeline(
        request,
        TranslatableText(
            gettext_lazy("%(who)s asked: %(kind)s (%(amount)s %(base)s)"),
            {
                "who": by,
                "kind": RequestKind(request.kind).label,
                "amount": amount_base,
                "base": settings.TEND_BASE_CURRENCY,
            },
        ),
        by,
        reason,
    )
    if request.approvals_needed == 0 and not request.admin_required:
        _finish(request, actor=by, note=_("within policy: no approval needed"))
        return request
    eligible = _route_if_stuck(request)
    if not eligible:
        raise ValidationError(
            _(
                "Nobody but you can approve this request, and there is no other active admin to "
                "route it to."
            )
        )
    for approver in eligible:
        _notify(
            approver,
            _("%(who)s asks you to approve: %(kind)s for %(customer)s")
            % {"who": by, "kind": request.get_kind_display(), "customer": customer},
            request.get_absolute_url(),
            f"approval:{request.pk}:ask:{approver.pk}",
        )
    return request


# --- Routing: a request someone can always decide ---


def _route_if_stuck(request: ApprovalRequest) -> list[User]:
    """If fewer people can still approve the (locked, pending) request than it needs, route it
    to the admins and record why. Returns who may approve it now."""
    note = routing.shortfall(request)
    if not note:
        return approvers_eligible(request)
    request.routed_to_admins, request.routing_note = True, note
    request.save(update_fields=["routed_to_admins", "routing_note"])
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        instance=request,
        before={"routed_to_admins": False},
        after={"routed_to_admins": True, "note": request.routing_note},
        customer_id=request.customer_id,
    )
    _timeline(
        request,
        TranslatableText(
            gettext_lazy("Routed to the admins: %(kind)s"),
            {"kind": RequestKind(request.kind).label},
        ),
        None,
        request.routing_note,
    )
    return approvers_eligible(request)


def request_route(*, request: ApprovalRequest, now=None) -> ApprovalRequest:
    """Keep a pending request decidable after the people who could approve it changed (someone
    left, moved team, lost sight of the customer): route it to the admins once and tell the
    requester; if an admin already approved it, that decides it. Run when a request is viewed or
    decided, and by the periodic job."""
    now = now or timezone.now()
    if not request.is_pending or request.routed_to_admins or request.expires_at <= now:
        return request
    if not routing.shortfall(request):
        return request  # the usual case, read without taking a lock
    with transaction.atomic():
        request = _locked(request)
        if not request.is_pending or request.routed_to_admins:
            return request
        _route_if_stuck(request)
        if not request.routed_to_admins:
            return request
        _notify_routed(request)
        if routing.approved_enough(request):
            request.decided_at = timezone.now()
            _finish(request, actor=None, note=request.routing_note)
            _notify_decided(request)
    return request


def _locked(request: ApprovalRequest) -> ApprovalRequest:
    return (
        ApprovalRequest.objects.select_for_update(of=("self",))
        .select_related("customer__owner", "requested_by")
        .get(pk=request.pk)
    )


def _notify_requester(request: ApprovalRequest, text: str, event: str) -> None:
    _notify(
        request.requested_by,
        text % {"kind": request.get_kind_display(), "customer": request.customer},
        request.get_absolute_url(),
        f"approval:{request.pk}:{event}",
    )


def _notify_routed(request: ApprovalRequest) -> None:
    _notify_requester(
        request, _("Your request is routed to the admins: %(kind)s for %(customer)s"), "routed"
    )


def _notify_decided(request: ApprovalRequest) -> None:
    _notify(
        request.requested_by,
        _("Your request was %(state)s: %(kind)s for %(customer)s")
        % {
            "state": request.get_state_display().lower(),
            "kind": request.get_kind_display(),
            "customer": request.customer,
        },
        request.get_absolute_url(),
        f"approval:{request.pk}:{request.state}",
    )


def _finish(request: ApprovalRequest, *, actor, note: str = "") -> None:
    """Approved: re-check the target, then apply, or mark stale and apply nothing."""
    before = request.state
    if _current_baseline(request) != request.baseline:
        request.state = RequestState.STALE
        request.state_note = _("The target changed after the request was made; nothing applied.")
        request.decided_at = timezone.now()
        request.save(update_fields=["state", "state_note", "decided_at"])
        _audit_state(request, actor, before, request.state_note)
        _timeline(
            request,
            TranslatableText(
                gettext_lazy("Request went stale: %(kind)s"),
                {"kind": RequestKind(request.kind).label},
            ),
            actor,
            request.state_note,
        )
        return
    with approval_applying():
        _apply(request)
    now = timezone.now()
    request.state = RequestState.APPLIED
    request.state_note = note
    request.decided_at = request.decided_at or now
    request.applied_at = now
    request.save(update_fields=["state", "state_note", "decided_at", "applied_at"])
    _audit_state(request, actor, before, note)
    _timeline(
        request,
        TranslatableText(
            gettext_lazy("Approved and applied: %(kind)s (%(amount)s %(base)s)"),
            {
                "kind": RequestKind(request.kind).label,
                "amount": request.amount_base,
                "base": settings.TEND_BASE_CURRENCY,
            },
        ),
        actor,
        note,
    )


def request_decide(
    *, by: User, request: ApprovalRequest, decision: str, comment: str = ""
) -> ApprovalRequest:
    """Approve or reject. The requester never decides their own request; nobody decides twice.
    Enough approvals apply the change once; a single rejection closes the request. A request
    past its expiry is marked expired (and stays so) and the decision is refused."""
    if ApprovalRequest.objects.filter(
        pk=request.pk, state=RequestState.PENDING, expires_at__lte=timezone.now()
    ).update(state=RequestState.EXPIRED):
        raise ValidationError(_("This request has expired."))
    return _decide(by=by, request=request, decision=decision, comment=comment)


@transaction.atomic
def _decide(*, by: User, request: ApprovalRequest, decision: str, comment: str) -> ApprovalRequest:
    request = _locked(request)
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Approve or reject.")})
    if by.pk == request.requested_by_id:
        raise PermissionDenied(_("You cannot decide your own request."))
    if not request.is_pending:
        raise ValidationError(
            _("This request is already %(state)s.") % {"state": request.get_state_display()}
        )
    if request.decisions.filter(by=by).exists():
        raise ValidationError(_("You have already decided this request."))
    if not request.routed_to_admins:
        _route_if_stuck(request)
        if request.routed_to_admins:
            _notify_routed(request)
    if not may_approve(user=by, request=request):
        raise PermissionDenied(_("You may not decide this request."))
    if decision == Decision.REJECT and not comment.strip():
        raise ValidationError({"comment": _("Say why you reject it.")})
    ApprovalDecision.objects.create(request=request, by=by, decision=decision, comment=comment)
    url = request.get_absolute_url()
    if decision == Decision.REJECT:
        request.state, request.decided_at = RequestState.REJECTED, timezone.now()
        request.state_note = comment
        request.save(update_fields=["state", "decided_at", "state_note"])
        _audit_state(request, by, RequestState.PENDING, comment)
        _timeline(
            request,
            TranslatableText(
                gettext_lazy("Rejected by %(who)s: %(kind)s"),
                {"who": by, "kind": RequestKind(request.kind).label},
            ),
            by,
            comment,
        )
        _notify(
            request.requested_by,
            _("%(who)s rejected your request: %(kind)s for %(customer)s")
            % {"who": by, "kind": request.get_kind_display(), "customer": request.customer},
            url,
            f"approval:{request.pk}:rejected",
        )
        return request
    _timeline(
        request,
        TranslatableText(
            gettext_lazy("Approved by %(who)s: %(kind)s"),
            {"who": by, "kind": RequestKind(request.kind).label},
        ),
        by,
        comment,
    )
    if routing.approved_enough(request):
        request.decided_at = timezone.now()
        _finish(request, actor=by, note=comment)
        _notify_decided(request)
    return request


@transaction.atomic
def request_withdraw(*, by: User, request: ApprovalRequest) -> ApprovalRequest:
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if by.pk != request.requested_by_id:
        raise PermissionDenied(_("Only the requester can withdraw a request."))
    if not request.is_pending:
        raise ValidationError(
            _("This request is already %(state)s.") % {"state": request.get_state_display()}
        )
    request.state = RequestState.WITHDRAWN
    request.save(update_fields=["state"])
    _audit_state(request, by, RequestState.PENDING)
    _timeline(
        request,
        TranslatableText(
            gettext_lazy("Request withdrawn: %(kind)s"), {"kind": RequestKind(request.kind).label}
        ),
        by,
    )
    return request


def requests_expire(*, now=None) -> int:
    """The periodic rule: pending requests past their expiry become expired, and their requesters
    are told; those still waiting are routed to the admins if nobody else can approve them."""
    now = now or timezone.now()
    expired = 0
    due = ApprovalRequest.objects.filter(state=RequestState.PENDING, expires_at__lte=now)
    for request in due.select_related("customer", "requested_by"):
        with transaction.atomic():
            if ApprovalRequest.objects.filter(pk=request.pk, state=RequestState.PENDING).update(
                state=RequestState.EXPIRED
            ):
                request.state = RequestState.EXPIRED
                _audit_state(request, None, RequestState.PENDING, "expired")
                _notify_requester(
                    request,
                    _("Your request expired undecided: %(kind)s for %(customer)s"),
                    "expired",
                )
                expired += 1
    waiting = ApprovalRequest.objects.filter(
        state=RequestState.PENDING, routed_to_admins=False, expires_at__gt=now
    )
    for request in waiting.select_related("customer__owner", "requested_by"):
        request_route(request=request, now=now)
    return expired
