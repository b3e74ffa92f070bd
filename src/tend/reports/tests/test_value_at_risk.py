"""Value at risk over time: read from the day totals the scoring keeps with its snapshots, the
same sums as the snapshots, scoped like every report, and a month's figure by team stays what
it was when a customer later changes hands."""

from datetime import date
from decimal import Decimal

import pytest

from tend.customers.models import Customer
from tend.customers.tests.factories import CustomerFactory
from tend.demo.builder import build_demo
from tend.health.models import HealthSnapshot, RiskDayTotal, ScoreRun
from tend.health.services.day_totals import risk_day_totals_write
from tend.reports.registry import ReportFilters
from tend.reports.sections import risk

pytestmark = pytest.mark.django_db

END = date(2026, 6, 1)
MAY, JUNE = date(2026, 5, 31), date(2026, 6, 30)


def snapshot(customer, day, value, cause="rhythm"):
    HealthSnapshot.objects.create(
        customer=customer,
        day=day,
        risk=0.5,
        level="high" if value else "low",
        cause=cause,
        value_at_risk=Decimal(value),
        annual_value=Decimal("1000"),
    )


@pytest.fixture
def scored(rep1, rep2):
    """Alice (Middle East) owns a and b, Bob (Europe) owns c, d is in the pool."""
    a = CustomerFactory(owner=rep1, tier="A")
    b = CustomerFactory(owner=rep1, tier="B")
    c = CustomerFactory(owner=rep2, tier="A", country="DE")
    d = CustomerFactory(owner=None, tier="C")
    for day, values in ((MAY, ("100", "50", "200", "0")), (JUNE, ("120", "0", "300", "40"))):
        for customer, value in zip((a, b, c, d), values, strict=True):
            snapshot(customer, day, value, cause="service" if customer is c else "rhythm")
        ScoreRun.objects.create(day=day, customers=4)
        risk_day_totals_write(day)
    return a, b, c, d


def test_the_totals_are_the_snapshots_sums_by_cause_and_team(scored, admin_user, team1, team2):
    result = risk.compute(ReportFilters(end=END), admin_user)

    assert result.figures["days"] == ["2026-05-31", "2026-06-30"]
    assert result.figures["total"] == ["350.00", "460.00"]
    assert result.figures["by_cause"] == {
        "rhythm": ["150.00", "160.00"],
        "service": ["200.00", "300.00"],
    }
    assert result.sample == 3  # customers with value at risk on the latest day
    by_team = {row[0]: row[-4:-1] for row in result.table.rows}  # Middle East, Europe, pool
    assert by_team["2026-06-30"] == [Decimal("120.00"), Decimal("300.00"), Decimal("40.00")]


def test_scoped_like_every_report(scored, rep1, manager1, admin_user):
    # Alice: her own customers; the manager of the Middle East: the team's and the pool.
    assert risk.compute(ReportFilters(end=END), rep1).figures["total"] == ["150.00", "120.00"]
    assert risk.compute(ReportFilters(end=END), manager1).figures["total"] == ["150.00", "160.00"]
    tier_a = ReportFilters(end=END, tier="A")
    assert risk.compute(tier_a, admin_user).figures["total"] == ["300.00", "420.00"]
    germany = ReportFilters(end=END, country="DE")
    assert risk.compute(germany, admin_user).figures["total"] == ["200.00", "300.00"]


def test_a_month_stays_with_the_team_of_the_time_when_a_customer_moves(scored, admin_user, rep2):
    a = scored[0]
    Customer.objects.filter(pk=a.pk).update(owner=rep2)

    result = risk.compute(ReportFilters(end=END), admin_user)

    by_team = {row[0]: row[-4:-1] for row in result.table.rows}  # Middle East, Europe, pool
    assert by_team["2026-05-31"] == [Decimal("150.00"), Decimal("200.00"), Decimal("0.00")]


def test_scoring_keeps_the_totals_with_its_snapshots():
    build_demo(customers=120, seed=7, today=date(2026, 3, 2), write=lambda _: None)

    for run in ScoreRun.objects.all():
        snapshots = HealthSnapshot.objects.filter(day=run.day, value_at_risk__gt=0)
        totals = RiskDayTotal.objects.filter(day=run.day)
        assert sum(t.customers for t in totals) == snapshots.count()
        assert sum(t.value_at_risk for t in totals) == sum(s.value_at_risk for s in snapshots)
