"""Writes for engagement: interactions, inquiries answered, promises made and closed, and the
periodic rules (broken promises, pool returns)."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tend.accounts.models import User
from tend.agenda.local import customer_holidays, customer_weekend
from tend.core.i18n import TranslatableText
from tend.customers.models import Contact, Customer, OwnershipMove
from tend.customers.services.ownership import (
    OWNER_FIELDS,
    ownership_audit,
    ownership_record,
    set_owner,
)
from tend.timeline.services import timeline_add

from . import titles, workhours
from .models import Channel, Direction, Interaction, Promise, PromiseKind, PromiseOutcome
from .timeline_kinds import INTERACTION, PROMISE


def customer_clock(*, time_zone: str, country: str) -> dict:
    """The customer's clock, as keyword arguments of the ``workhours`` functions: their zone,
    the working day's hours, their working week and their country's public holidays."""
    return {
        "tz": time_zone or "UTC",
        "day_start": settings.TEND_WORKDAY_START,
        "day_end": settings.TEND_WORKDAY_END,
        "weekend": customer_weekend(country),
        "holidays": customer_holidays(country),
    }


def customer_working_hours(*, time_zone: str, country: str, start: datetime, end: datetime):
    """Working hours from ``start`` to ``end`` on the customer's clock: their zone, their
    working week and their public holidays, whoever answered and wherever they sit (time is the
    customer's). The one definition of an inquiry's response time, for one logged by hand and
    captured mail alike, and of an open inquiry's wait so far."""
    return workhours.working_hours_between(
        start, end, **customer_clock(time_zone=time_zone, country=country)
    )


def inquiry_response_hours(*, customer: Customer, asked_at: datetime, answered_at: datetime):
    """An inquiry's response time, as stored (``Interaction.response_hours``)."""
    hours = customer_working_hours(
        time_zone=customer.time_zone, country=customer.country, start=asked_at, end=answered_at
    )
    return Decimal(str(hours))


def inquiries_response_recount(*, chunk: int = 5000) -> int:
    """Count every answered inquiry's stored response time again by the definition above, and
    save those that differ: for a book whose times were counted before public holidays were
    days off. Read and written a chunk at a time, in id order; safe to run twice. Returns how
    many changed."""
    changed = 0
    last = 0
    answered = Interaction.objects.filter(needs_answer=True, answered_at__isnull=False)
    fields = ("pk", "at", "answered_at", "response_hours", "customer__time_zone")
    while True:
        rows = list(
            answered.filter(pk__gt=last)
            .order_by("pk")
            .values_list(*fields, "customer__country")[:chunk]
        )
        if not rows:
            return changed
        last = rows[-1][0]
        stale = []
        for pk, asked_at, answered_at, stored, zone, country in rows:
            counted = customer_working_hours(
                time_zone=zone, country=country, start=asked_at, end=answered_at
            )
            hours = Decimal(str(counted))
            if hours != stored:
                stale.append(Interaction(pk=pk, response_hours=hours))
        Interaction.objects.bulk_update(stale, ["response_hours"])
        changed += len(stale)


def _aware(moment: datetime | None) -> datetime | None:
    """A naive time is read in the current (the person's) time zone."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _validate_choice(value: str, choices, field: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: _("“%(value)s” is not a valid choice.") % {"value": value}})


def _interaction_title(interaction: Interaction) -> TranslatableText:
    return titles.interaction_title(
        channel=interaction.channel,
        direction=interaction.direction,
        subject=interaction.subject,
        needs_answer=interaction.needs_answer,
    )


@transaction.atomic
def interaction_log(
    *,
    by: User,
    customer: Customer,
    channel: str,
    direction: str,
    at: datetime | None = None,
    subject: str = "",
    summary: str = "",
    contacts: list[Contact] = (),
    people: list[User] = (),
    needs_answer: bool = False,
    promise: dict | None = None,
) -> Interaction:
    """Record an interaction on the customer's timeline. An outbound one answers the customer's
    open inquiries and restarts the touch cadence; ``promise`` (kind, due_at, description,
    contact) records a promise made in the same conversation."""
    _validate_choice(channel, Channel, "channel")
    _validate_choice(direction, Direction, "direction")
    at = _aware(at) or timezone.now()
    if at > timezone.now() + settings.TEND_FUTURE_TOLERANCE:
        raise ValidationError({"at": _("An interaction cannot be in the future.")})
    if needs_answer and direction != Direction.INBOUND:
        raise ValidationError({"needs_answer": _("Only an inbound message can need an answer.")})
    for contact in contacts:
        if contact.customer_id != customer.pk:
            raise ValidationError(
                {"contacts": _("%(name)s is not a contact of this customer.") % {"name": contact}}
            )
    interaction = Interaction.objects.create(
        customer=customer,
        channel=channel,
        direction=direction,
        at=at,
        subject=subject.strip()[:200],
        summary=summary.strip(),
        logged_by=by,
        needs_answer=needs_answer,
    )
    if contacts:
        interaction.contacts.set(contacts)
    interaction.people.set({by, *people})
    timeline_add(
        customer_id=customer.pk,
        kind=INTERACTION,
        title=_interaction_title(interaction),
        actor=by,
        at=at,
        body=interaction.summary,
        data={"channel": channel, "direction": direction, "needs_answer": needs_answer},
        source=interaction,
    )
    if direction == Direction.OUTBOUND:
        _answer_open_inquiries(interaction, by)
        _touched(customer, at)
    if promise:
        promise_make(by=by, customer=customer, interaction=interaction, **promise)
    return interaction


def _answer_open_inquiries(answer: Interaction, by: User) -> None:
    open_inquiries = Interaction.objects.open_inquiries().filter(
        customer_id=answer.customer_id, at__lte=answer.at
    )
    customer = answer.customer
    for inquiry in open_inquiries.select_for_update():
        inquiry.answered_by = answer
        inquiry.answered_at = answer.at
        inquiry.responder = by
        inquiry.response_hours = inquiry_response_hours(
            customer=customer, asked_at=inquiry.at, answered_at=answer.at
        )
        inquiry.save(update_fields=["answered_by", "answered_at", "responder", "response_hours"])


def _touched(customer: Customer, at: datetime) -> None:
    customer = Customer.objects.select_for_update(of=("self",)).get(pk=customer.pk)
    if customer.last_outbound_at is None or at > customer.last_outbound_at:
        customer.last_outbound_at = at
        customer.refresh_touch_dates()
        customer.save(update_fields=["last_outbound_at", "touch_due_at", "pool_return_at"])


@transaction.atomic
def promise_make(
    *,
    by: User,
    customer: Customer,
    kind: str,
    due_at: datetime,
    description: str = "",
    contact: Contact | None = None,
    interaction: Interaction | None = None,
    made_at: datetime | None = None,
) -> Promise:
    _validate_choice(kind, PromiseKind, "kind")
    due_at, made_at = _aware(due_at), _aware(made_at)
    made_at = made_at or (interaction.at if interaction else timezone.now())
    if due_at is None:
        raise ValidationError({"due_at": _("A promise needs a due date.")})
    if due_at < made_at:
        raise ValidationError({"due_at": _("The due date is before the promise was made.")})
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError(
            {"contact": _("%(name)s is not a contact of this customer.") % {"name": contact}}
        )
    promise = Promise.objects.create(
        customer=customer,
        contact=contact,
        kind=kind,
        description=description.strip()[:300],
        made_by=by,
        made_at=made_at,
        due_at=due_at,
        interaction=interaction,
    )
    timeline_add(
        customer_id=customer.pk,
        kind=PROMISE,
        title=TranslatableText(
            titles.PROMISE_MADE,
            {"what": promise, "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")},
        ),
        actor=by,
        at=made_at,
        data={"outcome": "open", "kind": kind},
        source=promise,
    )
    return promise


def _promise_closed_entry(promise: Promise, actor: User | None) -> None:
    timeline_add(
        customer_id=promise.customer_id,
        kind=PROMISE,
        title=TranslatableText(titles.PROMISE_CLOSED[promise.outcome], {"what": promise}),
        actor=actor,
        at=promise.outcome_at,
        body=promise.outcome_reason,
        data={"outcome": promise.outcome, "automatic": promise.broken_automatically},
        source=promise,
    )


@transaction.atomic
def promise_close(
    *, by: User, promise: Promise, done: bool, reason: str = "", at: datetime | None = None
) -> Promise:
    """Close an open promise: done (kept, or kept late when after its due time) or withdrawn
    (a reason is required)."""
    promise = Promise.objects.select_for_update().get(pk=promise.pk)
    if not promise.is_open:
        raise ValidationError(
            _("This promise is already closed (%(outcome)s).")
            % {"outcome": promise.get_outcome_display()}
        )
    at = at or timezone.now()
    reason = " ".join(reason.split())
    if done:
        promise.outcome = PromiseOutcome.KEPT if at <= promise.due_at else PromiseOutcome.KEPT_LATE
    else:
        if not reason:
            raise ValidationError({"reason": _("Say why the promise is withdrawn.")})
        promise.outcome = PromiseOutcome.WITHDRAWN
    promise.outcome_at = at
    promise.outcome_reason = reason
    promise.closed_by = by
    promise.save(update_fields=["outcome", "outcome_at", "outcome_reason", "closed_by"])
    _promise_closed_entry(promise, by)
    return promise


def promise_break_deadline(promise: Promise) -> datetime:
    """When an open promise counts as broken: its due time plus the grace in working days of
    the person who made it. Their weekend only, not public holidays: the grace is the
    promiser's, and a person has a zone but no country to read holidays from (a customer's
    country says nothing about where our rep sits)."""
    return workhours.add_working_days(
        promise.due_at,
        settings.TEND_PROMISE_GRACE_WORKING_DAYS,
        tz=promise.made_by.time_zone or "UTC",
        weekend=settings.TEND_WEEKEND_DAYS,
    )


def promises_break_overdue(*, now: datetime | None = None) -> int:
    """The periodic rule: open promises past due plus grace become broken, each with a timeline
    entry. Safe to run twice or in two workers: each promise is claimed by a conditional update."""
    now = now or timezone.now()
    broken = 0
    # Grace is at most a few calendar days; only candidates older than due are looked at.
    candidates = Promise.objects.open().filter(due_at__lt=now).select_related("made_by")
    for promise in candidates.iterator(chunk_size=500):
        deadline = promise_break_deadline(promise)
        if deadline > now:
            continue
        with transaction.atomic():
            claimed = Promise.objects.filter(pk=promise.pk, outcome=PromiseOutcome.OPEN).update(
                outcome=PromiseOutcome.BROKEN, outcome_at=deadline, broken_automatically=True
            )
            if claimed:
                promise.outcome, promise.outcome_at = PromiseOutcome.BROKEN, deadline
                promise.broken_automatically = True
                _promise_closed_entry(promise, None)
                broken += 1
    return broken


def customers_return_to_pool(*, now: datetime | None = None) -> int:
    """The periodic rule: owned customers left without an outbound touch past their pool-return
    date go back to the pool, recorded in the audit log and on the timeline."""
    now = now or timezone.now()
    returned = 0
    due = Customer.objects.filter(owner__isnull=False, pool_return_at__lte=now)
    for pk in due.values_list("pk", flat=True).iterator(chunk_size=1000):
        with transaction.atomic():
            customer = (
                Customer.objects.select_for_update(of=("self",))
                .select_related("owner", "backup_owner")
                .filter(pk=pk, owner__isnull=False, pool_return_at__lte=now)
                .first()
            )
            if customer is None:
                continue
            previous = customer.owner
            days = customer.pool_return_days
            set_owner(customer, None)
            customer.save(update_fields=OWNER_FIELDS)
            ownership_audit(
                by=None,
                customer=customer,
                before_owner=previous,
                before_backup=customer.backup_owner,
            )
            ownership_record(
                customer=customer,
                role="owner",
                from_user=previous,
                to_user=None,
                by=None,
                move=OwnershipMove.POOL_RETURN,
                reason=_("no outbound touch for %(days)s days") % {"days": days},
            )
            returned += 1
    return returned
