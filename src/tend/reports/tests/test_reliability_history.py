"""A rep who left stays in reliability history, and the team's figure does not jump."""

from datetime import UTC, date, datetime

import pytest

from tend.accounts.models import Role
from tend.accounts.tests.factories import UserFactory
from tend.customers.tests.factories import CustomerFactory
from tend.engagement.models import Promise, PromiseOutcome
from tend.reports.sections import reliability

pytestmark = pytest.mark.django_db


def promise(person, customer, day, outcome):
    due = datetime(2026, 5, day, 12, tzinfo=UTC)
    return Promise.objects.create(
        customer=customer, kind="quote", made_by=person, due_at=due, made_at=due, outcome=outcome
    )


@pytest.fixture
def history(rep1, team1):
    leaver = UserFactory(username="lena", first_name="Lena", role=Role.REP, team=team1)
    customer = CustomerFactory(owner=rep1)
    promise(rep1, customer, 3, PromiseOutcome.KEPT)
    promise(rep1, customer, 4, PromiseOutcome.BROKEN)
    promise(leaver, customer, 5, PromiseOutcome.KEPT)
    promise(leaver, customer, 6, PromiseOutcome.KEPT)
    promise(leaver, customer, 7, PromiseOutcome.KEPT_LATE)
    promise(leaver, customer, 8, PromiseOutcome.WITHDRAWN)  # does not count
    return leaver


def test_a_rep_who_left_stays_in_history_and_the_team_figure_does_not_jump(
    history, manager1, filters
):
    before = reliability.compute(filters, manager1)
    history.is_active = False
    history.save(update_fields=["is_active"])
    after = reliability.compute(filters, manager1)

    may = before.figures["months"].index("2026-05")
    assert before.figures["on_time_rate"][may] == pytest.approx(3 / 5)
    assert after.figures["on_time_rate"] == before.figures["on_time_rate"]
    lena = next(p for p in after.figures["people"] if p["name"] == "Lena Tester")
    assert lena["active"] is False
    assert lena["on_time_rate"][may] == pytest.approx(2 / 3)
    assert any(str(row[0]) == "Lena Tester (left)" for row in after.table.rows)


def test_the_reliability_page_keeps_the_rep_who_left(history, manager1, client):
    history.is_active = False
    history.save(update_fields=["is_active"])
    client.force_login(manager1)

    response = client.get("/engagement/reliability/?start=2026-05-01&end=2026-05-31")

    assert response.status_code == 200
    assert [row.person.username for row in response.context["rows"]].count("lena") == 1
    assert response.context["total"].kept == 3


def test_drill_down_lists_customers_of_promises_not_kept_on_time(history, manager1, filters):
    from tend.reports.scope import month_number

    may = month_number(date(2026, 5, 1))
    customers = reliability.customers(filters, manager1, f"{history.pk}-{may}")

    assert customers.count() == 1
    assert reliability.customers(filters, manager1, "x-1") is None


def test_story_s5_the_rep_who_leaves_keeps_their_reliability_history(
    history, rep1, manager1, client
):
    """S5: a handover moves the leaver's customers and open promises; the report still shows the
    promises they kept and broke, and the team's monthly figure is the same before and after."""
    from tend.handover.services import HandoverRule, Strategy, handover_execute

    CustomerFactory(name="Lena's Dealer", owner=history)
    client.force_login(manager1)
    before = client.get("/reports/?end=2026-06").context["results"]
    handover_execute(
        by=manager1, person=history, rule=HandoverRule(strategy=Strategy.ONE, successor=rep1)
    )
    after = client.get("/reports/?end=2026-06").context["results"]

    history.refresh_from_db()
    assert history.is_active is False
    reliability_before = {s.key: r for s, r in before}["reliability"]
    reliability_after = {s.key: r for s, r in after}["reliability"]
    assert reliability_after.figures["on_time_rate"] == reliability_before.figures["on_time_rate"]
    assert [str(row[0]) for row in reliability_after.table.rows][:2] == [
        "Alice Tester",
        "Lena Tester (left)",
    ]


def test_touched_in_cadence_has_a_monthly_history_that_a_rep_who_left_keeps(
    rep1, team1, manager1, filters
):
    """The job records each month's share; the section reads it back per person and for
    everyone shown; the leaver's months stay, so May's figure does not change when they go."""
    from datetime import timedelta

    from tend.customers.models import Customer
    from tend.reports.cadence import cadence_months_record
    from tend.reports.models import CadenceMonth

    leaver = UserFactory(username="lena", first_name="Lena", role=Role.REP, team=team1)
    april = datetime(2026, 4, 30, 12, tzinfo=UTC)
    may = datetime(2026, 5, 31, 12, tzinfo=UTC)
    kept = CustomerFactory(owner=rep1)
    late = CustomerFactory(owner=rep1)
    lenas = [CustomerFactory(owner=leaver) for _ in range(4)]
    june = may + timedelta(days=1)
    Customer.objects.filter(pk__in=[kept.pk, *(c.pk for c in lenas)]).update(touch_due_at=june)
    Customer.objects.filter(pk=late.pk).update(touch_due_at=datetime(2026, 4, 15, tzinfo=UTC))

    assert cadence_months_record(now=april) == 2  # rep1: 1 of 2 in cadence; Lena 4 of 4
    assert cadence_months_record(now=may) == 2
    april_n, may_n = 2026 * 12 + 3, 2026 * 12 + 4
    assert {
        (row.person_id, row.month): (row.customers, row.touched)
        for row in CadenceMonth.objects.all()
    } == {
        (rep1.pk, april_n): (2, 1),
        (leaver.pk, april_n): (4, 4),
        (rep1.pk, may_n): (2, 1),
        (leaver.pk, may_n): (4, 4),
    }

    before = reliability.compute(filters, manager1)
    # The leaver's customers go to someone else, and they leave.
    Customer.objects.filter(pk__in=[c.pk for c in lenas]).update(owner=rep1)
    leaver.is_active = False
    leaver.save(update_fields=["is_active"])
    after = reliability.compute(filters, manager1)

    m = after.figures["months"].index("2026-05")
    assert before.figures["touched_in_cadence"][m] == pytest.approx(5 / 6)
    assert after.figures["touched_in_cadence"] == before.figures["touched_in_cadence"]
    lena = next(p for p in after.figures["people"] if p["name"] == "Lena Tester")
    assert lena["touched_in_cadence"][m] == 1.0
    assert lena["touched_in_cadence"][m - 1] == 1.0
    row = next(r for r in after.table.rows if str(r[0]) == "Touched in cadence, everyone shown")
    assert row[1 + m].value == pytest.approx(5 / 6)
