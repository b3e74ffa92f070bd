"""The at-risk ranking on a hand-built book of five customers, asserted exactly, and the
arithmetic of risk and value at risk checked by hand."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from tend.accounts.models import Role
from tend.accounts.tests.factories import UserFactory
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement.models import Interaction, Promise, PromiseOutcome
from tend.health import risk
from tend.health.forecast import Forecast
from tend.health.models import HealthSnapshot, PlaybookFiring, ScoreRun
from tend.health.services.scoring import score_book
from tend.health.signals import reason_text
from tend.orders.models import Order
from tend.orders.tests.factories import ProductFactory
from tend.tasks.models import Task

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def test_noisy_or_and_value_at_risk_by_hand():
    signals = [
        risk.Signal("a", "rhythm", np.array([0.4, 0.0, 0.0])),
        risk.Signal("b", "service", np.array([0.2, 0.3, 0.0])),
    ]
    result = risk.assess(signals, np.array([10_000.0, 5_000.0, 8_000.0]))
    assert result.risk.tolist() == pytest.approx([1 - 0.6 * 0.8, 0.3, 0.0])
    assert result.value_at_risk.tolist() == pytest.approx([5_200.0, 1_500.0, 0.0])
    assert result.level.tolist() == ["high", "medium", "low"]
    assert result.cause.tolist() == ["rhythm", "service", ""]
    assert [r["code"] for r in result.reasons[0]] == ["a", "b"]
    assert result.reasons[2] == []


def test_order_history_counts_same_day_orders_once_and_ignores_the_future():
    today = date(2026, 6, 1).toordinal()
    history = risk.order_history(
        [7, 7, 7, 7, 9],
        [today - 400, today - 100, today - 100, today + 3, today - 10],
        [100.0, 50.0, 25.0, 999.0, 10.0],
        today=today,
        universe=[7, 8, 9],
    )
    assert history.order_days.tolist() == [2, 0, 1]
    assert history.frequency.tolist() == [1.0, 0.0, 0.0]
    assert history.recency.tolist() == [300.0, 0.0, 0.0]
    assert history.age.tolist() == [400.0, 0.0, 10.0]
    assert history.revenue_12m.tolist() == [75.0, 0.0, 10.0]
    assert history.revenue_prev_12m.tolist() == [100.0, 0.0, 0.0]
    assert history.repeat_value.tolist() == [75.0, 0.0, 0.0]
    assert history.usual_gap[0] == 300.0 and np.isnan(history.usual_gap[1])


def test_one_rhythm_reason_carries_the_models_chance_of_no_order():
    today = 1000
    history = risk.order_history(
        [1, 1, 1, 2, 2, 2, 3],
        [700, 730, 760, 900, 930, 960, 100],
        [1.0] * 7,
        today=today,
    )
    forecast = Forecast(
        p_alive=np.array([0.3, 0.9, 1.0]),
        expected_orders_12m=np.zeros(3),
        p_no_order_12m=np.array([0.8, 0.25, 0.6]),
        expected_value_12m=np.zeros(3),
        clv_36m=np.zeros(3),
    )
    weights = {s.code: s.weight.tolist() for s in risk.rhythm_signals(history, forecast)}
    # 1: 240 days silent on a 30-day rhythm: a break, weighed max(0.8, 0.7 capped steps).
    # 2: ordered 40 days ago, on rhythm: the model's 25% only. 3: one order 900 days ago.
    assert weights["rhythm_break"] == pytest.approx([0.8, 0.0, 0.0])
    assert weights["model_no_order"] == pytest.approx([0.0, 0.25, 0.0])
    assert weights["single_order_long_ago"] == pytest.approx([0.0, 0.0, 0.6])


def test_a_transaction_outside_the_universe_is_an_error():
    with pytest.raises(ValueError, match="outside the universe"):
        risk.order_history([1], [10], [5.0], today=20, universe=[2])


def _orders(customer, product, *, every: int, count: int, last_ago: int, amount, recent=None):
    """``count`` orders ``every`` days apart, the last ``last_ago`` days before NOW; orders in
    the last 12 months cost ``recent`` instead of ``amount`` when given."""
    rows = []
    for k in range(count):
        day = TODAY - timedelta(days=last_ago + k * every)
        value = recent if recent is not None and day >= TODAY - timedelta(days=365) else amount
        rows.append(
            Order(
                customer=customer,
                number=f"{customer.pk}-{k}",
                order_date=day,
                currency="USD",
                rate_to_base=Decimal("1"),
                amount=Decimal(value),
                amount_base=Decimal(value),
                status="delivered",
            )
        )
    Order.objects.bulk_create(rows)


@pytest.fixture
def five(rep1, manager1, team1):
    """Five tier-A customers of rep1, each with two contacts and a backup owner (so nobody is
    single-threaded) and no touch overdue, so only the story of each shows."""
    leaver = UserFactory(username="lee", first_name="Lee", role=Role.REP, team=team1)
    product = ProductFactory(launch_date=date(2025, 9, 1))
    customers = {}
    for name in ("Steady", "Silent", "Declining", "Neglected", "Orphan"):
        owner = leaver if name == "Orphan" else rep1
        customer = CustomerFactory(name=name, tier="A", owner=owner, backup_owner=manager1)
        ContactFactory.create_batch(2, customer=customer)
        customers[name] = customer
    _orders(customers["Steady"], product, every=30, count=24, last_ago=10, amount=1000)
    _orders(customers["Silent"], product, every=30, count=18, last_ago=200, amount=2000)
    _orders(
        customers["Declining"], product, every=30, count=24, last_ago=5, amount=3000, recent=1000
    )
    _orders(customers["Neglected"], product, every=30, count=24, last_ago=12, amount=500)
    _orders(customers["Orphan"], product, every=30, count=24, last_ago=8, amount=1500)
    neglected = customers["Neglected"]
    for days in (20, 50):
        Promise.objects.create(
            customer=neglected,
            kind="quote",
            made_by=rep1,
            made_at=NOW - timedelta(days=days + 5),
            due_at=NOW - timedelta(days=days),
            outcome=PromiseOutcome.BROKEN,
            outcome_at=NOW - timedelta(days=days - 1),
        )
    Interaction.objects.create(
        customer=neglected,
        channel="email",
        direction="in",
        at=NOW - timedelta(days=10),
        subject="Where is the quote?",
        needs_answer=True,
        logged_by=rep1,
    )
    leaver.is_active = False
    leaver.save()
    from tend.customers.models import Customer

    Customer.objects.update(touch_due_at=NOW + timedelta(days=10))
    return customers


def test_hand_built_book_ranked_exactly_with_reasons(five):
    run = score_book(now=NOW)
    assert run.customers == 5
    snapshots = list(
        HealthSnapshot.objects.filter(day=TODAY)
        .select_related("customer")
        .order_by("-value_at_risk", "-risk")
    )
    ranking = [(s.customer.name, s.level, [r["code"] for r in s.reasons]) for s in snapshots]
    assert ranking == [
        ("Silent", "high", ["rhythm_break", "revenue_decline"]),
        ("Declining", "medium", ["revenue_decline"]),
        ("Orphan", "medium", ["owner_inactive"]),
        ("Neglected", "medium", ["broken_promises", "unanswered_inquiries"]),
        ("Steady", "low", []),
    ]
    by_name = {s.customer.name: s for s in snapshots}

    # By hand: 13 orders of 1,000 in the last 365 days against 11 of 3,000 before is a 61%
    # drop: 0.15 + 0.35 x (0.606 - 0.3) / 0.7 = 0.303, on an annual value of 33,000.
    declining = by_name["Declining"]
    weight = 0.15 + 0.35 * (1 - 13_000 / 33_000 - 0.3) / 0.7
    assert declining.risk == pytest.approx(weight, abs=1e-6)
    assert declining.annual_value == Decimal("33000.00")
    assert declining.value_at_risk == Decimal("10000.00")
    assert declining.cause == "competition"
    assert reason_text(declining.reasons[0]) == (
        "Revenue in the last 12 months 13,000, down 61% on the 12 before"
    )

    orphan = by_name["Orphan"]
    assert orphan.risk == pytest.approx(0.3)
    assert orphan.value_at_risk == Decimal("5400.00")  # 0.3 x 18,000
    assert orphan.cause == "people"
    assert reason_text(orphan.reasons[0]) == (
        "Their owner Lee Tester has left and nobody has taken over"
    )

    neglected = by_name["Neglected"]
    assert neglected.risk == pytest.approx(1 - 0.8 * 0.85)  # two broken promises, one inquiry
    assert neglected.value_at_risk == Decimal("1920.00")  # 0.32 x 6,000
    assert neglected.cause == "service"
    assert [reason_text(r) for r in neglected.reasons] == [
        "2 promises to them broken in the last 90 days",
        "1 inquiry waiting for an answer for over 2 days",
    ]

    # Six orders of 2,000 in the last year, twelve the year before: revenue down 50%: 0.25.
    # The rhythm break weighs the larger of the capped steps (0.7) and the buying model's
    # chance of no order; a 30-day buyer silent for 200 days is, to a model that lets
    # customers leave (not BG/NBD's "a -> 0" on this book), very likely gone.
    silent = by_name["Silent"]
    rhythm = silent.reasons[0]["weight"]
    assert rhythm > 0.95
    assert silent.risk == pytest.approx(1 - (1 - rhythm) * 0.75, abs=1e-3)
    assert float(silent.value_at_risk) == pytest.approx(silent.risk * 24_000, abs=0.01)
    assert silent.cause == "rhythm"
    assert silent.days_since_last_order == 200
    assert silent.usual_gap_days == pytest.approx(30.0)
    assert reason_text(silent.reasons[0]) == "No order for 200 days; usually orders every 30 days"
    assert silent.p_alive < 0.05

    steady = by_name["Steady"]
    assert steady.risk == 0 and steady.value_at_risk == 0
    assert steady.annual_value == Decimal("12000.00")
    assert steady.expected_orders_12m == pytest.approx(12, rel=0.35)


def test_scoring_again_the_same_day_replaces_the_snapshots_and_keeps_other_days(five):
    score_book(now=NOW - timedelta(days=1))
    score_book(now=NOW)
    score_book(now=NOW)
    assert HealthSnapshot.objects.filter(day=TODAY).count() == 5
    assert HealthSnapshot.objects.filter(day=TODAY - timedelta(days=1)).count() == 5
    assert ScoreRun.objects.count() == 3


def test_playbooks_open_tasks_once_per_cooldown(five, rep1, manager1):
    score_book(now=NOW)
    tasks = Task.objects.filter(origin="playbook")
    # Silent (tier A, rhythm break, high): a call for the owner in 2 days and a manager review
    # in 7; the other rules don't match (service is only medium for Neglected, etc.).
    silent_tasks = sorted(
        (t.kind, t.assignee.username, t.due_at.date()) for t in tasks if t.customer.name == "Silent"
    )
    assert ("call", "alice", TODAY + timedelta(days=2)) in silent_tasks
    assert ("review", "maria", TODAY + timedelta(days=7)) in silent_tasks
    orphan_tasks = [(t.kind, t.assignee.username) for t in tasks if t.customer.name == "Orphan"]
    assert orphan_tasks == [("review", "maria")]  # the owner left: a manager reassigns
    count = tasks.count()
    firings = PlaybookFiring.objects.count()
    score_book(now=NOW + timedelta(days=1))
    assert Task.objects.filter(origin="playbook").count() == count
    assert PlaybookFiring.objects.count() == firings


def test_lost_customers_are_not_scored(five):
    five["Silent"].status = "lost"
    five["Silent"].save()
    run = score_book(now=NOW)
    assert run.customers == 4
    assert not HealthSnapshot.objects.filter(customer=five["Silent"]).exists()


def test_scoring_an_empty_book_stores_nothing_and_says_why(db):
    run = score_book(now=NOW)
    assert run.customers == 0
    assert run.parameters["problem"] == "no customer has an order yet"


def test_two_years_before_a_leap_day():
    from tend.health.signals import years_before

    assert years_before(date(2028, 2, 29), 2) == date(2026, 2, 28)
    assert years_before(date(2026, 11, 24), 2) == date(2024, 11, 24)


def test_a_departed_owners_customers_get_one_handover_task(five, team1, manager1):
    """Everyone a departed rep left behind is one task for the manager, on the customer with
    the most value at risk, naming the others; the cooldown then covers each of them."""
    leaver = five["Orphan"].owner
    second = CustomerFactory(name="Orphan Two", tier="B", owner=leaver, backup_owner=manager1)
    ContactFactory.create_batch(2, customer=second)
    _orders(second, None, every=30, count=24, last_ago=9, amount=500)
    from tend.customers.models import Customer

    Customer.objects.update(touch_due_at=NOW + timedelta(days=10))
    score_book(now=NOW)
    handover = Task.objects.filter(origin="playbook", detail__startswith="Their owner has left")
    assert [(t.customer.name, t.assignee.username, t.title) for t in handover] == [
        (
            "Orphan",
            "maria",
            "Give these customers a new owner and introduce them (2 customers of Lee Tester)",
        )
    ]
    assert handover[0].detail == "Their owner has left: Orphan, Orphan Two"
    rule = PlaybookFiring.objects.filter(rule__signal="owner_inactive")
    assert sorted(rule.values_list("customer__name", flat=True)) == ["Orphan", "Orphan Two"]
    score_book(now=NOW + timedelta(days=1))
    assert handover.count() == 1


def test_positions_in_a_universe_empty_or_not():
    universe = np.array([3, 7, 9])
    assert risk.positions(universe, [9, 4, 3]).tolist() == [2, -1, 0]
    assert risk.positions(np.array([], dtype=np.int64), [1, 2]).tolist() == [-1, -1]


def test_a_later_signal_source_plugs_in_with_its_reason_text(five, monkeypatch):
    from tend.health import signals

    monkeypatch.setattr(signals, "_PROVIDERS", dict(signals._PROVIDERS))
    monkeypatch.setattr(signals, "REASON_TEXTS", dict(signals.REASON_TEXTS))

    def complaints(context):
        flags = context.column([(five["Steady"].pk, True)], dtype=bool)
        return [risk.flag_signal("open_complaints", "quality", flags, 0.4, count=flags * 3)]

    signals.register_provider(
        "complaints", complaints, texts={"open_complaints": "%(count)d complaints open"}
    )
    score_book(now=NOW)
    steady = HealthSnapshot.objects.get(customer=five["Steady"], day=TODAY)
    assert (steady.cause, steady.risk) == ("quality", pytest.approx(0.4))
    assert reason_text(steady.reasons[0]) == "3 complaints open"
