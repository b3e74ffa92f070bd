"""The indexes the big-book pages rely on are the ones SQLite's planner takes (their plans on
the 100k book, both databases, are in docs/performance.md). PostgreSQL reads a test book's few
rows by sequential scan whatever the indexes, so these run on SQLite only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tend.customers.models import Customer, CustomerStatus
from tend.engagement.models import Interaction
from tend.engagement.selectors import inquiries_waiting
from tend.health.selectors.risk import own_high_risk
from tend.orders.selectors import orders_needing_update

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL plans a few rows as a sequential scan"
)


def _plan(queryset) -> str:
    # The plan follows the planner's statistics: start from those of a freshly migrated
    # database (none), whatever an earlier test left in sqlite_stat1.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute("DELETE FROM sqlite_stat1")
            cursor.execute("ANALYZE sqlite_schema")
    return queryset.explain().lower()


def test_the_visible_customers_are_read_through_the_owner_indexes(book, rep1):
    """Never a scan of every customer: the covering index, or (before the planner has
    statistics, with the touch-order index beside it) a multi-index OR over the owner and
    backup owner indexes. On the 100k book, analysed, the count reads the covering index."""
    customers = Customer.objects.visible_to(rep1).exclude(status=CustomerStatus.LOST)
    plan = _plan(customers.values("pk"))
    assert "customer_visible_idx" in plan or "multi-index or" in plan
    assert "scan customers_customer" not in plan


def test_a_managers_unanswered_inquiries_walk_the_open_inquiries(book, manager1):
    Interaction.objects.create(
        customer=book["pool"],
        channel="email",
        direction="in",
        at=timezone.now() - timedelta(days=5),
        logged_by=manager1,
        needs_answer=True,
    )
    plan = _plan(inquiries_waiting(user=manager1, now=timezone.now()))
    assert "engagement_open_inquiry" in plan  # a partial index of open inquiries, never all


def test_todays_high_risk_customers_come_from_the_day_and_level_index(book, rep1):
    """The day's high-risk snapshots in value order, each customer read by its key: never
    the rep's customers first, each probed for its snapshot (100k book: 43 ms, now 2 ms)."""
    plan = _plan(own_high_risk(user=rep1, day=timezone.localdate()))
    assert "health_day_level_cover_idx" in plan
    assert "search customers_customer using integer primary key" in plan
    assert "owner_id=?" not in plan


# The 100k book's statistics (``sqlite_stat1``, after its build's ANALYZE and the migrations')
# for the orders and customers: what the planner weighs there.
BOOK_100K_STATS = [
    ("customers_customer", "customer_owner_pool_idx", "100000 11112 2"),
    ("customers_customer", "customer_touch_order_idx", "100000 11112 4546 2 1"),
    ("customers_customer", "customer_visible_idx", "100000 11112 3704 764"),
    ("customers_customer", "customers_customer_owner_id_fbb2798e", "100000 11112"),
    ("customers_customer", "customers_customer_backup_owner_id_2d2f4fc4", "100000 14286"),
    ("orders_order", "orders_late_walk_idx", "48091 24046 12023 141 1 1 1 1 1"),
    ("orders_order", "orders_late_by_customer_idx", "48091 2"),
    ("orders_order", "orders_open_late_idx", "1126297 160900 453 25 12 1 1 1 1"),
    ("orders_order", "orders_orde_custome_5a6219_idx", "1126297 17 1"),
    ("orders_order", "orders_order_customer_id_0b76f6a4", "1126297 17"),
]


def _plan_on_the_100k_book(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sqlite_schema")  # creates sqlite_stat1 when missing
        cursor.execute("DELETE FROM sqlite_stat1")
        cursor.executemany("INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", BOOK_100K_STATS)
        cursor.execute("ANALYZE sqlite_schema")  # loads them
    return queryset.explain().lower()


def test_todays_late_orders_walk_the_open_orders_in_todays_order(book, rep1):
    """On the 100k book's statistics: the open orders with a promise in Today's order, each
    order's customer read by its key, stopping at the page's last row; not every late order
    of the rep's customers joined, then sorted (18 ms on PostgreSQL, 55 ms on SQLite)."""
    now = timezone.now()
    late = orders_needing_update(user=rep1, today=now.date(), now=now)
    plan = _plan_on_the_100k_book(late.values_list("pk", flat=True)[:21])
    assert "scan orders_order using covering index orders_late_walk_idx" in plan
    assert "search customers_customer using integer primary key" in plan
    assert "temp b-tree" not in plan
