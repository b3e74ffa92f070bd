"""Whose figures a person sees, months as numbers, and the small amount of SQL the sections
share.

Visibility (decided here, tested in ``tests/test_visibility.py``): a rep sees the figures of
the customers they own or back up (their own book; the pool is nobody's result), a manager their
team's customers and the pool, an admin everything. People's reliability follows
``engagement.selectors.people_reportable_by``: a rep themselves, a manager their team, an admin
all; people who have left are included, so history does not vanish with them."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from tend.accounts.models import User
from tend.customers.models import Customer, visibility
from tend.engagement.selectors import people_reportable_by

from .registry import ReportFilters

CENT = Decimal("0.01")


def report_customers(*, user: User, filters: ReportFilters) -> QuerySet[Customer]:
    """The customers behind the figures this user may see, narrowed by the filters."""
    return report_scoped(Customer.objects.all(), user=user, filters=filters)


def report_scoped(rows: QuerySet, *, user: User, filters: ReportFilters) -> QuerySet:
    """``rows`` with ``owner``, ``backup_owner``, ``tier`` and ``country`` (customers, or rows
    that record them, like the day totals of value at risk) narrowed as ``report_customers``."""
    rule = visibility(user)
    if rule is not None:
        rows = rows.filter(rule)
    if user.is_rep:
        rows = rows.exclude(owner__isnull=True)
    if filters.team:
        rows = rows.filter(owner__team_id=filters.team)
    if filters.tier:
        rows = rows.filter(tier=filters.tier)
    if filters.country:
        rows = rows.filter(country=filters.country)
    return rows


def report_people(*, user: User, filters: ReportFilters) -> QuerySet[User]:
    """Reps and managers whose reliability this user may see, those who left included."""
    people = people_reportable_by(user=user).filter(role__in=["rep", "manager"])
    if filters.team:
        people = people.filter(team_id=filters.team)
    return people


def _whole_book(customers: QuerySet[Customer]) -> bool:
    """Whether ``customers`` is every customer and the database gains by not being told. Only
    PostgreSQL: on SQLite the ids' semi-join makes the planner walk the orders customer by
    customer through the (customer, date) index, where without it it sorts every order of the
    period in a temporary B-tree (measured: 3 to 10 times slower)."""
    return connection.vendor == "postgresql" and not customers.query.where


def among(rows: QuerySet, customers: QuerySet[Customer], field: str = "customer") -> QuerySet:
    """``rows`` of the given customers (all of them, unfiltered, for the whole book)."""
    if _whole_book(customers):
        return rows
    return rows.filter(**{f"{field}__in": customers.values("pk")})


# --- months ---


def month_number(day: date) -> int:
    """Months since year 0: consecutive months are consecutive numbers."""
    return day.year * 12 + day.month - 1


def month_start(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


def month_label(number: int) -> str:
    return month_start(number).strftime("%Y-%m")


def period_label(number: int, grain: str) -> str:
    """A month number as its month (2026-03) or its quarter (2026 Q1)."""
    if grain == "quarter":
        return f"{number // 12} Q{number % 12 // 3 + 1}"
    return month_label(number)


def period_of(number: int, grain: str) -> int:
    """The first month number of the period (month or quarter) holding ``number``."""
    return number - number % 3 if grain == "quarter" else number


# --- SQL ---


def month_sql(column: str) -> str:
    """SQL for a date column's month number, on SQLite and PostgreSQL."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(YEAR FROM {column})::int * 12 + EXTRACT(MONTH FROM {column})::int - 1)"
    return (
        f"(CAST(strftime('%%Y', {column}) AS INTEGER) * 12"
        f" + CAST(strftime('%%m', {column}) AS INTEGER) - 1)"
    )


def scope_sql(queryset: QuerySet, column: str) -> tuple[str, tuple]:
    """``AND <column> IN (<the queryset's ids>)`` for raw SQL; nothing when the queryset is
    every customer (an admin's unfiltered report) on PostgreSQL (see ``_whole_book``)."""
    if _whole_book(queryset):
        return "", ()
    # Without its ordering: the list's ORDER BY name would sort every id for nothing.
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return f" AND {column} IN ({sql})", tuple(params)


def fetch(sql: str, params: tuple | list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def money(value) -> Decimal:
    """A sum as SQLite (float) or PostgreSQL (Decimal) returns it, in cents."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT)


def cents(value) -> Decimal:
    """A sum of stored cents (``CustomerMonthRevenue.revenue_cents``) as money."""
    if value is None:
        return Decimal("0.00")
    return (Decimal(int(value)) / 100).quantize(CENT)
