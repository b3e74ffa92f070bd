"""Four-eyes approvals: request a guarded change, decide it, apply it exactly once.

A guarded change (prices and discounts, a confirmed order's terms, refunds and credits, special
accommodations, payment terms and credit limits) is applied only here, by approving its request,
inside one transaction that first checks the target has not changed since the request was made.
"""

from datetime import timedelta
from decimal import Decimal
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
from tend.core.guard import approval_applying
from tend.core.i18n import TranslatableText
from tend.customers.models import Customer
from tend.orders.models import Order
from tend.orders.services.mail import send_after_commit
from tend.timeline.services import timeline_add

from . import changes, routing
from .changes import policy_requirements
from .models import (
    ApprovalDecision,
    ApprovalRequest,
    Decision,
    Notification,
    RequestKind,
    RequestState,
)
from .selectors import approvers_eligible, may_approve
from .timeline_kinds import APPROVAL

CENT = Decimal("0.01")


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
    baseline, amount_base, measure = changes.prepare(kind, customer, order, proposed)
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
            gettext_lazy("%(who)s asked: %(kind)s (%(about)s)"),
            {"who": by, "kind": RequestKind(request.kind).label, "about": request.about},
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
    if changes.current_baseline(request) != request.baseline:
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
        changes.apply_change(request)
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
            gettext_lazy("Approved and applied: %(kind)s (%(about)s)"),
            {"kind": RequestKind(request.kind).label, "about": request.about},
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
