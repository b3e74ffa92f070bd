"""The SLA watch runs every 15 minutes but looks only at the cases due a look: one that changed,
or whose clock can have crossed a level (the first response's target, 50 %, 75 %, breach) since.
It sends exactly what recomputing every open case would send, once, and its cost does not grow
with the number of open cases."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tend.accounts.models import Role
from tend.accounts.tests.factories import TeamFactory, UserFactory
from tend.cases import services
from tend.cases.models import Case, CaseEvent, EventKind, SlaAlert
from tend.cases.services import alerts
from tend.customers.tests.factories import CustomerFactory
from tend.tasks.models import Task

pytestmark = pytest.mark.django_db


def dubai(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment in Dubai (UTC+4), in the week of Monday 16 November 2026 (no holiday there)."""
    return datetime(2026, 11, day, hour - 4, minute, second, tzinfo=UTC)


@pytest.fixture
def people():
    team = TeamFactory(name="Service")
    owner = UserFactory(username="eng", role=Role.REP, team=team)
    manager = UserFactory(username="svcmgr", role=Role.MANAGER, team=team)
    return owner, manager


def open_case(owner, *, severity="high", title="Unit trips its breaker"):
    return services.case_open(
        by=owner,
        customer=CustomerFactory(owner=owner, tier="A"),  # in Dubai, Monday to Friday
        title=title,
        description="Unit 3 trips after an hour.",
        category="quality",
        severity=severity,  # tier A, high: first response 4 h, resolution 27 working hours
        channel="call",
    )


@pytest.fixture
def looks(monkeypatch):
    """Which cases each run of the watch looked at."""
    seen: list[int] = []
    original = alerts.case_sla_check

    def counted(*, case, now):
        seen.append(case.pk)
        return original(case=case, now=now)

    monkeypatch.setattr(alerts, "case_sla_check", counted)
    return seen


def run_every_quarter_hour(clock, start, end, django_capture_on_commit_callbacks):
    moment = start
    while moment <= end:
        clock.now = moment
        with django_capture_on_commit_callbacks(execute=True):
            services.cases_sla_check(now=moment)
        moment += timedelta(minutes=15)


def test_a_week_of_runs_warns_once_per_level_and_escalates_once(
    clock, people, looks, django_capture_on_commit_callbacks, mailoutbox
):
    owner, manager = people
    clock.now = dubai(16, 9)  # Monday 09:00
    case = open_case(owner)
    assert case.sla_check_at == dubai(16, 9)  # new: due a look at once

    run_every_quarter_hour(clock, dubai(16, 9), dubai(20, 18), django_capture_on_commit_callbacks)

    # The first response is late after Monday 13:00; 50 % (13.5 h) is Tuesday 13:30, 75 %
    # (20.25 h) Wednesday 11:15, and the 27 hours end on Wednesday at 18:00: breached from
    # Thursday morning. Each is caught by the first run after it, and sent once.
    sent = [
        (event.at, event.kind, event.data.get("level"))
        for event in CaseEvent.objects.filter(
            case=case, kind__in=[EventKind.WARNING, EventKind.ESCALATION]
        ).order_by("at", "pk")
    ]
    assert sent == [
        (dubai(16, 13, 15), EventKind.WARNING, 100),  # the first response is late
        (dubai(17, 13, 45), EventKind.WARNING, 50),
        (dubai(18, 11, 30), EventKind.WARNING, 75),
        (dubai(19, 9, 15), EventKind.ESCALATION, None),
    ]
    assert sorted(SlaAlert.objects.filter(case=case).values_list("clock", "level")) == [
        ("resolution", 50),
        ("resolution", 75),
        ("resolution", 100),
        ("response", 100),
    ]
    assert Task.objects.filter(assignee=manager, origin="case_sla").count() == 1
    assert len([m for m in mailoutbox if m.to == [manager.email]]) == 1
    case.refresh_from_db()
    assert case.escalated_to == manager and case.sla_check_at is None  # nothing left to cross
    # The breach is dated when the 27 hours ran out, not when a run last computed the clock.
    assert case.sla_breached_at == case.sla_resolution_due_at == dubai(18, 18)

    # 437 runs over the week; the case was looked at when opened and once at each level
    # (a level's first look falls a second short of it, the next catches it).
    assert len(looks) <= 10
    assert looks.count(case.pk) == len(looks)


def test_between_levels_the_case_waits_for_its_next_crossing(clock, people, looks):
    owner, _manager = people
    clock.now = dubai(16, 9)
    case = open_case(owner)
    services.case_respond(case=case, by=owner, text="On it.")  # no response clock left
    clock.now = dubai(16, 9, 15)
    services.cases_sla_check(now=clock.now)
    case.refresh_from_db()
    assert case.sla_check_at == dubai(17, 13, 30, 1)  # 50 %: Tuesday 13:30, and a second
    for moment in (dubai(16, 10), dubai(16, 17), dubai(17, 9), dubai(17, 13, 30)):
        services.cases_sla_check(now=moment)
    assert looks == [case.pk]
    services.cases_sla_check(now=dubai(17, 13, 45))
    assert looks == [case.pk, case.pk]


def test_a_new_event_brings_the_case_back_and_a_pause_stops_the_looks(clock, people, looks):
    owner, _manager = people
    clock.now = dubai(16, 9)
    case = open_case(owner)
    services.case_respond(case=case, by=owner, text="On it.")
    services.cases_sla_check(now=dubai(16, 9, 15))

    # Waiting on the customer pauses the clock: one look at the change, then none.
    clock.now = dubai(16, 10)
    services.case_set_status(case=case, by=owner, status="waiting_customer", note="Photos?")
    services.cases_sla_check(now=dubai(16, 10, 15))
    case.refresh_from_db()
    assert case.sla_check_at is None
    for moment in (dubai(16, 12), dubai(17, 12), dubai(18, 11)):
        services.cases_sla_check(now=moment)
    assert looks == [case.pk, case.pk]

    # Back to work, and the pause struck out as a mistake: Monday to Wednesday noon is 21 of
    # the 27 hours, past 75 % at once. The next run looks, and warns once.
    clock.now = dubai(18, 12)
    services.case_set_status(case=case, by=owner, status="in_progress", note="Photos came")
    pause = CaseEvent.objects.get(case=case, to_status="waiting_customer")
    services.case_correct(
        case=case, by=owner, event=pause, void=True, reason="Set by mistake: we never waited."
    )
    assert services.cases_sla_check(now=dubai(18, 12, 15)) == 1
    levels = SlaAlert.objects.filter(case=case).values_list("level", flat=True)
    assert sorted(levels) == [50, 75]
    assert len(looks) == 3


def test_the_watch_costs_the_same_with_many_calm_open_cases(clock, people):
    owner, _manager = people
    clock.now = dubai(16, 9)

    def queries_of_a_run(now):
        with CaptureQueriesContext(connection) as run:
            services.cases_sla_check(now=now)
        return len(run.captured_queries)

    hot = open_case(owner, severity="critical", title="Hot")  # 2 h to respond
    open_case(owner, severity="low", title="Calm")
    services.cases_sla_check(now=dubai(16, 9, 15))  # every new case gets its next look
    idle = queries_of_a_run(dubai(16, 10))
    busy = queries_of_a_run(dubai(16, 11, 15))  # the hot case's first response is late
    assert SlaAlert.objects.filter(case=hot).count() == 1

    hot = open_case(owner, severity="critical", title="Hot again")
    for n in range(15):
        open_case(owner, severity="low", title=f"Calm {n}")
    assert Case.objects.filter(status__in=["new", "in_progress", "waiting_customer"]).count() == 18
    services.cases_sla_check(now=dubai(16, 9, 15))
    assert queries_of_a_run(dubai(16, 10)) == idle == 1  # which cases are due: none
    assert queries_of_a_run(dubai(16, 11, 15)) == busy  # the one late case, as before
    assert SlaAlert.objects.filter(case=hot).count() == 1


def test_a_correction_that_backdates_the_opening_dates_the_breach_when_the_hours_ran_out(
    clock, people
):
    """Opened on the phone on Monday and logged on Thursday: corrected, the case breached on
    Wednesday at 18:00 (27 working hours in Dubai), not when the correction was saved."""
    owner, _manager = people
    clock.now = dubai(19, 10)  # Thursday 10:00
    case = open_case(owner)
    assert case.sla_breached_at is None
    opened = CaseEvent.objects.get(case=case, kind=EventKind.OPENED)
    clock.now = dubai(19, 11)
    services.case_correct(
        case=case, by=owner, event=opened, at=dubai(16, 9), reason="Phoned in on Monday."
    )
    case.refresh_from_db()
    assert case.sla_breached_at == case.sla_resolution_due_at == dubai(18, 18)
