"""People deactivated outside the handover (the admin, a script, the API) keep what they held
until someone hands it over: the wizard accepts them, and their manager's agenda says so."""

import pytest
from django.core.exceptions import ValidationError

from tend.accounts.models import Role
from tend.accounts.tests.factories import UserFactory
from tend.customers.models import Customer
from tend.customers.tests.factories import CustomerFactory
from tend.handover import registry, services
from tend.handover.models import Handover
from tend.handover.selectors import inactive_assignments, people_left_holding
from tend.handover.services import HandoverRule
from tend.tasks.tests.factories import TaskFactory


@pytest.fixture
def left(rep1, team1):
    """Alice (rep1) owns two customers and has an open task; she was deactivated by hand."""
    CustomerFactory(name="Dubai Kettles", owner=rep1)
    customer = CustomerFactory(name="Doha Homeware", owner=rep1)
    TaskFactory(customer=customer, assignee=rep1)
    rep1.is_active = False
    rep1.save()
    return rep1


def test_managers_see_who_left_holding_what(left, manager1, team2, admin_user):
    manager2 = UserFactory(username="mo", role=Role.MANAGER, team=team2)
    assert [(x.person, x.counts) for x in people_left_holding(user=manager1)] == [
        (left, {"customers_owned": 2, "tasks_open": 1})
    ]
    assert [x.person for x in people_left_holding(user=admin_user)] == [left]
    assert people_left_holding(user=manager2) == []  # another team


def test_every_kinds_tallies_are_one_query_in_the_registrys_order(
    left, manager1, team2, django_assert_num_queries
):
    """The manager's agenda asks this on every load: one query for the inactive people, and
    when there are any, one for every kind's tallies (``UNION ALL``), however many kinds are
    registered."""
    with django_assert_num_queries(2):
        held = people_left_holding(user=manager1)
    assert [list(x.counts.items()) for x in held] == [[("customers_owned", 2), ("tasks_open", 1)]]
    order = [kind.key for kind in registry.kinds()]
    assert order.index("customers_owned") < order.index("tasks_open")
    manager2 = UserFactory(username="mo", role=Role.MANAGER, team=team2)
    with django_assert_num_queries(1):
        assert people_left_holding(user=manager2) == []


def test_the_wizard_hands_over_a_person_deactivated_by_hand(client, left, manager1, team1):
    carl = UserFactory(username="carl", first_name="Carl", team=team1)
    client.force_login(manager1)
    index = client.get("/handover/").content.decode()
    assert "Deactivated, but still holding things" in index
    assert f'href="/handover/{left.pk}/"' in index
    page = client.get(f"/handover/{left.pk}/")
    assert page.status_code == 200
    assert "3 items are assigned to this person now." in page.content.decode()
    assert "was deactivated without a handover" in page.content.decode()

    form = {"strategy": "one", "successor": carl.pk, "action": "confirm"}
    assert client.post(f"/handover/{left.pk}/", form).status_code == 302

    assert Customer.objects.filter(owner=carl).count() == 2
    assert inactive_assignments() == []
    assert people_left_holding(user=manager1) == []
    assert Handover.objects.get(person=left).summary == {
        "customers_owned": {"Carl Tester": 2},
        "tasks_open": {"Carl Tester": 1},
    }
    # Done: nothing left to hand over, so the wizard no longer offers her.
    assert client.get(f"/handover/{left.pk}/").status_code == 404


def test_an_inactive_person_holding_nothing_cannot_be_handed_over(rep1, manager1):
    rep1.is_active = False
    rep1.save()
    with pytest.raises(ValidationError) as caught:
        services.handover_execute(by=manager1, person=rep1, rule=HandoverRule(successor=manager1))
    assert "already been handed over" in caught.value.messages[0]
    assert not Handover.objects.exists()


def test_an_inactive_person_cannot_be_named_successor(client, left, manager1, team1):
    gone = UserFactory(username="gone", first_name="Gone", team=team1, is_active=False)
    with pytest.raises(ValidationError):
        services.handover_execute(by=manager1, person=left, rule=HandoverRule(successor=gone))
    assert Customer.objects.filter(owner=left).count() == 2


def test_a_person_handed_over_twice_gets_two_handover_records(left, manager1, team1):
    carl = UserFactory(username="carl", first_name="Carl", team=team1)
    services.handover_execute(by=manager1, person=left, rule=HandoverRule(successor=carl))
    left.is_active = True
    left.save()
    CustomerFactory(name="Back Again", owner=left)
    left.is_active = False
    left.save()
    services.handover_execute(by=manager1, person=left, rule=HandoverRule(successor=carl))
    assert Handover.objects.filter(person=left).count() == 2


def test_the_managers_agenda_says_who_to_hand_over(client, left, manager1, rep2):
    client.force_login(manager1)
    assert 'id="section-handover_left_holding"' in client.get("/today/").content.decode()
    section = client.get(
        "/today/section/handover_left_holding/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "1 person left with customers, promises or tasks: hand them over." in section
    assert "Customers owned: 2, Open tasks: 1" in section
    assert f'href="/handover/{left.pk}/"' in section
    client.force_login(rep2)
    assert 'id="section-handover_left_holding"' not in client.get("/today/").content.decode()


def test_the_agenda_api_and_digest_line_name_who_to_hand_over(client, left, manager1):
    client.force_login(manager1)
    sections = client.get("/api/v1/agenda").json()["sections"]
    (section,) = [s for s in sections if s["key"] == "handover_left_holding"]
    assert section["total"] == 1
    (item,) = section["items"]
    assert (item["kind"], item["id"], item["customer_id"]) == (
        "handover_left_holding",
        left.pk,
        None,
    )
    held = "Customers owned: 2, Open tasks: 1"
    assert item["text"] == f"Alice Tester left without a handover ({held})"


def test_deactivating_in_the_admin_points_to_the_handover(admin_client, rep1):
    CustomerFactory(name="Dubai Kettles", owner=rep1)
    change = admin_client.get(f"/admin/accounts/user/{rep1.pk}/change/")
    form = change.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"password", "is_active", "groups"}
    }
    data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "09:00:00"
    data["user_permissions"] = []
    response = admin_client.post(f"/admin/accounts/user/{rep1.pk}/change/", data, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    rep1.refresh_from_db()
    assert rep1.is_active is False
    page = response.content.decode()
    assert "Alice Tester is deactivated but still holds customers, promises or tasks." in page
    assert f'href="/handover/{rep1.pk}/">Hand them over</a>' in page
    assert Customer.objects.get(name="Dubai Kettles").owner == rep1  # nothing moved by itself
