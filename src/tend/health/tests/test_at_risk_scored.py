"""End to end with the real scoring: a rep's customer who stopped ordering is scored three times
over a month, then shows on the "At risk" page, on its customer page with its trend, on the
rep's agenda and in the API, with the same reason everywhere."""

from datetime import UTC, datetime, timedelta

import pytest

from tend.customers.models import Customer
from tend.customers.panels import panel_url
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.health.services.scoring import score_book
from tend.orders.tests.factories import monthly_orders

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
SILENT_REASON = "No order for 200 days; usually orders every 30 days"


def _orders(customer, *, count: int, last_ago: int, amount: int):
    monthly_orders(customer, today=TODAY, count=count, last_ago=last_ago, amount=amount)


@pytest.fixture
def silent(rep1, manager1):
    """Two customers of rep1 who buy monthly: Steady still does, Silent stopped 200 days ago.
    Both have a backup owner and two contacts, and no touch is due, so only the orders speak."""
    customers = {}
    for name in ("Steady", "Silent"):
        customers[name] = CustomerFactory(name=name, tier="A", owner=rep1, backup_owner=manager1)
        ContactFactory.create_batch(2, customer=customers[name])
    _orders(customers["Steady"], count=24, last_ago=10, amount=1000)
    _orders(customers["Silent"], count=18, last_ago=200, amount=2000)
    Customer.objects.update(touch_due_at=NOW + timedelta(days=10))
    for days_ago in (30, 10, 0):
        score_book(now=NOW - timedelta(days=days_ago), run_playbooks=False)
    return customers["Silent"]


def test_a_silent_customer_shows_everywhere_with_its_reason(client, rep1, silent):
    client.force_login(rep1)

    page = client.get("/health/at-risk/").content.decode()
    assert f'<tr id="at-risk-{silent.pk}">' in page
    assert "Steady" not in page.split('id="at-risk-list"')[1]
    assert SILENT_REASON in page

    panel = client.get(panel_url(silent.pk, "health")).content.decode()
    assert "High risk" in panel and SILENT_REASON in panel
    assert "2026-03-04 to 2026-06-01, 3 scores" in panel

    sections = client.get("/api/v1/agenda").json()["sections"]
    agenda = next(s for s in sections if s["key"] == "health_at_risk")
    assert [item["customer_name"] for item in agenda["items"]] == ["Silent"]

    health = client.get(f"/api/v1/customers/{silent.pk}/health").json()
    assert health["level"] == "high" and health["reasons"][0]["text"] == SILENT_REASON
    history = client.get(f"/api/v1/customers/{silent.pk}/health/history").json()
    assert [point["day"] for point in history] == [
        (TODAY - timedelta(days=d)).isoformat() for d in (30, 10, 0)
    ]
