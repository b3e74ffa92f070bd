"""Trends and the imbalance report on a small book: figures per tier with n and interval, and
a flag only where the gap is outside the interval."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tend.customers.models import Customer
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement.models import Interaction, Promise, PromiseOutcome
from tend.voice import reports
from tend.voice.models import Survey, SurveyAnswer, SurveyKind, SurveySend

pytestmark = pytest.mark.django_db


def inquiry(customer, hours, by, now):
    Interaction.objects.create(
        customer=customer,
        channel="email",
        direction="in",
        at=now - timedelta(days=3),
        logged_by=by,
        needs_answer=True,
        answered_at=now - timedelta(days=2),
        response_hours=Decimal(str(hours)),
    )


def promise(customer, outcome, by, now):
    Promise.objects.create(
        customer=customer, kind="quote", made_by=by, due_at=now - timedelta(days=5), outcome=outcome
    )


def answer(customer, score, now, kind=SurveyKind.NPS, days_ago=1):
    contact = ContactFactory(customer=customer)
    send = SurveySend.objects.create(
        survey=Survey.objects.filter(kind=kind).first(),
        customer=customer,
        contact=contact,
        trigger="manual",
        idempotency_key=f"t:{contact.pk}",
        token_hash=f"{contact.pk:064d}",
        expires_at=now,
    )
    return SurveyAnswer.objects.create(
        send=send,
        customer=customer,
        kind=kind,
        score=score,
        answered_at=now - timedelta(days=days_ago),
    )


@pytest.fixture
def tiers(rep1):
    return {tier: CustomerFactory(tier=tier, owner=rep1) for tier in "ABC"}


def test_imbalance_flags_a_gap_outside_the_interval_and_not_one_inside(tiers, rep1):
    now = timezone.now()
    for tier in "AB":
        for hours in [1, 2] * 5:
            inquiry(tiers[tier], hours, rep1, now)
    for hours in [8, 9, 10, 8, 9, 10, 8, 9, 10, 9]:
        inquiry(tiers["C"], hours, rep1, now)
    # Promises kept on time: A 8/10, B 7/10, C 8/10: differences well inside their intervals.
    for tier, kept in (("A", 8), ("B", 7), ("C", 8)):
        for index in range(10):
            outcome = PromiseOutcome.KEPT if index < kept else PromiseOutcome.BROKEN
            promise(tiers[tier], outcome, rep1, now)
    rows = {
        row.metric.key: row
        for row in reports.imbalance_report(
            customers=Customer.objects.all(), start=now - timedelta(days=365), end=now, now=now
        )
    }
    response = {cell.tier: cell for cell in rows["response_hours"].cells}
    assert response["C"].estimate.value == pytest.approx(9.0)
    assert response["C"].estimate.n == 10
    assert response["C"].gap.difference == pytest.approx(7.5)  # 9.0 against 1.5
    assert response["C"].gap.flagged and response["C"].gap.worse
    assert rows["response_hours"].overall.n == 30
    on_time = {cell.tier: cell for cell in rows["promises_on_time"].cells}
    assert on_time["B"].estimate.value == pytest.approx(70.0)
    assert on_time["B"].gap.difference == pytest.approx(-10.0)  # 70% against 80%
    assert rows["promises_on_time"].flagged == []


def test_the_cases_hook_adds_a_figure_with_one_call(tiers, rep1):
    from tend.voice import stats

    metric = reports.register_imbalance_metric(
        reports.ImbalanceMetric(
            "test_sla", "SLA met", "%", True, lambda **kw: {"C": stats.Moments(4, 1, 1)}, 100.0
        )
    )
    try:
        now = timezone.now()
        rows = reports.imbalance_report(
            customers=Customer.objects.all(), start=now - timedelta(days=30), end=now, now=now
        )
        sla = next(row for row in rows if row.metric is metric)
        assert sla.cells[2].estimate.value == pytest.approx(25.0)
        assert sla.cells[0].estimate.n == 0
    finally:
        reports._METRICS.pop("test_sla")


def test_one_answer_shows_its_value_and_n_without_a_zero_interval(tiers, rep1, client):
    answer(tiers["C"], 4, timezone.now(), kind=SurveyKind.CSAT)
    client.force_login(rep1)
    page = client.get("/voice/").content.decode()
    assert "n=1" in page and "± 0.00" not in page


def test_trends_by_tier_and_month_count_nps_and_csat(tiers, rep1):
    now = timezone.now()
    for score in (10, 9, 3):
        answer(tiers["A"], score, now)
    answer(tiers["C"], 6, now)
    answer(tiers["C"], 2, now, kind=SurveyKind.CSAT)
    answer(tiers["C"], 9, now, days_ago=400)  # outside the year
    start = now - timedelta(days=365)
    by_tier = {
        row.label: row
        for row in reports.voice_trend(
            customers=Customer.objects.all(), start=start, end=now, group="tier"
        )
    }
    assert by_tier["A"].nps.value == pytest.approx(100 * (2 - 1) / 3)
    assert by_tier["A"].nps.n == 3
    assert by_tier["C"].nps.value == pytest.approx(-100.0)
    assert by_tier["C"].csat.value == pytest.approx(2.0) and by_tier["C"].csat.n == 1
    assert by_tier["C"].csat.margin is None  # one answer: no interval to show
    overall = reports.voice_overall(customers=Customer.objects.all(), start=start, end=now)
    assert overall.nps.n == 4
    for group in reports.GROUPS:
        rows = reports.voice_trend(
            customers=Customer.objects.all(), start=start, end=now, group=group
        )
        assert sum(row.nps.n for row in rows) == 4
