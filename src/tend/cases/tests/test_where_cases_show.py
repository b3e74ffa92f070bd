"""Where cases show besides their own pages: handover, the agenda, the customer page and its
timeline, the health signals, and the selectors other apps read."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from tend.accounts.tests.factories import UserFactory
from tend.agenda.registry import AgendaContext
from tend.cases import selectors, services
from tend.cases.agenda_sections import cases_rows
from tend.cases.health_signals import quality_signals, service_signals
from tend.cases.models import Case, CaseEvent, EventKind
from tend.customers.panels import panel_url
from tend.handover import services as handover
from tend.handover.selectors import inactive_assignments
from tend.handover.services import HandoverRule
from tend.health.signals import ScoringContext, reason_text
from tend.timeline.models import TimelineEntry

pytestmark = pytest.mark.django_db


def _case(
    customer, by, *, title="Broken kettle", category="quality", severity="medium", opened_at=None
):
    return services.case_open(
        by=by,
        customer=customer,
        title=title,
        description="Lid cracked",
        category=category,
        severity=severity,
        channel="email",
        opened_at=opened_at,
    )


def test_handover_moves_open_cases_as_recorded_hand_offs(book, rep1, manager1, team1):
    carl = UserFactory(username="carl", first_name="Carl", team=team1)
    open_case = _case(book["rep1_owned"], rep1)
    closed = _case(book["rep1_owned"], rep1, title="Old one")
    services.case_resolve(case=closed, by=rep1, resolution="explanation", note="Explained")
    services.case_close(case=closed, by=rep1, root_cause="Manual", customer_satisfied=True)

    handover.handover_execute(by=manager1, person=rep1, rule=HandoverRule(successor=carl))

    open_case.refresh_from_db()
    closed.refresh_from_db()
    assert (open_case.owner, closed.owner) == (carl, rep1)
    event = CaseEvent.objects.get(case=open_case, kind=EventKind.HANDOFF)
    assert (event.from_owner, event.to_owner, event.actor) == (rep1, carl, manager1)
    assert open_case.handoffs == 1
    rep1.is_active = False
    rep1.save()
    assert [line for line in inactive_assignments() if "case" in line] == []


def test_my_cases_on_the_agenda_nearest_to_breach_first(book, rep1, manager1):
    now = timezone.now()
    calm = _case(book["rep1_owned"], rep1, title="Calm")
    hot = _case(
        book["rep1_owned"],
        rep1,
        title="Hot",
        severity="critical",
        opened_at=now - timedelta(days=20),
    )
    now = timezone.now()  # the watch runs after the cases were opened
    services.cases_sla_check(now=now)
    context = AgendaContext(
        user=rep1, viewer=rep1, now=now, today=now.date(), end_of_today=now + timedelta(hours=12)
    )
    result = cases_rows(context, 10)
    assert [row.item.pk for row in result.rows] == [hot.pk, calm.pk]
    assert result.rows[0].overdue is True and result.total == 2
    hot.refresh_from_db()
    assert hot.escalated_to == manager1  # the breach went to rep1's team manager
    manager_rows = cases_rows(
        AgendaContext(user=manager1, viewer=manager1, now=now, today=now.date(), end_of_today=now),
        10,
    )
    assert [row.item.pk for row in manager_rows.rows] == [hot.pk]


def test_customer_page_shows_the_cases_panel_and_timeline_entries(book, rep1, client):
    case = _case(book["rep1_owned"], rep1, title="Leaking seal")
    services.case_hand_off(case=case, to=UserFactory(username="svc"), by=rep1, reason="Service")
    client.force_login(rep1)
    html = client.get(panel_url(book["rep1_owned"].pk, "cases")).content.decode()
    assert 'id="customer-cases"' in html and "Leaking seal" in html
    titles = list(
        TimelineEntry.objects.filter(kind="case").order_by("id").values_list("title", flat=True)
    )
    assert titles[0].startswith("Case opened (Quality, Medium): Leaking seal")
    assert "handed from Alice Tester to" in titles[1]


def test_quality_and_service_signals_with_reasons_in_plain_words(book, rep1, rep2):
    now = timezone.now()
    mine, theirs = book["rep1_owned"], book["rep2_owned"]
    for _ in range(2):
        _case(mine, rep1, opened_at=now - timedelta(days=3))
    bounced = _case(theirs, rep2, category="service", opened_at=now - timedelta(days=40))
    other = UserFactory(username="svc2")
    for to, by in [(other, rep2), (rep2, other), (other, rep2)]:
        services.case_hand_off(case=bounced, to=to, by=by, reason="not mine")
    services.cases_sla_check(now=now)
    ids = np.array(sorted([mine.pk, theirs.pk]))
    context = ScoringContext(customer_ids=ids, now=now, today=now.date())
    quality = {s.code: s for s in quality_signals(context)}
    where = {pk: i for i, pk in enumerate(ids)}
    assert quality["quality_complaints"].weight[where[mine.pk]] == pytest.approx(0.2)
    assert quality["quality_complaints"].weight[where[theirs.pk]] == 0
    service = {s.code: s for s in service_signals(context)}
    assert service["cases_bounced"].weight[where[theirs.pk]] > 0
    assert service["cases_late"].weight[where[theirs.pk]] > 0
    assert service["cases_late"].weight[where[mine.pk]] == 0
    assert (
        service["cases_bounced"].cause == "service"
        and quality["quality_complaints"].cause == "quality"
    )
    assert reason_text({"code": "cases_bounced", "params": {"count": 1}}) == (
        "1 complaint passed between our people 3 or more times"
    )


def test_interfaces_for_reports_and_voice(book, rep1):
    open_case = _case(book["rep1_owned"], rep1)
    done = _case(book["rep1_backup"], rep1)
    services.case_respond(case=done, by=rep1, text="On it")
    services.case_resolve(case=done, by=rep1, resolution="repair", note="Repaired")
    assert set(selectors.customers_with_open_cases().values_list("customer_id", flat=True)) == {
        book["rep1_owned"].pk
    }
    outcomes = {o.case_id: o for o in selectors.case_sla_outcomes(cases=Case.objects.all())}
    assert outcomes[done.pk].first_response_met is True
    assert outcomes[done.pk].resolution_met is True
    assert outcomes[open_case.pk].resolution_met is None
