"""The scoring's faster reads give what the plain ones gave: the signal providers read on their
own connection beside the fitting store the same snapshots as read in turn, an inquiry answered
only after the scoring's moment still waits at that moment, and the order history does not
depend on the order its transactions come in."""

import threading
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.db import transaction

from tend.customers.models import Customer
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement.models import Interaction
from tend.health import forecast, risk, signals
from tend.health.models import HealthSnapshot
from tend.health.services import scoring
from tend.health.services.scoring import assess_book, score_book
from tend.orders.tests.factories import monthly_orders

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def _orders(customer, *, count: int, last_ago: int, amount: int):
    monthly_orders(customer, today=TODAY, count=count, last_ago=last_ago, amount=amount)


def _inquiry(customer, by, *, asked_ago: int, answered_after_now: int | None):
    answered = None if answered_after_now is None else NOW + timedelta(days=answered_after_now)
    return Interaction.objects.create(
        customer=customer,
        channel="email",
        direction="in",
        at=NOW - timedelta(days=asked_ago),
        logged_by=by,
        needs_answer=True,
        answered_at=answered,
    )


@pytest.fixture
def book(rep1, manager1):
    customers = {}
    for name, tier in (("Steady", "A"), ("Silent", "B"), ("Asking", "A")):
        customers[name] = CustomerFactory(name=name, tier=tier, owner=rep1)
        ContactFactory.create_batch(2, customer=customers[name])
    _orders(customers["Steady"], count=24, last_ago=10, amount=1000)
    _orders(customers["Silent"], count=18, last_ago=200, amount=2000)
    _orders(customers["Asking"], count=12, last_ago=20, amount=500)
    # In the pool and buying this year: flagged only from the orders, which the people provider
    # waits for when it reads beside the scoring.
    customers["Pooled"] = CustomerFactory(name="Pooled", tier="B", owner=None)
    _orders(customers["Pooled"], count=6, last_ago=15, amount=800)
    _inquiry(customers["Asking"], rep1, asked_ago=10, answered_after_now=None)
    _inquiry(customers["Asking"], rep1, asked_ago=5, answered_after_now=None)
    Customer.objects.update(touch_due_at=NOW - timedelta(days=40))
    return customers


def _stored(day):
    return {
        s.customer_id: (s.risk, s.level, s.cause, str(s.value_at_risk), s.reasons)
        for s in HealthSnapshot.objects.filter(day=day)
    }


@pytest.mark.django_db(transaction=True)
def test_signals_read_beside_the_fitting_store_what_signals_read_in_turn_store(book, monkeypatch):
    # No time for Pareto/NBD, in either scoring: which model is chosen must not hang on how
    # much CPU a loaded machine lets the fit have (it is counted for the fitting thread only).
    monkeypatch.setattr(forecast, "FIT_SECONDS", 0.0)
    run = score_book(now=NOW, run_playbooks=False)
    beside = _stored(TODAY)
    assert "signals_alongside" in run.timings  # outside a transaction: the reader thread

    with transaction.atomic():  # inside one: read in turn, on this connection
        in_turn = assess_book(now=NOW)
    assert "signals_alongside" not in in_turn.timings
    assert set(beside) == {c.pk for c in book.values()}
    for k, pk in enumerate(in_turn.customer_ids.tolist()):
        stored_risk, level, cause, _value, reasons = beside[pk]
        assert stored_risk == np.round(in_turn.assessment.risk, 6)[k]
        assert level == str(in_turn.assessment.level[k])
        assert cause == (in_turn.assessment.cause[k] or "")
        assert reasons == in_turn.assessment.reasons[k]
    waiting = [r for r in beside[book["Asking"].pk][4] if r["code"] == "unanswered_inquiries"]
    assert [r["params"]["count"] for r in waiting] == [2]
    assert "no_owner" in {r["code"] for r in beside[book["Pooled"].pk][4]}
    assert "no_owner" not in {r["code"] for r in beside[book["Steady"].pk][4]}


@pytest.mark.django_db(transaction=True)
def test_when_the_orders_cannot_be_read_the_providers_waiting_for_them_give_up(book, monkeypatch):
    def broken(*, before):
        raise RuntimeError("orders unreadable")

    monkeypatch.setattr(scoring, "order_transactions", broken)
    with pytest.raises(RuntimeError, match="orders unreadable"):
        assess_book(now=NOW)
    readers = [t for t in threading.enumerate() if t.name.startswith("signals")]
    for reader in readers:
        reader.join(timeout=30)
    assert not any(reader.is_alive() for reader in readers)


@pytest.mark.django_db
def test_an_inquiry_answered_only_after_the_moment_scored_still_waits_at_that_moment(rep1):
    asking = CustomerFactory(name="Asking", owner=rep1)
    _inquiry(asking, rep1, asked_ago=10, answered_after_now=None)  # open
    _inquiry(asking, rep1, asked_ago=8, answered_after_now=3)  # answered later
    _inquiry(asking, rep1, asked_ago=6, answered_after_now=-1)  # answered before: not waiting
    _inquiry(asking, rep1, asked_ago=1, answered_after_now=None)  # asked a day ago: not yet late
    ids = np.array([asking.pk])
    context = signals.ScoringContext(customer_ids=ids, now=NOW, today=TODAY, historical=True)

    found = {s.code: s for s in signals.engagement_signals(context)}

    assert found["unanswered_inquiries"].params["count"].tolist() == [2.0]
    assert found["unanswered_inquiries"].weight.tolist() == [0.3]


def test_the_order_history_is_the_same_whatever_order_the_transactions_come_in():
    rng = np.random.default_rng(4)
    cust = np.repeat(np.arange(1, 201), 15)
    days = 730_000 + rng.integers(0, 1_500, cust.size)
    amounts = rng.random(cust.size) * 1_000
    order = np.lexsort((days, cust))
    shuffled = rng.permutation(cust.size)

    sorted_first = risk.order_history(cust[order], days[order], amounts[order], today=731_400)
    as_they_come = risk.order_history(
        cust[shuffled], days[shuffled], amounts[shuffled], today=731_400
    )

    for name in ("customer_ids", "order_days", "first_day", "last_day", "log_gaps"):
        np.testing.assert_array_equal(getattr(sorted_first, name), getattr(as_they_come, name))
    for name in ("total_value", "first_value", "revenue_12m", "revenue_prev_12m"):
        # Same-day amounts may be added in another order: equal to the last bits.
        np.testing.assert_allclose(
            getattr(sorted_first, name), getattr(as_they_come, name), rtol=1e-12
        )


@pytest.mark.django_db
def test_same_day_orders_read_one_by_one_are_one_purchase_and_cancelled_ones_do_not_count(rep1):
    from decimal import Decimal

    from tend.orders.models import Order

    buyer = CustomerFactory(name="Two a day", owner=rep1)
    _orders(buyer, count=3, last_ago=40, amount=1000)
    day = TODAY - timedelta(days=10)
    for number, amount, status in (("a", "250.10", "delivered"), ("b", "149.90", "shipped")):
        Order.objects.create(
            customer=buyer, number=f"same-{number}", order_date=day, currency="USD",
            rate_to_base=Decimal("1"), amount=Decimal(amount), amount_base=Decimal(amount),
            status=status,
        )  # fmt: skip
    Order.objects.create(
        customer=buyer, number="same-c", order_date=day, currency="USD",
        rate_to_base=Decimal("1"), amount=Decimal("5000"), amount_base=Decimal("5000"),
        status="cancelled",
    )  # fmt: skip

    cust, days, amounts = scoring.order_transactions(before=TODAY)
    history = risk.order_history(cust, days, amounts, today=TODAY.toordinal())

    assert cust.size == 5  # every order but the cancelled one, one row each
    assert history.order_days.tolist() == [4]
    assert history.last_day.tolist() == [day.toordinal()]
    assert history.revenue_12m.tolist() == pytest.approx([3400.0])
