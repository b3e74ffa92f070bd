"""Cohort, GRR and NRR figures on the hand-made book (see conftest), asserted exactly."""

from datetime import date
from decimal import Decimal

import pytest

from tend.reports.registry import ReportFilters
from tend.reports.scope import month_number
from tend.reports.sections import cohorts, revenue

pytestmark = pytest.mark.django_db


def test_revenue_retention_of_the_book_for_an_admin(hand_book, filters, admin_user):
    figures = revenue.retention(
        user=admin_user, filters=filters, end_month=month_number(filters.end)
    )[""]

    assert figures.customers == 4  # the newcomer is left out
    assert figures.start == Decimal("4600.00")
    assert figures.churned == Decimal("2000.00")
    assert figures.contracted == Decimal("600.00")
    assert figures.expanded == Decimal("500.00")
    assert figures.grr == pytest.approx(2000 / 4600, abs=1e-12)
    assert figures.nrr == pytest.approx(2500 / 4600, abs=1e-12)


def test_revenue_retention_by_tier_and_team(hand_book, filters, admin_user, team1, team2):
    end = month_number(filters.end)
    by_tier = revenue.retention(user=admin_user, filters=filters, end_month=end, by="tier")
    by_team = revenue.retention(user=admin_user, filters=filters, end_month=end, by="team")

    assert {tier: (f.start, f.grr, f.nrr) for tier, f in by_tier.items()} == {
        "A": (Decimal("2000.00"), 0.7, 0.95),
        "B": (Decimal("2600.00"), 600 / 2600, 600 / 2600),
    }
    assert {team: f.start for team, f in by_team.items()} == {
        team1.pk: Decimal("3000.00"),
        team2.pk: Decimal("1000.00"),
        None: Decimal("600.00"),
    }


def test_a_rep_sees_the_retention_of_their_own_customers(hand_book, filters, rep1):
    result = revenue.compute(filters, rep1)

    assert result.figures["start"] == "3000.00"
    assert result.figures["grr"] == pytest.approx(1000 / 3000)
    assert result.figures["nrr"] == pytest.approx(0.5)
    assert result.sample == 2


def test_the_trend_ends_with_the_report_month(hand_book, filters, admin_user):
    trend = revenue.compute(filters, admin_user).figures["trend"]

    assert [point["month"] for point in (trend[0], trend[-1])] == ["2025-07", "2026-06"]
    assert trend[-1]["grr"] == pytest.approx(2000 / 4600)


def test_drill_down_names_the_customers_behind_churned_contracted_expanded(
    hand_book, filters, admin_user
):
    def names(drill):
        return sorted(c.name for c in revenue.customers(filters, admin_user, drill))

    assert names("all") == ["Churner", "Expander", "Shrinker", "Steady"]
    assert names("all:churned") == ["Churner"]
    assert names("all:contracted") == ["Shrinker"]
    assert names("all:expanded") == ["Expander"]
    assert names("tier-A:expanded") == ["Expander"]
    assert revenue.customers(filters, admin_user, "all:nonsense") is None


def test_quarterly_cohorts_of_the_book(hand_book, filters, admin_user):
    result = cohorts.compute(filters, admin_user)
    by_cohort = {row["cohort"]: row for row in result.figures["cohorts"]}

    q3_2024 = by_cohort["2024 Q3"]  # churner and shrinker
    assert q3_2024["customers"] == 2
    assert q3_2024["retained"] == [1.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0]
    assert q3_2024["revenue_retained"][4] == pytest.approx(400 / 3000, abs=1e-4)
    q1_2025 = by_cohort["2025 Q1"]  # expander: back four quarters later, buying 1.5 times
    assert q1_2025["retained"] == [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, None, None]
    assert q1_2025["revenue_retained"][4] == 1.5
    assert by_cohort["2025 Q2"]["retained"][:2] == [1.0, 1.0]  # steady
    assert by_cohort["2026 Q1"]["customers"] == 1  # newcomer
    assert by_cohort["2026 Q2"]["customers"] == 0
    assert result.sample == 5
    # Next quarter again: 0 of 2, 0 of 1, 1 of 1, 0 of 1 → 25% on average.
    assert result.headline.startswith("25%")


def test_monthly_cohorts_and_their_drill_down(hand_book, admin_user):
    filters = ReportFilters(end=date(2026, 6, 1), grain="month")
    result = cohorts.compute(filters, admin_user)
    by_cohort = {row["cohort"]: row for row in result.figures["cohorts"]}

    assert by_cohort["2025-07"]["customers"] == 0
    assert by_cohort["2026-03"]["customers"] == 1
    june_2025 = month_number(date(2025, 6, 1))
    assert [c.name for c in cohorts.customers(filters, admin_user, f"{june_2025}")] == ["Steady"]
    quarter = ReportFilters(end=date(2026, 6, 1))
    q3 = month_number(date(2024, 7, 1))
    assert sorted(c.name for c in cohorts.customers(quarter, admin_user, f"{q3}")) == [
        "Churner",
        "Shrinker",
    ]
    assert [c.name for c in cohorts.customers(quarter, admin_user, f"{q3}:4")] == ["Shrinker"]
    assert cohorts.customers(quarter, admin_user, "1:2:3") is None
