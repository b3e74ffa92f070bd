"""Reads for engagement: what is due, what is open, and how reliable each rep is."""

import statistics
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Case, Count, DateTimeField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from tend.accounts.models import User
from tend.customers.models import Customer
from tend.customers.selectors import customers_visible_to

from . import workhours
from .models import Interaction, Promise, PromiseOutcome
from .services import customer_clock


def promise_get_for_user(*, user: User, pk: int) -> Promise:
    try:
        return Promise.objects.select_related("customer", "made_by").get(
            pk=pk, customer__in=customers_visible_to(user=user)
        )
    except (Promise.DoesNotExist, ValueError, TypeError):
        raise Http404("No such promise.") from None


def interaction_get_for_user(*, user: User, pk: int) -> Interaction:
    try:
        return Interaction.objects.select_related("customer").get(
            pk=pk, customer__in=customers_visible_to(user=user)
        )
    except (Interaction.DoesNotExist, ValueError, TypeError):
        raise Http404("No such interaction.") from None


def clock_cutoffs(
    clocks: Iterable[tuple[str, str]], *, hours: float, now: datetime
) -> dict[tuple[str, str], datetime]:
    """For each customer clock (time zone, country): the latest arrival that has waited at
    least ``hours`` working hours by ``now`` on that clock (its zone, working week and public
    holidays), as an inquiry's response time and waiting hours count them."""
    return {
        (zone, country): workhours.subtract_working_hours(
            now, hours, **customer_clock(time_zone=zone_name(zone), country=country)
        )
        for zone, country in clocks
    }


def inquiries_waited(queryset: QuerySet[Interaction], *, hours: float, now: datetime) -> Q:
    """Of ``queryset``'s inquiries, those that have waited at least ``hours`` working hours on
    their customer's clock (``clock_cutoffs`` of the clocks among them: one query). With
    ``inquiries_waiting_ids``, the one definition for Today's alert and the API's
    ``older_than_hours``."""
    clocks = queryset.order_by().values_list("customer__time_zone", "customer__country")
    countries: dict[tuple[str, datetime], set[str]] = defaultdict(set)
    for (zone, country), cutoff in clock_cutoffs(clocks.distinct(), hours=hours, now=now).items():
        countries[(zone, cutoff)].add(country)
    if not countries:
        return Q(pk__in=[])
    # One comparison with the inquiry's cutoff, picked by its clock (none: NULL, not waited),
    # not one OR branch per clock: PostgreSQL planned each branch for its indexes, 8-10 ms
    # of planning per query for a rep's 37 clocks on the 100k book (each ran in 0.3 ms).
    cutoff = Case(
        *(
            When(Q(customer__time_zone=zone, customer__country__in=among), then=Value(cutoff))
            for (zone, cutoff), among in countries.items()
        ),
        output_field=DateTimeField(),
    )
    return Q(at__lte=cutoff)


def zone_name(name: str | None) -> str:
    """A stored time zone name, or UTC when it is empty or unknown to this machine."""
    try:
        zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name or "UTC"


def promises_due(*, user: User, until: datetime) -> QuerySet[Promise]:
    return (
        Promise.objects.open()
        .filter(made_by=user, due_at__lt=until)
        .select_related("customer", "contact")
        .order_by("due_at", "id")
    )


def _open_inquiries_of(user: User) -> QuerySet[Interaction]:
    whose = Q(customer__owner=user) | Q(customer__backup_owner=user)
    if user.is_manager or user.is_admin:
        whose |= Q(customer__owner__isnull=True)
    return Interaction.objects.open_inquiries().filter(whose)


def inquiries_waiting_ids(*, user: User, now: datetime) -> list[int]:
    """``inquiries_waiting``'s ids, in its order, in one query: every open inquiry of the
    user's with its customer's clock, oldest first, each kept if it arrived by its clock's
    cutoff (``clock_cutoffs``). Today's section reads its page's rows by these ids: no query
    of the clocks first, no cutoff per clock to compile into SQL (a rep's 37 clocks were a
    fifth of Today's Python time)."""
    rows = list(
        _open_inquiries_of(user)
        .order_by("at", "id")
        .values_list("pk", "at", "customer__time_zone", "customer__country")
    )
    cutoffs = clock_cutoffs(
        {(zone, country) for _pk, _at, zone, country in rows},
        hours=settings.TEND_INQUIRY_ALERT_HOURS,
        now=now,
    )
    return [pk for pk, at, zone, country in rows if at <= cutoffs[(zone, country)]]


def inquiries_waiting(*, user: User, now: datetime) -> QuerySet[Interaction]:
    """Open inquiries past the alert threshold (``TEND_INQUIRY_ALERT_HOURS`` working hours on
    the customer's clock), oldest first: of the customers the user owns or backs up, and, for
    managers, of pool customers too, so none waits unseen."""
    mine = _open_inquiries_of(user)
    waited = inquiries_waited(mine, hours=settings.TEND_INQUIRY_ALERT_HOURS, now=now)
    return mine.filter(waited).select_related("customer").order_by("at", "id")


def customers_overdue(*, user: User, now: datetime) -> QuerySet[Customer]:
    """The user's customers past their touch due date, most valuable first."""
    return Customer.objects.filter(owner=user, touch_due_at__lt=now).order_by(
        "tier", "touch_due_at", "id"
    )


def customers_returning_to_pool(*, user: User, now: datetime) -> QuerySet[Customer]:
    horizon = now + timedelta(days=settings.TEND_POOL_WARNING_DAYS)
    return Customer.objects.filter(owner=user, pool_return_at__lte=horizon).order_by(
        "pool_return_at", "id"
    )


def people_reportable_by(*, user: User) -> QuerySet[User]:
    """Whose reliability this user may see: reps themselves, managers their team, admins all."""
    people = User.objects.all()
    if user.is_admin:
        return people
    if user.is_manager and user.team_id:
        return people.filter(Q(team_id=user.team_id) | Q(pk=user.pk))
    return people.filter(pk=user.pk)


@dataclass
class ReliabilityRow:
    person: User | None
    made: int
    kept: int
    kept_late: int
    broken: int
    withdrawn: int
    open: int
    median_response_hours: float | None
    customers: int
    touched_in_cadence: int

    @property
    def decided(self) -> int:
        return self.kept + self.kept_late + self.broken

    @property
    def on_time_rate(self) -> float | None:
        return self.kept / self.decided if self.decided else None

    @property
    def touched_share(self) -> float | None:
        return self.touched_in_cadence / self.customers if self.customers else None


def reliability_report(
    *, user: User, start: datetime, end: datetime, now: datetime | None = None
) -> tuple[list[ReliabilityRow], ReliabilityRow]:
    """Per person and for everyone shown: promises due in [start, end) by outcome, the on-time
    rate (kept on time / kept + kept late + broken; withdrawn promises do not count), the median
    response time to inquiries answered in the period (working hours), and the share of the
    customers they own now that are within their touch cadence. Best on-time rate first."""
    now = now or timezone.now()
    # People who have left stay: their promises were made, and dropping them would make the
    # team's figure jump the day they go. Rows with nothing in the period are dropped below.
    people = list(people_reportable_by(user=user).filter(role__in=["rep", "manager"]))
    ids = [person.pk for person in people]
    counts = {
        row["made_by"]: row
        for row in Promise.objects.filter(made_by__in=ids, due_at__gte=start, due_at__lt=end)
        .values("made_by")
        .annotate(
            made=Count("id"),
            kept=Count("id", filter=Q(outcome=PromiseOutcome.KEPT)),
            kept_late=Count("id", filter=Q(outcome=PromiseOutcome.KEPT_LATE)),
            broken=Count("id", filter=Q(outcome=PromiseOutcome.BROKEN)),
            withdrawn=Count("id", filter=Q(outcome=PromiseOutcome.WITHDRAWN)),
            open=Count("id", filter=Q(outcome=PromiseOutcome.OPEN)),
        )
    }
    responses: dict[int, list[float]] = {}
    for responder, hours in Interaction.objects.filter(
        responder__in=ids, answered_at__gte=start, answered_at__lt=end
    ).values_list("responder", "response_hours"):
        responses.setdefault(responder, []).append(float(hours))
    coverage = {
        row["owner"]: row
        for row in Customer.objects.filter(owner__in=ids)
        .values("owner")
        .annotate(customers=Count("id"), touched=Count("id", filter=Q(touch_due_at__gte=now)))
    }
    empty = {"made": 0, "kept": 0, "kept_late": 0, "broken": 0, "withdrawn": 0, "open": 0}
    rows = []
    for person in people:
        c = counts.get(person.pk, empty)
        times = responses.get(person.pk)
        cov = coverage.get(person.pk, {"customers": 0, "touched": 0})
        rows.append(
            ReliabilityRow(
                person=person,
                made=c["made"],
                kept=c["kept"],
                kept_late=c["kept_late"],
                broken=c["broken"],
                withdrawn=c["withdrawn"],
                open=c["open"],
                median_response_hours=round(statistics.median(times), 2) if times else None,
                customers=cov["customers"],
                touched_in_cadence=cov["touched"],
            )
        )
    rows = [
        row for row in rows if row.made or row.customers or row.median_response_hours is not None
    ]
    rows.sort(
        key=lambda r: (-(r.on_time_rate if r.on_time_rate is not None else -1), str(r.person))
    )
    all_times = [t for person in ids for t in responses.get(person, [])]
    total = ReliabilityRow(
        person=None,
        made=sum(r.made for r in rows),
        kept=sum(r.kept for r in rows),
        kept_late=sum(r.kept_late for r in rows),
        broken=sum(r.broken for r in rows),
        withdrawn=sum(r.withdrawn for r in rows),
        open=sum(r.open for r in rows),
        median_response_hours=round(statistics.median(all_times), 2) if all_times else None,
        customers=sum(r.customers for r in rows),
        touched_in_cadence=sum(r.touched_in_cadence for r in rows),
    )
    return rows, total
