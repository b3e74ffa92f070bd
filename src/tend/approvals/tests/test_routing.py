"""No dead ends: when a request is made Tend works out who can approve it; when fewer people can
than the policy needs, it says so at once and routes the request to the admins, and when the
people who could approve it go away later, it routes it then and tells the requester."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from tend.accounts.models import Role
from tend.accounts.tests.factories import UserFactory
from tend.approvals import selectors, services
from tend.approvals.models import (
    ApprovalRequest,
    ApprovalThreshold,
    Concession,
    Notification,
    RequestKind,
)

WORTH_9800 = {"description": "Free freight for a year", "value": "9800", "currency": "USD"}
ROUTED = (
    "Only 1 person can approve it and the policy needs 2: routed to the admins, "
    "one admin's approval decides it."
)


def accommodation(by, customer):
    return services.request_create(
        by=by,
        kind=RequestKind.ACCOMMODATION,
        customer=customer,
        reason="They threaten to buy from a competitor",
        proposed=dict(WORTH_9800),
    )


def notes(user):
    mine = Notification.objects.filter(user=user).order_by("id")
    return list(mine.values_list("text", flat=True))


@pytest.fixture
def otto(team2):
    """A manager of the other team, who cannot see team 1's customers."""
    return UserFactory(username="otto", first_name="Otto", role=Role.MANAGER, team=team2)


@pytest.fixture
def any_team(db):
    """Managers of any team may approve a large accommodation (same_team_only off)."""
    ApprovalThreshold.objects.filter(
        policy__kind=RequestKind.ACCOMMODATION, above=Decimal("5000")
    ).update(same_team_only=False)


def test_a_managers_two_approver_request_goes_to_the_admins_at_once(
    manager1, admin_user, otto, book, any_team
):
    customer = book["rep1_owned"]
    request = accommodation(manager1, customer)

    assert (request.state, request.approvals_needed, request.admin_required) == (
        "pending",
        2,
        True,
    )
    assert (request.routed_to_admins, request.routing_note) == (True, ROUTED)
    assert selectors.approvers_eligible(request) == [admin_user]
    assert selectors.requests_waiting_for(user=otto) == []
    assert notes(admin_user) == [
        "Maria Tester asks you to approve: Special accommodation for Al Noor Trading"
    ]
    assert notes(otto) == []

    with pytest.raises(PermissionDenied):
        services.request_decide(by=otto, request=request, decision="approve")
    services.request_decide(by=admin_user, request=request, decision="approve")

    request.refresh_from_db()
    assert request.state == "applied"
    assert Concession.objects.get(request=request).value_base == Decimal("9800.00")


def test_a_request_enough_people_can_approve_is_not_routed(
    rep1, manager1, admin_user, book, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = accommodation(rep1, book["rep1_owned"])

    assert (request.routed_to_admins, request.routing_note) == (False, "")
    assert selectors.approvers_eligible(request) == [admin_user, manager1]
    assert (
        notes(admin_user)
        == notes(manager1)
        == ["Alice Tester asks you to approve: Special accommodation for Al Noor Trading"]
    )
    assert sorted(message.to[0] for message in mail.outbox) == [
        "maria@exporter.example",
        "root@exporter.example",
    ]


def test_an_approver_who_cannot_see_the_customer_is_not_eligible(rep1, otto, admin_user, book):
    ApprovalThreshold.objects.filter(policy__kind=RequestKind.CREDIT_TERMS).update(
        same_team_only=False
    )
    request = services.request_create(
        by=rep1,
        kind=RequestKind.CREDIT_TERMS,
        customer=book["rep1_owned"],
        reason="Asked",
        proposed={"payment_terms": "O/A 60 days"},
    )

    assert otto not in selectors.approvers_eligible(request)
    assert not selectors.may_approve(user=otto, request=request)


def test_when_nobody_but_the_requester_could_approve_it_is_refused_and_nothing_stored(
    admin_user, book
):
    with pytest.raises(ValidationError) as refused:
        accommodation(admin_user, book["pool"])

    assert refused.value.messages == [
        "Nobody but you can approve this request, and there is no other active admin to "
        "route it to."
    ]
    assert not ApprovalRequest.objects.exists()
    assert not Notification.objects.exists()


def test_an_approver_deactivated_later_routes_it_when_the_request_is_viewed(
    client, rep1, manager1, admin_user, book
):
    request = accommodation(rep1, book["rep1_owned"])
    manager1.is_active = False
    manager1.save(update_fields=["is_active"])

    client.force_login(rep1)
    page = client.get(f"/approvals/{request.pk}/")

    assert page.status_code == 200
    request.refresh_from_db()
    assert (request.state, request.routed_to_admins, request.routing_note) == (
        "pending",
        True,
        ROUTED,
    )
    assert ROUTED.replace("'", "&#x27;") in page.content.decode()
    assert notes(rep1) == [
        "Your request is routed to the admins: Special accommodation for Al Noor Trading"
    ]
    # Viewed again, nothing more happens.
    client.get(f"/approvals/{request.pk}/")
    assert len(notes(rep1)) == 1

    services.request_decide(by=admin_user, request=request, decision="approve")
    request.refresh_from_db()
    assert request.state == "applied"


def test_an_approver_deactivated_after_the_admin_approved_lets_the_admin_approval_decide(
    rep1, manager1, admin_user, book
):
    request = accommodation(rep1, book["rep1_owned"])
    services.request_decide(by=admin_user, request=request, decision="approve")
    request.refresh_from_db()
    assert request.state == "pending"
    manager1.is_active = False
    manager1.save(update_fields=["is_active"])

    assert services.requests_expire(now=request.created_at + timedelta(hours=1)) == 0

    request.refresh_from_db()
    assert (request.state, request.routed_to_admins) == ("applied", True)
    assert Concession.objects.filter(request=request).count() == 1
    assert notes(rep1) == [
        "Your request is routed to the admins: Special accommodation for Al Noor Trading",
        "Your request was applied: Special accommodation for Al Noor Trading",
    ]


def test_deciding_after_an_approver_left_routes_it_first(rep1, manager1, admin_user, book):
    request = accommodation(rep1, book["rep1_owned"])
    manager1.is_active = False
    manager1.save(update_fields=["is_active"])

    services.request_decide(by=admin_user, request=request, decision="approve")

    request.refresh_from_db()
    assert (request.state, request.routed_to_admins) == ("applied", True)


def test_the_expiry_job_routes_a_stuck_request_and_tells_the_requester(
    rep1, manager1, admin_user, book
):
    request = accommodation(rep1, book["rep1_owned"])
    manager1.is_active = False
    manager1.save(update_fields=["is_active"])

    services.requests_expire(now=request.created_at + timedelta(hours=1))
    services.requests_expire(now=request.created_at + timedelta(hours=2))

    request.refresh_from_db()
    assert (request.state, request.routed_to_admins, request.routing_note) == (
        "pending",
        True,
        ROUTED,
    )
    assert notes(rep1) == [
        "Your request is routed to the admins: Special accommodation for Al Noor Trading"
    ]
    assert selectors.requests_waiting_for(user=admin_user) == [request]


def test_the_requester_is_told_when_a_request_expires_undecided(rep1, manager1, book):
    request = services.request_create(
        by=rep1,
        kind=RequestKind.CREDIT_TERMS,
        customer=book["rep1_owned"],
        reason="Asked",
        proposed={"payment_terms": "O/A 60 days"},
    )

    assert services.requests_expire(now=request.expires_at) == 1

    assert notes(rep1) == [
        "Your request expired undecided: Payment terms or credit limit for Al Noor Trading"
    ]


def test_the_requester_sees_who_it_waits_on(client, rep1, manager1, admin_user, book):
    request = accommodation(rep1, book["rep1_owned"])
    client.force_login(rep1)

    detail = client.get(f"/approvals/{request.pk}/").content.decode()
    queue = client.get("/approvals/").content.decode()
    api = client.get(f"/api/v1/approval-requests/{request.pk}").json()

    assert '<dd id="waiting-on">Ada Tester, Maria Tester</dd>' in detail
    assert f'<td id="mine-{request.pk}-waiting-on">Ada Tester, Maria Tester</td>' in queue
    assert api["waiting_on"] == [
        {"id": admin_user.pk, "name": "Ada Tester"},
        {"id": manager1.pk, "name": "Maria Tester"},
    ]
    assert (api["routed_to_admins"], api["routing_note"]) == (False, "")


def test_the_api_says_at_once_that_a_request_was_routed(client, manager1, admin_user, book):
    client.force_login(manager1)
    response = client.post(
        "/api/v1/approval-requests",
        {
            "kind": "accommodation",
            "customer_id": book["rep1_owned"].pk,
            "reason": "They threaten to leave",
            "proposed": WORTH_9800,
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["routed_to_admins"], body["routing_note"], body["waiting_on"]) == (
        True,
        ROUTED,
        [{"id": admin_user.pk, "name": "Ada Tester"}],
    )


def test_the_request_page_says_at_once_that_a_request_was_routed(
    client, manager1, admin_user, book
):
    client.force_login(manager1)
    response = client.post(
        f"/approvals/customers/{book['rep1_owned'].pk}/new/",
        {
            "kind": "accommodation",
            "description": "Free freight for a year",
            "value": "9800",
            "currency": "USD",
            "reason": "They threaten to leave",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert ROUTED.replace("'", "&#x27;") in response.content.decode()


def test_once_routed_only_an_admin_decides_it(rep1, manager1, admin_user, book):
    ApprovalThreshold.objects.filter(
        policy__kind=RequestKind.ACCOMMODATION, above=Decimal("5000")
    ).update(approvers=3)
    request = accommodation(rep1, book["rep1_owned"])

    assert (request.routed_to_admins, request.routing_note) == (
        True,
        "Only 2 people can approve it and the policy needs 3: routed to the admins, "
        "one admin's approval decides it.",
    )
    assert selectors.approvers_eligible(request) == [admin_user]
    with pytest.raises(PermissionDenied):
        services.request_decide(by=manager1, request=request, decision="approve")
    assert selectors.requests_waiting_for(user=manager1) == []

    services.request_decide(by=admin_user, request=request, decision="approve")
    request.refresh_from_db()
    assert request.state == "applied"
