"""The SLA watch: recompute the clock of each case that is due a look (``Case.sla_check_at``:
one that changed since, or whose clock can have crossed a level by now), warn its owner at 50%
and 75% of the resolution time (and when the first response is late), escalate at breach to the
owner's manager with a task (on their agenda) and an email, and schedule its next look. Each
alert is claimed once by a unique row, so a run repeated, or two workers, send once."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tend.accounts.models import Role, User
from tend.orders.services.mail import send_after_commit

from .. import sla
from ..models import OPEN_STATUSES, Case, CaseEvent, EventKind, SlaAlert
from . import clock

WARN_LEVELS = (50, 75)
BREACH = 100


def manager_of(person: User) -> User | None:
    """Whom a case escalates to: the manager of the owner's team (not the owner), else an
    admin."""
    if person.team_id:
        manager = (
            User.objects.filter(team_id=person.team_id, role=Role.MANAGER, is_active=True)
            .exclude(pk=person.pk)
            .order_by("pk")
            .first()
        )
        if manager is not None:
            return manager
    return (
        User.objects.filter(role=Role.ADMIN, is_active=True)
        .exclude(pk=person.pk)
        .order_by("pk")
        .first()
    )


def _claim(case: Case, clock: str, level: int, now: datetime) -> bool:
    try:
        with transaction.atomic():
            SlaAlert.objects.create(case=case, clock=clock, level=level, at=now)
    except IntegrityError:
        return False
    return True


def _mail(person: User, subject: str, body: str, key: str) -> None:
    if person.email:
        send_after_commit(
            to=person.email,
            subject=subject[:200],
            body=f"{body}\n\n{settings.TEND_BASE_URL}",
            key=key,
        )


def _warn(case: Case, level: int, now: datetime, clock: str) -> None:
    from tend.approvals.models import Notification

    if clock == "response":
        text = _("Case #%(case)s at %(customer)s: the first response is late") % {
            "case": case.pk,
            "customer": case.customer.name,
        }
    else:
        text = _("Case #%(case)s at %(customer)s has used %(level)s%% of its resolution time") % {
            "case": case.pk,
            "customer": case.customer.name,
            "level": level,
        }
    Notification.objects.create(user=case.owner, text=text[:300], url=case.get_absolute_url())
    _mail(case.owner, text, text, f"case:{case.pk}:{clock}:{level}")
    CaseEvent.objects.create(
        case=case, kind=EventKind.WARNING, at=now, text=text, data={"clock": clock, "level": level}
    )


def _escalate(case: Case, now: datetime) -> None:
    from tend.tasks.models import TaskKind
    from tend.tasks.services import create_task

    manager = manager_of(case.owner)
    if manager is None:
        return
    text = _("Case #%(case)s at %(customer)s (owner %(owner)s) is past its resolution time") % {
        "case": case.pk,
        "customer": case.customer.name,
        "owner": case.owner,
    }
    create_task(
        customer=case.customer,
        assignee=manager,
        kind=TaskKind.REVIEW,
        title=text[:200],
        due_at=now + timedelta(hours=4),
        origin="case_sla",
        dedupe_key=f"case:{case.pk}:breach",
        detail=case.title,
    )
    Case.objects.filter(pk=case.pk).update(escalated_to=manager, escalated_at=now)
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.ESCALATION,
        at=now,
        to_owner=manager,
        text=text,
        data={"to": manager.pk},
    )
    _mail(manager, text, f"{text}\n{case.title}", f"case:{case.pk}:escalation")


def case_sla_check(*, case: Case, now: datetime) -> list[str]:
    """Recompute one case and send what is due; returns what was sent."""
    sent = []
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("customer", "owner")
            .get(pk=case.pk)
        )
        if case.status not in OPEN_STATUSES:
            Case.objects.filter(pk=case.pk).update(sla_check_at=None)
            return sent
        result = sla.apply_clock(case, now=now)
        case.sla_check_at = sla.next_check_at(case, result, now=now)
        case.save(update_fields=sla.SLA_FIELDS)
        if case.sla_response_met is False and _claim(case, "response", BREACH, now):
            _warn(case, BREACH, now, "response")
            sent.append("response")
        # Levels reached are each claimed once; a case that jumped past two warns once.
        claimed = [
            level
            for level in WARN_LEVELS
            if case.sla_used_pct >= level and _claim(case, "resolution", level, now)
        ]
        if claimed and case.sla_used_pct < BREACH:
            _warn(case, claimed[-1], now, "resolution")
            sent.append(f"warn{claimed[-1]}")
        breached = case.sla_used_pct >= BREACH and case.sla_breached_at is not None
        if breached and _claim(case, "resolution", BREACH, now):
            _escalate(case, now)
            sent.append("escalated")
    return sent


def cases_sla_check(*, now: datetime | None = None) -> int:
    """The periodic job: the cases due a look, not every open case (its cost follows what
    changed and what is crossing a level, not the size of the book); returns how many alerts
    went out."""
    now = now or clock.now()
    count = 0
    ids = list(
        Case.objects.filter(sla_check_at__lte=now)
        .order_by("sla_check_at")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        count += len(case_sla_check(case=Case(pk=pk), now=now))
    return count
