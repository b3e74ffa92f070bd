"""Reads about lost customers, each through the visibility rule: the "Lost and won back" report,
its export, and the API's list."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from tend.accounts.models import User
from tend.customers.models import Customer, CustomerQuerySet

from ..causes import LostReason
from ..models import LostRecord

PERIOD_DAYS = 365
CENT = Decimal("0.01")


def _cents(value: Decimal | None) -> Decimal:
    """Sums come back from SQLite without their places: 5000 -> 5000.00."""
    return (value or Decimal("0")).quantize(CENT)


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 12 months, today included."""
    today = today or timezone.localdate()
    return today - timedelta(days=PERIOD_DAYS), today


@dataclass(frozen=True)
class LostFilters:
    start: date | None = None  # lost (or won back) on or after this day
    end: date | None = None  # ... and on or before this one
    team: int | None = None  # the owner's team
    owner: str = ""  # a user id, or "pool"
    reason: str = ""
    country: str = ""
    won_back: bool | None = None  # API: only those won back (True) or still lost (False)


def _bounds(filters: LostFilters) -> tuple[datetime | None, datetime | None]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(filters.start, time(0), tzinfo=zone) if filters.start else None
    end = (
        datetime.combine(filters.end + timedelta(days=1), time(0), tzinfo=zone)
        if filters.end
        else None
    )
    return start, end


def lost_records_visible_to(*, user: User) -> QuerySet[LostRecord]:
    return LostRecord.objects.filter(customer__in=Customer.objects.visible_to(user).values("pk"))


def _scoped(*, user: User, filters: LostFilters) -> QuerySet[LostRecord]:
    """Visible records matching the filters other than the period."""
    queryset = lost_records_visible_to(user=user)
    if filters.team:
        queryset = queryset.filter(customer__owner__team_id=filters.team)
    if filters.owner == "pool":
        queryset = queryset.filter(customer__owner__isnull=True)
    elif filters.owner.isdigit():
        queryset = queryset.filter(customer__owner_id=int(filters.owner))
    if filters.reason:
        queryset = queryset.filter(reason=filters.reason)
    if filters.country:
        queryset = queryset.filter(customer__country=filters.country.upper())
    if filters.won_back is not None:
        queryset = queryset.filter(won_back_at__isnull=not filters.won_back)
    return queryset


def customers_scoped(*, user: User, filters: LostFilters) -> QuerySet[Customer]:
    """Visible customers matching the report's team, owner and country filters: the set the
    "lost now" and "won back now" counts are taken from, with the customer list's definition
    (``Customer.objects.lost()`` / ``won_back()``)."""
    queryset = Customer.objects.visible_to(user)
    if filters.team:
        queryset = queryset.filter(owner__team_id=filters.team)
    if filters.owner == "pool":
        queryset = queryset.filter(owner__isnull=True)
    elif filters.owner.isdigit():
        queryset = queryset.filter(owner_id=int(filters.owner))
    if filters.country:
        queryset = queryset.filter(country=filters.country.upper())
    if filters.reason:
        queryset = queryset.filter(
            pk__in=LostRecord.objects.filter(reason=filters.reason).values("customer_id")
        )
    return queryset


def lost_now_counts(*, user: User, filters: LostFilters) -> dict[str, int]:
    """How many customers stand lost and won back now (whatever the period), and how many of
    the lost have no open lost record (marked lost before records were kept, or by an import):
    one aggregate query. These are the customer list's counts, by construction."""
    open_record = LostRecord.objects.filter(won_back_at__isnull=True).values("customer_id")
    lost, won_back = CustomerQuerySet.LOST, CustomerQuerySet.WON_BACK
    return customers_scoped(user=user, filters=filters).aggregate(
        lost=Count("pk", filter=lost),
        won_back=Count("pk", filter=won_back),
        unrecorded=Count("pk", filter=lost & ~Q(pk__in=open_record)),
    )


def _in_period(queryset: QuerySet, field_name: str, filters: LostFilters) -> QuerySet:
    start, end = _bounds(filters)
    if start is not None:
        queryset = queryset.filter(**{f"{field_name}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field_name}__lt": end})
    return queryset


def lost_list(*, user: User, filters: LostFilters) -> QuerySet[LostRecord]:
    """Customers marked lost in the period (newest first), with what the list shows."""
    return (
        _in_period(_scoped(user=user, filters=filters), "marked_at", filters)
        .select_related("customer__owner", "marked_by", "won_back_order")
        .order_by("-marked_at", "-pk")
    )


@dataclass(frozen=True)
class ReasonRow:
    reason: str
    label: str
    count: int
    value: Decimal
    count_share: float
    value_share: float


@dataclass(frozen=True)
class LostReport:
    by_reason: list[ReasonRow]
    lost_count: int
    lost_value: Decimal
    won_back_count: int
    won_back_value: Decimal  # the annual value that had been lost, now back
    won_back_orders_value: Decimal  # the orders that won them back
    lost_now: int = 0  # customers whose status is lost now (the customer list's count)
    won_back_now: int = 0  # ... won back now
    unrecorded_now: int = 0  # lost now without a lost record (no reason known)


def lost_report(*, user: User, filters: LostFilters) -> LostReport:
    """Lost in the period by reason (count, annual value, shares), and won back in the period.
    Two aggregate queries, however many customers."""
    scoped = _scoped(user=user, filters=filters)
    grouped = (
        _in_period(scoped, "marked_at", filters)
        .order_by()
        .values("reason")
        .annotate(count=Count("pk"), value=Sum("annual_value"))
    )
    totals = {row["reason"]: (row["count"], _cents(row["value"])) for row in grouped}
    lost_count = sum(count for count, _value in totals.values())
    lost_value = sum((value for _count, value in totals.values()), Decimal("0.00"))
    rows = [
        ReasonRow(
            reason=reason,
            label=str(LostReason(reason).label) if reason in LostReason.values else reason,
            count=count,
            value=value,
            count_share=count / lost_count if lost_count else 0.0,
            value_share=float(value / lost_value) if lost_value else 0.0,
        )
        for reason, (count, value) in totals.items()
    ]
    rows.sort(key=lambda row: (-row.value, -row.count, row.label))
    # Without a period, "won back" still means won back (the period filter alone implied it).
    won_back = scoped.filter(won_back_at__isnull=False)
    won = _in_period(won_back, "won_back_at", filters).aggregate(
        count=Count("pk"),
        value=Sum("annual_value"),
        orders=Sum("won_back_order__amount_base"),
    )
    now = lost_now_counts(user=user, filters=filters)
    return LostReport(
        lost_now=now["lost"],
        won_back_now=now["won_back"],
        unrecorded_now=now["unrecorded"],
        by_reason=rows,
        lost_count=lost_count,
        lost_value=lost_value,
        won_back_count=won["count"],
        won_back_value=_cents(won["value"]),
        won_back_orders_value=_cents(won["orders"]),
    )


EXPORT_HEADERS = [
    "Customer",
    "Country",
    "Reason",
    "Competitor",
    "Lost on",
    "Annual value lost",
    "Win-back date",
    "Owner",
    "Marked by",
    "Won back on",
    "Won back with order",
    "Note",
]


def lost_export_rows(*, user: User, filters: LostFilters) -> Iterator[list[object]]:
    """The list as filtered, every row (not a page), streamed."""
    queryset = lost_list(user=user, filters=filters)
    for record in queryset.iterator(chunk_size=2000):
        customer = record.customer
        yield [
            customer.name,
            customer.country,
            record.get_reason_display(),
            record.competitor,
            timezone.localdate(record.marked_at),
            record.annual_value,
            record.win_back_on,
            str(customer.owner) if customer.owner else "",
            str(record.marked_by),
            timezone.localdate(record.won_back_at) if record.won_back_at else None,
            record.won_back_order.number if record.won_back_order else "",
            record.note,
        ]
