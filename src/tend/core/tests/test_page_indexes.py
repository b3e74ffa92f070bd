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
    plan = _plan(own_high_risk(user=rep1, day=timezone.localdate()))
    assert "health_day_level_cover_idx" in plan
