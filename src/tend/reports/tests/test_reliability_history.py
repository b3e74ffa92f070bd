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
