"""Reads about customers at risk, each through the visibility rule: the "At risk" page, its
export and summary, the API's list, the customer page's panel and history, and the agenda's own
customers at high risk.

"At risk" always means the latest scored day: a snapshot from an earlier day is history. A
customer marked lost since the scoring drops off the list (it has its own report)."""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.core.planner import COMMON, Likelihood
from tend.customers.models import Customer, CustomerStatus

from .. import summary_token
from ..causes import Cause, RiskLevel
from ..models import HealthSnapshot, PlaybookRule, PlaybookStep, ScoreRun
from ..signals import reason_text

AT_RISK_LEVELS = (RiskLevel.HIGH, RiskLevel.MEDIUM)
HISTORY_DAYS = 90
_NO_CAUSE = gettext_lazy("No signal")


def latest_score_day() -> date | None:
    """The last day with stored snapshots (an index lookup), or None before the first scoring."""
    return HealthSnapshot.objects.aggregate(day=Max("day"))["day"]


def _latest_day() -> QuerySet:
    """``latest_score_day`` as a subquery."""
    return HealthSnapshot.objects.order_by("-day").values("day")[:1]


def latest_score_run() -> ScoreRun | None:
    """The last finished scoring of the book."""
    return (
        ScoreRun.objects.filter(finished_at__isnull=False).order_by("-day", "-started_at").first()
    )


def score_runs(*, limit: int = 20) -> QuerySet[ScoreRun]:
    return ScoreRun.objects.order_by("-day", "-started_at")[:limit]


def playbook_rules() -> QuerySet[PlaybookRule]:
    """Every rule with its steps (two queries)."""
    steps = Prefetch("steps", queryset=PlaybookStep.objects.order_by("due_in_days", "id"))
    return PlaybookRule.objects.prefetch_related(steps).order_by("cause", "name", "id")


@dataclass(frozen=True)
class AtRiskFilters:
    team: int | None = None  # the owner's team
    owner: str = ""  # a user id, "me", or "pool"
    country: str = ""
    tier: str = ""
    cause: str = ""  # the snapshot's main cause
    levels: tuple[str, ...] = AT_RISK_LEVELS  # empty: every level


def _customers(*, user: User, filters: AtRiskFilters) -> QuerySet[Customer]:
    """The customers the list may show: visible to the user, not lost, matching the filters on
    the customer. Used as a subquery, never loaded."""
    customers = Customer.objects.visible_to(user).exclude(status=CustomerStatus.LOST)
    if filters.team:
        customers = customers.filter(owner__team_id=filters.team)
    if filters.owner == "pool":
        customers = customers.filter(owner__isnull=True)
    elif filters.owner == "me":
        customers = customers.filter(owner=user)
    elif filters.owner.isdigit():
        customers = customers.filter(owner_id=int(filters.owner))
    if filters.country:
        customers = customers.filter(country=filters.country.upper())
    if filters.tier:
        customers = customers.filter(tier=filters.tier)
    return customers


def _scoped(*, user: User, filters: AtRiskFilters, day: date | None) -> QuerySet[HealthSnapshot]:
    """The day's snapshots of the customers the list may show, every filter but the level."""
    if day is None:
        return HealthSnapshot.objects.none()
    queryset = HealthSnapshot.objects.filter(
        day=day, customer__in=_customers(user=user, filters=filters).values("pk")
    )
    if filters.cause:
        queryset = queryset.filter(cause=filters.cause)
    return queryset


def _levels(queryset: QuerySet[HealthSnapshot], filters: AtRiskFilters) -> QuerySet:
    return queryset.filter(level__in=filters.levels) if filters.levels else queryset


def at_risk_list(
    *, user: User, filters: AtRiskFilters, day: date | None = None
) -> QuerySet[HealthSnapshot]:
    """The latest day's snapshots the user may see, ranked by value at risk, then risk; with
    the customer and its owner (one query per page, whatever its size)."""
    day = day or latest_score_day()
    return (
        _levels(_scoped(user=user, filters=filters, day=day), filters)
        .select_related("customer__owner")
        .order_by("-value_at_risk", "-risk", "customer_id")
    )


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    count: int
    value_at_risk: Decimal


@dataclass(frozen=True)
class AtRiskSummary:
    day: date | None
    count: int  # the list as filtered
    value_at_risk: Decimal
    by_level: list[Bucket]  # every level, whatever the level filter: how the book splits
    by_cause: list[Bucket]  # the list as filtered, largest value at risk first


def _label(choices, key: str) -> str:
    if not key:
        return str(_NO_CAUSE)
    return str(choices(key).label) if key in choices.values else key


def _summary_cache_key(*, user: User, filters: AtRiskFilters, day: date | None) -> str | None:
    """Where the summary is cached, read before the summary itself (a change committed in
    between then lands under the old key, never the reverse); None: not to be cached, inside a
    transaction (its own changes are not committed) or with no token (a flushed database)."""
    if day is None or connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT token FROM {summary_token.TABLE} WHERE id = %s), "
            f"(SELECT MAX(id) FROM {HealthSnapshot._meta.db_table})",
            [summary_token.ROW],
        )
        token, last_snapshot = cursor.fetchone()
    if token is None:
        return None
    grouped_by = replace(filters, levels=())  # the level filter is applied after, in Python
    return summary_token.cache_key(
        "at-risk-summary", token, last_snapshot, day, user.pk, grouped_by
    )


def _grouped(*, user: User, filters: AtRiskFilters, day: date | None) -> list[tuple]:
    """(level, cause, count, value at risk) per group of the day's visible snapshots."""
    key = _summary_cache_key(user=user, filters=filters, day=day)
    return summary_token.cached(
        key,
        lambda: list(
            _scoped(user=user, filters=filters, day=day)
            .order_by()
            .values_list("level", "cause")
            .annotate(count=Count("pk"), value=Sum("value_at_risk"))
        ),
    )


def at_risk_summary(
    *, user: User, filters: AtRiskFilters, day: date | None = None
) -> AtRiskSummary:
    """Counts and value at risk by level and by cause: one SQL aggregate grouped by both (a few
    dozen groups at most), folded here. Its count is the list's, so a page need not count.
    The aggregate reads every visible snapshot of the day (30,000 for a rep of the 100k book), so
    it is cached under the change token (``health.summary_token``) and the last snapshot's id."""
    day = day or latest_score_day()
    zero = Decimal("0")
    per_level: dict[str, tuple[int, Decimal]] = {}
    per_cause: dict[str, tuple[int, Decimal]] = {}
    for level, cause, count, value in _grouped(user=user, filters=filters, day=day):
        value = value or zero
        level_count, level_value = per_level.get(level, (0, zero))
        per_level[level] = (level_count + count, level_value + value)
        if not filters.levels or level in filters.levels:
            cause_count, cause_value = per_cause.get(cause, (0, zero))
            per_cause[cause] = (cause_count + count, cause_value + value)
    by_level = [
        Bucket(level.value, str(level.label), *per_level.get(level.value, (0, zero)))
        for level in RiskLevel
    ]
    by_cause = [
        Bucket(cause, _label(Cause, cause), count, value)
        for cause, (count, value) in per_cause.items()
    ]
    by_cause.sort(key=lambda bucket: (-bucket.value_at_risk, -bucket.count, bucket.label))
    return AtRiskSummary(
        day=day,
        count=sum(bucket.count for bucket in by_cause),
        value_at_risk=sum((bucket.value_at_risk for bucket in by_cause), zero),
        by_level=by_level,
        by_cause=by_cause,
    )


def own_high_risk(*, user: User, day: date | None = None) -> QuerySet[HealthSnapshot]:
    """The agenda's list: customers this person owns at high risk on the latest day, ranked by
    value at risk. The latest day is a subquery, so the section costs a count and a page like
    every other. The day's high-risk snapshots are walked in value order, each customer read by
    its key: SQLite, told a rep's customers are many (``Likelihood``), no longer starts from
    them, probing each one's snapshot of the day (100k book, a rep's 20,000: 43 ms, now 2 ms)."""
    return (
        HealthSnapshot.objects.filter(day=day or Subquery(_latest_day()), level=RiskLevel.HIGH)
        .filter(Likelihood(Q(customer__owner=user), COMMON))
        .exclude(customer__status=CustomerStatus.LOST)
        .select_related("customer")
        .order_by("-value_at_risk", "-risk", "customer_id")
    )


def customer_latest_snapshot(*, customer: Customer) -> HealthSnapshot | None:
    """The customer's latest snapshot. ``customer`` comes from ``customer_get_for_user``."""
    return HealthSnapshot.objects.filter(customer=customer).order_by("-day").first()


def customer_history(
    *, customer: Customer, days: int = HISTORY_DAYS, until: date | None = None
) -> QuerySet[HealthSnapshot]:
    """The customer's snapshots over ``days`` days up to ``until`` (default: its latest),
    oldest first. ``customer`` comes from ``customer_get_for_user``."""
    queryset = HealthSnapshot.objects.filter(customer=customer)
    if until is None:
        until = queryset.aggregate(day=Max("day"))["day"]
        if until is None:
            return queryset.none()
    return queryset.filter(day__gt=until - timedelta(days=days), day__lte=until).order_by("day")


def top_reasons(snapshot: HealthSnapshot, count: int = 2) -> list[str]:
    """The strongest reasons in the reader's language."""
    return [reason_text(reason) for reason in (snapshot.reasons or [])[:count]]


EXPORT_HEADERS = [
    "Customer",
    "Customer id",
    "Country",
    "Tier",
    "Owner",
    "Risk level",
    "Risk %",
    "Value at risk",
    "Annual value",
    "Currency",
    "Main cause",
    "Reasons",
    "Probability still buying %",
    "Expected orders, 12 months",
    "Expected value, 12 months",
    "Days since last order",
    "Scored on",
]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def at_risk_export_rows(
    *, user: User, filters: AtRiskFilters, currency: str
) -> Iterator[list[object]]:
    """The list as filtered, every row (not a page), streamed."""
    for snapshot in at_risk_list(user=user, filters=filters).iterator(chunk_size=2000):
        customer = snapshot.customer
        yield [
            customer.name,
            customer.pk,
            customer.country,
            customer.tier,
            str(customer.owner) if customer.owner else "",
            snapshot.get_level_display(),
            _percent(snapshot.risk),
            snapshot.value_at_risk,
            snapshot.annual_value,
            currency,
            snapshot.get_cause_display() if snapshot.cause else "",
            "; ".join(reason_text(reason) for reason in snapshot.reasons or []),
            _percent(snapshot.p_alive),
            None
            if snapshot.expected_orders_12m is None
            else round(snapshot.expected_orders_12m, 2),
            snapshot.expected_value_12m,
            snapshot.days_since_last_order,
            snapshot.day,
        ]
