"""Story S2 (seed 002), the health half: A keeps promises, B misses them; with the same
customers' histories, B's customers rise in risk and the reason says why."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tend.accounts.tests.factories import UserFactory
from tend.customers.models import Customer
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement import services
from tend.health.models import HealthSnapshot
from tend.health.services.scoring import score_book
from tend.health.signals import reason_text
from tend.orders.models import Order

MON = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": MON}
    monkeypatch.setattr("django.utils.timezone.now", lambda: state["now"])
    return state


def test_story_s2_salesperson_b_customers_rise_in_risk(clock, team1, manager1):
    a = UserFactory(username="anna", first_name="Anna", team=team1)
    b = UserFactory(username="ben", first_name="Ben", team=team1)
    customers = {
        rep: [
            CustomerFactory(
                name=f"{rep.first_name}'s importer {n}", owner=rep, backup_owner=manager1
            )
            for n in range(2)
        ]
        for rep in (a, b)
    }
    orders = []
    for owned in customers.values():
        for customer in owned:
            ContactFactory.create_batch(2, customer=customer)
            for k in range(12):  # monthly, the same for everyone
                orders.append(
                    Order(
                        customer=customer,
                        number=f"{customer.pk}-{k}",
                        order_date=(MON - timedelta(days=5 + 30 * k)).date(),
                        currency="USD",
                        rate_to_base=Decimal("1"),
                        amount=Decimal("4000"),
                        amount_base=Decimal("4000"),
                        status="delivered",
                    )
                )
    Order.objects.bulk_create(orders)
    Customer.objects.update(touch_due_at=MON + timedelta(days=20))

    for rep, owned in customers.items():
        for customer in owned:
            for what in ("quote", "sample"):
                promise = services.promise_make(
                    by=rep, customer=customer, kind=what, due_at=MON + timedelta(days=2)
                )
                if rep is a:
                    clock["now"] = MON + timedelta(days=1)
                    services.promise_close(by=a, promise=promise, done=True)
                    clock["now"] = MON
    assert services.promises_break_overdue(now=MON + timedelta(days=3)) == 4  # all of B's

    score_book(now=MON + timedelta(days=4))
    snapshots = HealthSnapshot.objects.select_related("customer__owner")
    risk = {s.customer.name: (s.customer.owner.username, s.risk, s.reasons) for s in snapshots}
    for name, (owner, value, reasons) in risk.items():
        if owner == "anna":
            assert value == 0, name
        else:
            assert value == pytest.approx(0.2), name  # two broken promises: 0.1 each
            assert reason_text(reasons[0]) == "2 promises to them broken in the last 90 days"
            assert reasons[0]["cause"] == "service"
