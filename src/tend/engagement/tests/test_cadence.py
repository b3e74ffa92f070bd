"""Touch cadence and the pool return, with a fixed clock."""

from datetime import UTC, datetime, timedelta

import pytest

from tend.agenda.views import agenda_context
from tend.audit.models import AuditEntry
from tend.customers import services as customer_services
from tend.customers.models import Customer
from tend.customers.tests.factories import CustomerFactory
from tend.engagement import selectors, services
from tend.engagement.agenda_sections import pool_rows
from tend.timeline.models import TimelineEntry

JAN_5 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def owned_customer(owner, tier, **extra):
    customer = CustomerFactory(owner=owner, tier=tier, created_at=JAN_5, owned_since=JAN_5, **extra)
    customer.refresh_touch_dates()
    customer.save()
    return customer


@pytest.mark.parametrize(
    ("tier", "due", "returns"),
    [
        ("A", datetime(2026, 1, 12, 9, tzinfo=UTC), datetime(2026, 1, 26, 9, tzinfo=UTC)),
        ("B", datetime(2026, 1, 19, 9, tzinfo=UTC), datetime(2026, 2, 16, 9, tzinfo=UTC)),
        ("C", datetime(2026, 2, 4, 9, tzinfo=UTC), datetime(2026, 4, 5, 9, tzinfo=UTC)),
    ],
)
def test_due_dates_per_tier_without_any_touch(rep1, tier, due, returns):
    customer = owned_customer(rep1, tier)
    assert (customer.touch_due_at, customer.pool_return_at) == (due, returns)


def test_an_outbound_touch_restarts_both_clocks_and_an_inbound_one_does_not(rep1, monkeypatch):
    customer = owned_customer(rep1, "A")
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 1, 11, tzinfo=UTC))
    services.interaction_log(
        by=rep1,
        customer=customer,
        channel="email",
        direction="in",
        at=datetime(2026, 1, 9, 9, tzinfo=UTC),
    )
    customer.refresh_from_db()
    assert customer.touch_due_at == datetime(2026, 1, 12, 9, tzinfo=UTC)
    services.interaction_log(
        by=rep1,
        customer=customer,
        channel="call",
        direction="out",
        at=datetime(2026, 1, 10, 15, tzinfo=UTC),
    )
    customer.refresh_from_db()
    assert customer.last_outbound_at == datetime(2026, 1, 10, 15, tzinfo=UTC)
    assert customer.touch_due_at == datetime(2026, 1, 17, 15, tzinfo=UTC)
    assert customer.pool_return_at == datetime(2026, 1, 31, 15, tzinfo=UTC)


def test_a_customer_cadence_overrides_its_tier(rep1, manager1):
    customer = owned_customer(rep1, "C")
    customer_services.customer_update(by=manager1, customer=customer, fields={"cadence_days": 10})
    customer.refresh_from_db()
    assert customer.touch_due_at == datetime(2026, 1, 15, 9, tzinfo=UTC)
    assert customer.pool_return_at == datetime(2026, 2, 4, 9, tzinfo=UTC)


def test_overdue_customers_are_listed_most_valuable_first(rep1):
    c_tier = owned_customer(rep1, "C", name="Small Shop")
    a_tier = owned_customer(rep1, "A", name="Big Distributor")
    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert list(selectors.customers_overdue(user=rep1, now=now)) == [a_tier, c_tier]
    assert list(selectors.customers_overdue(user=rep1, now=JAN_5 + timedelta(days=8))) == [a_tier]


def test_the_owner_is_warned_seven_days_before_the_return(rep1):
    customer = owned_customer(rep1, "A")  # returns on 26 January 09:00
    before = agenda_context(user=rep1, viewer=rep1, now=datetime(2026, 1, 19, 8, 59, tzinfo=UTC))
    on_time = agenda_context(user=rep1, viewer=rep1, now=datetime(2026, 1, 19, 9, 0, tzinfo=UTC))
    assert pool_rows(before, 50).total == 0
    assert [row.customer for row in pool_rows(on_time, 50).rows] == [customer]


def test_the_customer_returns_to_the_pool_on_the_day_and_it_is_recorded(rep1):
    customer = owned_customer(rep1, "A")
    assert services.customers_return_to_pool(now=datetime(2026, 1, 26, 8, 59, tzinfo=UTC)) == 0
    assert services.customers_return_to_pool(now=datetime(2026, 1, 26, 9, 0, tzinfo=UTC)) == 1
    customer.refresh_from_db()
    assert (customer.owner, customer.pool_return_at) == (None, None)
    entry = AuditEntry.objects.get(customer=customer)
    assert (entry.actor, entry.changes) == (None, {"owner": ["Alice Tester", None]})
    assert TimelineEntry.objects.get(customer=customer).title == (
        "Returned to the pool by Alice Tester: no outbound touch for 21 days"
    )
    assert services.customers_return_to_pool(now=datetime(2026, 1, 27, tzinfo=UTC)) == 0


def test_claiming_restarts_the_pool_clock_from_the_claim(rep1, monkeypatch):
    customer = CustomerFactory(owner=None, tier="A", created_at=JAN_5)
    claimed_at = datetime(2026, 6, 1, 12, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: claimed_at)
    customer_services.customer_claim(by=rep1, customer=customer)
    customer.refresh_from_db()
    assert customer.pool_return_at == claimed_at + timedelta(days=21)
    assert Customer.objects.filter(owner=rep1).count() == 1
