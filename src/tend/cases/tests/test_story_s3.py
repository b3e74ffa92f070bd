"""Story S3, the broken air conditioner (seed 004): a complaint passed between sales and service
keeps one accountable owner, every hand-off shows, and when the SLA nears and passes the case
escalates to the owner's manager. The clock counts the customer's working hours only: not their
weekend, not their country's public holiday."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from tend.accounts.models import Role
from tend.accounts.tests.factories import TeamFactory, UserFactory
from tend.cases import services
from tend.cases.models import Case, CaseEvent, EventKind, SlaAlert
from tend.customers.tests.factories import CustomerFactory
from tend.tasks.models import Task

pytestmark = pytest.mark.django_db


def dubai(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Dubai (UTC+4) in late 2026: Sat 5 and Sun 6 December are the weekend there,
    Wed 2 and Thu 3 December National Day."""
    return datetime(2026, 11 if day > 20 else 12, day, hour - 4, minute, tzinfo=UTC)


def test_story_s3_case_bounced_between_sales_and_service_keeps_one_owner_and_escalates(
    clock, django_capture_on_commit_callbacks, mailoutbox
):
    sales, service = TeamFactory(name="Sales"), TeamFactory(name="Service")
    seller = UserFactory(username="sami", first_name="Sami", role=Role.REP, team=sales)
    engineer = UserFactory(username="eng", first_name="Omar", role=Role.REP, team=service)
    service_manager = UserFactory(username="svcmgr", role=Role.MANAGER, team=service)
    UserFactory(username="salesmgr", role=Role.MANAGER, team=sales)
    customer = CustomerFactory(name="Gulf Cooling LLC", owner=seller, tier="A")

    clock.now = dubai(30, 9)  # Monday 30 November, 09:00 in Dubai
    case = services.case_open(
        by=seller,
        customer=customer,
        title="Air conditioner stops after an hour",
        description="Unit 3 of the October shipment trips its breaker.",
        category="quality",
        severity="high",  # tier A, high: first response 4 h, resolution 27 working hours
        channel="call",
    )
    assert case.owner == seller

    hops = [
        (10, seller, engineer, "A technical fault: service handles it"),
        (11, engineer, seller, "Customer asks about a refund: sales decides"),
        (12, seller, engineer, "Refund is not the question, repair is"),
    ]
    for hour, by, to, why in hops:
        clock.now = dubai(30, hour)
        services.case_hand_off(case=case, to=to, by=by, reason=why)
        case.refresh_from_db()
        assert case.owner_id == to.pk  # one owner at every moment, never none
    assert case.owner == engineer
    assert case.handoffs == 3
    assert case.handbacks == 2  # back to sales, then back to service
    handoffs = list(CaseEvent.objects.filter(case=case, kind=EventKind.HANDOFF).order_by("at"))
    assert [(e.from_owner.username, e.to_owner.username, e.data["back"]) for e in handoffs] == [
        ("sami", "eng", False),
        ("eng", "sami", True),
        ("sami", "eng", True),
    ]
    assert [e.data["to_team"] for e in handoffs] == ["Service", "Sales", "Service"]

    # The owner moves by hand-off only: not by a save, not by an update.
    case.owner = seller
    with pytest.raises(ValidationError):
        case.save()
    with pytest.raises(ValidationError):
        Case.objects.filter(pk=case.pk).update(owner=seller)
    case.refresh_from_db()
    assert case.owner == engineer

    services.case_respond(case=case, by=engineer, text="We send a technician on Friday.")

    # Thursday 3 December 17:00: Mon and Tue (18 h) count; the National Day holiday does not.
    clock.now = dubai(3, 17)
    services.case_sla_check(case=case, now=clock.now)
    case.refresh_from_db()
    assert case.sla_resolution_working_hours == 18
    assert case.sla_used_pct == 66
    assert set(SlaAlert.objects.filter(case=case).values_list("level", flat=True)) == {50}

    # Friday 4 December 13:30: 22.5 h, past 75%.
    clock.now = dubai(4, 13, 30)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_sla_check(case=case, now=clock.now)
    case.refresh_from_db()
    assert float(case.sla_resolution_working_hours) == 22.5
    assert case.sla_breached_at is None

    # Sunday 6 December: the weekend adds nothing (27 h used, not yet past).
    clock.now = dubai(6, 15)
    services.case_sla_check(case=case, now=clock.now)
    case.refresh_from_db()
    assert case.sla_resolution_working_hours == 27
    assert case.escalated_to is None

    # Monday 7 December 10:00: 28 h, breached: escalated to the service team's manager.
    clock.now = dubai(7, 10)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert "escalated" in services.case_sla_check(case=case, now=clock.now)
        services.case_sla_check(case=case, now=clock.now)  # a second run sends nothing
        services.cases_sla_check(now=clock.now)
    case.refresh_from_db()
    assert case.escalated_to == service_manager
    assert case.sla_resolution_met is False
    tasks = Task.objects.filter(assignee=service_manager, origin="case_sla")
    assert tasks.count() == 1
    assert [m.to for m in mailoutbox] == [[service_manager.email]]
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATION).count() == 1
    # The escalation is on the manager's agenda ("My cases") and as a task.
    from tend.cases.selectors import cases_near_breach

    assert list(cases_near_breach(user=service_manager)) == [case]


def test_pause_while_waiting_on_the_customer_and_a_correction_recomputes(clock):
    rep = UserFactory(username="r", role=Role.REP, team=TeamFactory(name="T"))
    customer = CustomerFactory(owner=rep, tier="B")
    clock.now = dubai(30, 9)
    case = services.case_open(
        by=rep,
        customer=customer,
        title="Labels wrong",
        description="Arabic labels missing",
        category="documents",
        severity="medium",
        channel="email",
    )
    clock.now = dubai(30, 12)
    services.case_set_status(
        case=case, by=rep, status="waiting_customer", note="Asked for photos of the labels"
    )
    clock.now = dubai(1, 12)  # a day later: paused the whole time
    case = services.case_set_status(case=case, by=rep, status="in_progress")
    case.refresh_from_db()
    assert case.sla_resolution_working_hours == 3
    assert case.first_response_at == dubai(30, 12)
    # The customer was in fact asked at 10:00: correcting the time recomputes the clock.
    asked = CaseEvent.objects.get(case=case, kind=EventKind.STATUS, to_status="waiting_customer")
    response = CaseEvent.objects.get(case=case, kind=EventKind.RESPONSE)
    services.case_correct(case=case, by=rep, event=asked, at=dubai(30, 10), reason="logged late")
    services.case_correct(case=case, by=rep, event=response, at=dubai(30, 10), reason="same")
    case.refresh_from_db()
    assert case.sla_resolution_working_hours == 1
    assert case.first_response_at == dubai(30, 10)
    assert case.sla_response_met is True
