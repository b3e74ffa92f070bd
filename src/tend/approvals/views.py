"""Approval pages: ask for a guarded change, the queue of requests waiting for me, a request
with what it changes and, for its approvers, what the customer has already been granted."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tend.core.redirects import redirect_back
from tend.customers.selectors import customer_get_for_user
from tend.orders.models import OrderStatus, Product
from tend.orders.selectors import order_get_for_user

from . import selectors, services
from .forms import CUSTOMER_KINDS, ORDER_KINDS, DecideForm, RequestForm
from .models import ApprovalRequest, Notification, RequestKind, RequestState

# --- The proposed change in plain words ---


@dataclass(frozen=True)
class Change:
    what: str
    old: str
    new: str


HEADER_LABELS = {
    "promised_ship_date": gettext_lazy("Promised ship date"),
    "payment_terms": gettext_lazy("Payment terms"),
    "incoterm": gettext_lazy("Incoterm"),
}
LINE_WORDS = {
    "quantity": gettext_lazy("quantity"),
    "unit_price": gettext_lazy("unit price"),
    "discount_pct": gettext_lazy("discount"),
}


def _number(value: Any, min_places: int = 0) -> str:
    """A stored decimal string for reading: no trailing zeros beyond ``min_places``."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    whole, _dot, fraction = format(number.normalize(), "f").partition(".")
    fraction = fraction.ljust(min_places, "0")
    return f"{whole}.{fraction}" if fraction else whole


def _line_value(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if name == "discount_pct":
        return f"{_number(value)}%"
    return _number(value, 2 if name == "unit_price" else 0)


def _plain(value: Any) -> str:
    return "—" if value in (None, "", "None") else str(value)


def change_lines(approval: ApprovalRequest) -> list[Change]:
    """What the request changes, field by field: the value when it was asked (its baseline) and
    the value proposed."""
    proposed, baseline = approval.proposed or {}, approval.baseline or {}
    base = settings.TEND_BASE_CURRENCY
    if approval.kind in ORDER_KINDS:
        changes = [
            Change(str(label), _plain(baseline.get(field)), _plain(proposed[field]))
            for field, label in HEADER_LABELS.items()
            if field in proposed
        ]
        if "status" in proposed:
            statuses = dict(OrderStatus.choices)
            changes.append(
                Change(
                    str(_("Status")),
                    str(statuses.get(baseline.get("status"), "—")),
                    str(statuses.get(proposed["status"], proposed["status"])),
                )
            )
        old_lines = baseline.get("lines") or {}
        product_ids = [line.get("product_id") for line in old_lines.values()]
        products = Product.objects.in_bulk([int(pk) for pk in product_ids if pk])
        for line_id, new in (proposed.get("lines") or {}).items():
            old = old_lines.get(str(line_id), {})
            product = products.get(int(old["product_id"])) if old.get("product_id") else None
            if product:
                name = f"{product.sku} {product.name}"
            else:
                name = _("line %(id)s") % {"id": line_id}
            for field, value in new.items():
                changes.append(
                    Change(
                        f"{name}: {LINE_WORDS.get(field, field)}",
                        _line_value(field, old.get(field)),
                        _line_value(field, value),
                    )
                )
        return changes
    if approval.kind == RequestKind.REFUND:
        what = _("Credit note") if proposed.get("kind") == "credit_note" else _("Refund")
        currency = proposed.get("currency") or (
            approval.order.currency if approval.order_id else approval.customer.currency
        )
        if approval.order_id:
            what = _("%(what)s on order %(number)s") % {
                "what": what,
                "number": approval.order.number,
            }
        return [Change(str(what), "—", f"{_number(proposed.get('amount'), 2)} {currency}")]
    if approval.kind == RequestKind.ACCOMMODATION:
        currency = proposed.get("currency") or approval.customer.currency
        return [
            Change(_("Accommodation"), "—", str(proposed.get("description", ""))),
            Change(_("Worth"), "—", f"{_number(proposed.get('value', 0), 2)} {currency}"),
        ]
    if approval.kind == RequestKind.CREDIT_TERMS:
        changes = []
        if "payment_terms" in proposed:
            changes.append(
                Change(
                    _("Payment terms"),
                    _plain(baseline.get("payment_terms")),
                    _plain(proposed["payment_terms"]),
                )
            )
        if "credit_limit" in proposed:

            def limit(value):
                return _("no limit") if value is None else f"{_number(value, 2)} {base}"

            changes.append(
                Change(
                    _("Credit limit"),
                    limit(baseline.get("credit_limit")),
                    limit(proposed["credit_limit"]),
                )
            )
        return changes
    if approval.kind == RequestKind.CHANNEL_ACTION:
        from tend.market.models import ChannelAction

        action = proposed.get("action")
        label = ChannelAction(action).label if action in ChannelAction.values else str(action)
        return [
            Change(_("Action against the dealer"), "—", str(label)),
            Change(_("Transshipment alert"), "—", f"#{proposed.get('alert')}"),
            Change(_("Sale classified as"), "—", str(baseline.get("sale_kind") or "—")),
        ]
    return [Change(key, "—", str(value)) for key, value in proposed.items()]


# --- What an approver sees about the customer ---


@dataclass
class CustomerRecord:
    value_12m: Decimal | None
    concessions: list[ApprovalRequest]
    concessions_total: Decimal
    refused: int  # the customer's requests rejected or withdrawn
    complaints: dict  # cases.selectors.complaint_history: totals, by category, latest


def customer_record(customer_id: int) -> CustomerRecord:
    """The customer's value, every concession granted (and their total), and how many requests
    for them were turned down or dropped, and the complaint history (service cases) beside
    them. There are no cost records yet: margin is said to be unknown, never guessed."""
    from tend.cases.selectors import complaint_history

    concessions = list(selectors.customer_concessions(customer_id=customer_id))
    total = sum(
        (request.amount_base for request in concessions if request.has_amount), Decimal("0")
    )
    refused = ApprovalRequest.objects.filter(
        customer_id=customer_id, state__in=[RequestState.REJECTED, RequestState.WITHDRAWN]
    ).count()
    value = selectors.customer_value_12m(customer_id=customer_id)
    return CustomerRecord(
        value_12m=None if value is None else Decimal(value).quantize(Decimal("0.01")),
        concessions=concessions,
        concessions_total=total,
        refused=refused,
        complaints=complaint_history(customer_id=customer_id),
    )


# --- Pages ---


def _kinds(order) -> list[tuple[str, str]]:
    kinds = (ORDER_KINDS + CUSTOMER_KINDS) if order else CUSTOMER_KINDS
    return [(kind.value, kind.label) for kind in kinds]


def _request_form(request, *, customer, order=None):
    kinds = _kinds(order)
    kind = request.POST.get("kind") or request.GET.get("kind") or kinds[0][0]
    if kind not in dict(kinds):
        kind = kinds[0][0]
    form = RequestForm(request.POST or None, kind=kind, customer=customer, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            approval = services.request_create(
                by=request.user,
                kind=kind,
                customer=customer,
                order=form.target_order(),
                reason=form.cleaned_data["reason"],
                proposed=form.proposed(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if approval.state == RequestState.APPLIED:
                messages.success(request, _("Within policy: applied at once, no approval needed."))
            elif approval.routed_to_admins:
                messages.warning(request, approval.routing_note)
            else:
                messages.success(request, _("Request sent for approval."))
            return redirect(approval)
    open_orders = [] if order else customer.orders.open().order_by("-order_date", "-pk")[:20]
    return render(
        request,
        "approvals/request_form.html",
        {
            "form": form,
            "customer": customer,
            "order": order,
            "kind": kind,
            "kind_label": RequestKind(kind).label,
            "kinds": kinds,
            "open_orders": open_orders,
        },
    )


@login_required
def request_new_for_customer(request, pk: int):
    customer = customer_get_for_user(user=request.user, pk=pk)
    return _request_form(request, customer=customer)


@login_required
def request_new_for_order(request, pk: int):
    order = order_get_for_user(user=request.user, pk=pk)
    return _request_form(request, customer=order.customer, order=order)


def _detail(request, approval: ApprovalRequest, *, decide_form=None, status: int = 200):
    user = request.user
    approval = services.request_route(request=approval)
    is_approver = selectors.may_approve(user=user, request=approval)
    decisions = list(approval.decisions.select_related("by"))
    decided = any(decision.by_id == user.pk for decision in decisions)
    return render(
        request,
        "approvals/detail.html",
        {
            "approval": approval,
            "changes": change_lines(approval),
            "decisions": decisions,
            "base_currency": settings.TEND_BASE_CURRENCY,
            "is_approver": is_approver,
            "can_decide": is_approver and approval.is_pending and not decided,
            "can_withdraw": approval.is_pending and approval.requested_by_id == user.pk,
            "decide_form": decide_form or DecideForm(),
            "record": customer_record(approval.customer_id) if is_approver else None,
            "waiting_on": selectors.approvers_eligible(approval) if approval.is_pending else [],
        },
        status=status,
    )


@login_required
def request_detail(request, pk: int):
    approval = selectors.request_get_for_user(user=request.user, pk=pk)
    return _detail(request, approval)


@login_required
@require_POST
def request_decide(request, pk: int):
    approval = selectors.request_get_for_user(user=request.user, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _detail(request, approval, decide_form=form)
    try:
        approval = services.request_decide(
            by=request.user,
            request=approval,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not decide this request."))
        return _detail(request, approval, status=403)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "comment" in exc.error_dict:
            for message in exc.message_dict["comment"]:
                form.add_error("comment", message)
            return _detail(request, approval, decide_form=form)
        messages.error(request, " ".join(exc.messages))
        return redirect(approval)
    if approval.state == RequestState.APPLIED:
        messages.success(request, _("Approved and applied."))
    elif approval.state == RequestState.STALE:
        messages.warning(request, approval.state_note)
    elif approval.state == RequestState.REJECTED:
        messages.success(request, _("Rejected; the requester is told why."))
    else:
        messages.success(request, _("Approved; it still needs another approver."))
    return redirect(approval)


@login_required
@require_POST
def request_withdraw(request, pk: int):
    approval = selectors.request_get_for_user(user=request.user, pk=pk)
    try:
        services.request_withdraw(by=request.user, request=approval)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _detail(request, approval, status=403)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect(approval)


@login_required
def queue(request):
    """Waiting for me (oldest first), and my own requests (newest first)."""
    user = request.user
    mine = list(selectors.requests_mine(user=user)[:100])
    for approval in mine:
        approval.waiting_on = selectors.approvers_eligible(approval) if approval.is_pending else []
    return render(
        request,
        "approvals/queue.html",
        {
            "waiting": selectors.requests_waiting_for(user=user),
            "mine": mine,
            "may_decide": not user.is_rep,
            "base_currency": settings.TEND_BASE_CURRENCY,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one of my notifications read (someone else's: nothing happens)."""
    Notification.objects.filter(pk=pk, user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect_back(request, reverse("agenda:today"))


@login_required
@require_POST
def notifications_read_all(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect_back(request, reverse("agenda:today"))
