"""Writes for one case: open, respond, move status, hand off, correct, resolve, close, attach.
Each writes an event (the clock's source), recomputes the clock, and leaves the customer's
timeline and the audit log an entry."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.audit.models import AuditAction
from tend.audit.services import audit_record
from tend.core.i18n import TranslatableText
from tend.customers.models import Contact, Customer
from tend.orders.models import Order, OrderLine, Product
from tend.timeline.services import timeline_add

from .. import sla
from ..models import (
    TRANSITIONS,
    Case,
    CaseEvent,
    CaseLot,
    CaseStatus,
    Category,
    Channel,
    EventKind,
    Severity,
    handing_off,
)
from ..selectors import cases_visible_to, may_act
from ..timeline_kinds import CASE
from . import clock

TITLE_MAX = Case._meta.get_field("title").max_length
LOT_MAX = CaseLot._meta.get_field("lot").max_length
TEXT_MAX = 20_000
# How far back an event may be dated (a call logged late), and never in the future.
BACKDATE_LIMIT = timedelta(days=366)


def _text(value: str | None, field: str, *, required: str = "", most: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: required})
    if len(value) > most:
        raise ValidationError({field: _("Keep it under %(max)d characters.") % {"max": most}})
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise ValidationError({field: _("Control characters are not allowed.")})
    return value


def _moment(at: datetime | None, now: datetime, field: str = "at") -> datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + timedelta(minutes=5):
        raise ValidationError({field: _("This cannot be in the future.")})
    if at < now - BACKDATE_LIMIT:
        raise ValidationError({field: _("This is too far in the past (at most a year).")})
    return at


def _check_person(person: User | None, field: str) -> User:
    if person is None or not getattr(person, "pk", None):
        raise ValidationError({field: _("Say who.")})
    if not person.is_active:
        raise ValidationError({field: _("%(name)s is no longer active.") % {"name": person}})
    return person


def _check_may_act(case: Case, by: User) -> None:
    if not may_act(case=case, user=by):
        raise PermissionDenied(
            _("Only the case's owner, or a manager who can see it, may do this.")
        )


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("customer").get(pk=case.pk)


def _event(case: Case, kind: str, *, by: User | None, at: datetime, **fields) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=kind, at=at, recorded_at=clock.now(), actor=by, **fields
    )


def _recompute(case: Case, now: datetime | None = None) -> None:
    sla.apply_clock(case, now=now or clock.now())
    case.save(update_fields=sla.SLA_FIELDS)


def _timeline(case: Case, title, by: User | None, *, body: str = "", at=None, **data) -> None:
    timeline_add(
        customer_id=case.customer_id,
        kind=CASE,
        title=title,
        actor=by,
        at=at,
        body=body,
        data={"case": case.pk, "status": case.status, **data},
        source=case,
    )


def _audit(case: Case, by, action: str, before: dict, after: dict) -> None:
    audit_record(
        actor=by,
        action=action,
        instance=case,
        before=before,
        after=after,
        customer_id=case.customer_id,
    )


@transaction.atomic
def case_open(
    *,
    by: User,
    customer: Customer,
    title: str,
    description: str,
    category: str,
    severity: str,
    channel: str,
    raised_by: Contact | None = None,
    owner: User | None = None,
    orders: list[Order] | None = None,
    order_lines: list[OrderLine] | None = None,
    lots: list[tuple[Product, str]] | None = None,
    opened_at: datetime | None = None,
) -> Case:
    """Open a case on a customer the person can see. Its owner is the person opening it unless
    another is named; the SLA targets come from the customer's tier and the severity."""
    now = clock.now()
    if not Customer.objects.visible_to(by).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": _("You cannot see this customer.")})
    title = " ".join(
        _text(title, "title", required=_("Give the case a subject."), most=TITLE_MAX).split()
    )
    description = _text(description, "description", required=_("Describe the complaint."))
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    if severity not in Severity.values:
        raise ValidationError({"severity": _("Choose a severity.")})
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Say how the customer raised it.")})
    if raised_by is not None and raised_by.customer_id != customer.pk:
        raise ValidationError({"raised_by": _("That contact is not this customer's.")})
    owner = _check_person(owner or by, "owner")
    orders = list(orders or [])
    order_lines = list(order_lines or [])
    if any(order.customer_id != customer.pk for order in orders):
        raise ValidationError({"orders": _("Every order must be this customer's.")})
    if any(line.order.customer_id != customer.pk for line in order_lines):
        raise ValidationError({"order_lines": _("Every order line must be this customer's.")})
    lot_pairs: set[tuple[int, str]] = set()
    for line in order_lines:
        if line.batch_number:
            lot_pairs.add((line.product_id, line.batch_number))
    for product, code in lots or []:
        code = _text(code, "lots", required=_("A lot needs its code."), most=LOT_MAX)
        lot_pairs.add((product.pk, code))
    opened_at = _moment(opened_at, now, "opened_at")
    response, resolution = sla.targets(tier=customer.tier, severity=severity)
    case = Case.objects.create(
        customer=customer,
        title=title,
        description=description,
        category=category,
        severity=severity,
        channel=channel,
        raised_by=raised_by,
        owner=owner,
        opened_at=opened_at,
        created_by=by,
        sla_response_hours=response,
        sla_resolution_hours=resolution,
    )
    orders = {order.pk: order for order in orders}
    for line in order_lines:
        orders.setdefault(line.order_id, line.order)
    case.orders.set(list(orders))
    case.order_lines.set([line.pk for line in order_lines])
    CaseLot.objects.bulk_create(
        [CaseLot(case=case, product_id=p, lot=code) for p, code in sorted(lot_pairs)]
    )
    _event(
        case,
        EventKind.OPENED,
        by=by,
        at=opened_at,
        to_status=CaseStatus.NEW,
        to_owner=owner,
        text=description,
    )
    _recompute(case, now)
    _audit(
        case,
        by,
        AuditAction.CREATE,
        {},
        {
            "title": title,
            "category": category,
            "severity": severity,
            "owner": str(owner),
            "channel": channel,
        },
    )
    _timeline(
        case,
        TranslatableText(
            gettext_lazy("Case opened (%(category)s, %(severity)s): %(title)s — owner %(owner)s"),
            {
                "category": Category(category).label,
                "severity": Severity(severity).label,
                "title": title,
                "owner": owner,
            },
        ),
        by,
        body=description,
        at=opened_at,
    )
    return case


@transaction.atomic
def case_respond(*, case: Case, by: User, text: str, at: datetime | None = None) -> Case:
    """Record what we told the customer; the first one stops the first-response clock."""
    now = clock.now()
    text = _text(text, "text", required=_("Say what the customer was told."))
    case = _locked(case)
    _check_may_act(case, by)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    at = _moment(at, now)
    if at < case.opened_at:
        raise ValidationError({"at": _("A response cannot come before the case was opened.")})
    _event(case, EventKind.RESPONSE, by=by, at=at, text=text)
    _recompute(case, now)
    return case


def _set_status(case: Case, *, to: str, by: User | None, at: datetime, note: str = "") -> None:
    old = case.status
    if to not in CaseStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    if to == old:
        raise ValidationError(
            {"status": _("The case is already %(status)s.") % {"status": CaseStatus(to).label}}
        )
    if to not in TRANSITIONS[CaseStatus(old)]:
        raise ValidationError(
            {
                "status": _("A case cannot go from %(old)s to %(new)s.")
                % {"old": CaseStatus(old).label, "new": CaseStatus(to).label}
            }
        )
    case.status = to
    if to == CaseStatus.RESOLVED:
        case.resolved_at = at
    elif to == CaseStatus.CLOSED:
        case.closed_at = at
    elif old == CaseStatus.RESOLVED:
        case.resolved_at = None
    case.save(update_fields=["status", "resolved_at", "closed_at"])
    _event(case, EventKind.STATUS, by=by, at=at, from_status=old, to_status=to, text=note)
    _audit(case, by, AuditAction.UPDATE, {"status": old}, {"status": to})


@transaction.atomic
def case_set_status(
    *, case: Case, by: User, status: str, note: str = "", at: datetime | None = None
) -> Case:
    """Move a case along: in progress, waiting on the customer (pauses the clock, and counts as
    a response: we asked them something), back. Resolving and closing have their own
    services, which ask for what they need."""
    now = clock.now()
    note = _text(note, "note")
    if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        raise ValidationError(
            {
                "status": _(
                    "Resolve a case with its resolution, close it with root cause and the "
                    "customer's answer."
                )
            }
        )
    case = _locked(case)
    _check_may_act(case, by)
    at = _moment(at, now)
    if at < case.opened_at:
        raise ValidationError({"at": _("This cannot come before the case was opened.")})
    if status == CaseStatus.WAITING_CUSTOMER and not note:
        raise ValidationError({"note": _("Say what we are waiting for from the customer.")})
    _set_status(case, to=status, by=by, at=at, note=note)
    if status == CaseStatus.WAITING_CUSTOMER and case.first_response_at is None:
        _event(case, EventKind.RESPONSE, by=by, at=at, text=note)
    _recompute(case, now)
    return case


def _hand_off(case: Case, *, to: User, by: User | None, reason: str, at: datetime) -> None:
    """Inside a transaction with the case locked: the one place a case changes owner."""
    previous = case.owner
    held_before = case.events.filter(
        kind__in=[EventKind.OPENED, EventKind.HANDOFF], to_owner=to
    ).exists()
    with handing_off():
        Case.objects.filter(pk=case.pk).update(
            owner=to,
            handoffs=F("handoffs") + 1,
            handbacks=F("handbacks") + (1 if held_before else 0),
        )
    case.refresh_from_db(fields=["owner", "handoffs", "handbacks"])
    case._loaded_owner_id = case.owner_id
    data = {
        "back": held_before,
        "from_team": previous.team.name if previous.team_id else "",
        "to_team": to.team.name if to.team_id else "",
    }
    _event(
        case,
        EventKind.HANDOFF,
        by=by,
        at=at,
        from_owner=previous,
        to_owner=to,
        text=reason,
        data=data,
    )
    _audit(case, by, AuditAction.UPDATE, {"owner": str(previous)}, {"owner": str(to)})
    title = (
        gettext_lazy("Case #%(case)s passed back from %(from)s to %(to)s (hand-off %(n)s): %(why)s")
        if held_before
        else gettext_lazy("Case #%(case)s handed from %(from)s to %(to)s (hand-off %(n)s): %(why)s")
    )
    _timeline(
        case,
        TranslatableText(
            title,
            {"case": case.pk, "from": previous, "to": to, "n": case.handoffs, "why": reason},
        ),
        by,
        at=at,
        from_owner=previous.pk,
        to_owner=to.pk,
    )


@transaction.atomic
def case_hand_off(
    *, case: Case, to: User, by: User | None, reason: str, at: datetime | None = None
) -> Case:
    """Give the case to another accountable owner, saying why. ``by`` None is the system
    (a handover when someone leaves)."""
    now = clock.now()
    reason = _text(reason, "reason", required=_("Say why the case changes hands."), most=500)
    _check_person(to, "to")
    case = _locked(case)
    if by is not None:
        _check_may_act(case, by)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    if case.owner_id == to.pk:
        raise ValidationError({"to": _("%(name)s already owns this case.") % {"name": to}})
    at = _moment(at, now)
    _hand_off(case, to=to, by=by, reason=reason, at=max(at, case.opened_at))
    _recompute(case, now)
    return case


@transaction.atomic
def case_correct(
    *,
    case: Case,
    by: User,
    event: CaseEvent,
    at: datetime | None = None,
    void: bool = False,
    reason: str,
) -> Case:
    """Correct when something happened (or strike it out): a response logged late, a status
    set by mistake. The history keeps both; the clock is computed again."""
    now = clock.now()
    reason = _text(reason, "reason", required=_("Say what is being corrected and why."), most=500)
    case = _locked(case)
    _check_may_act(case, by)
    if event.case_id != case.pk:
        raise ValidationError({"event": _("That event is not on this case.")})
    if event.kind not in (EventKind.RESPONSE, EventKind.STATUS, EventKind.OPENED):
        raise ValidationError(
            {"event": _("Only the opening, responses and status changes can be corrected.")}
        )
    if void and event.kind == EventKind.OPENED:
        raise ValidationError({"event": _("The opening cannot be struck out.")})
    if not void:
        at = _moment(at, now)
    _event(
        case,
        EventKind.CORRECTION,
        by=by,
        at=at or event.at,
        corrects=event,
        text=reason,
        data={"void": bool(void), "was": event.at.isoformat()},
    )
    _recompute(case, now)
    return case


@transaction.atomic
def case_note(*, case: Case, by: User, text: str) -> CaseEvent:
    text = _text(text, "text", required=_("Write the note."))
    case = _locked(case)
    if not cases_visible_to(user=by).filter(pk=case.pk).exists():
        raise PermissionDenied(_("You cannot see this case."))
    return _event(case, EventKind.NOTE, by=by, at=clock.now(), text=text)
