"""Story S5, the rep who leaves: everything moves, nothing stays with a deactivated user."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from tend.accounts.tests.factories import UserFactory
from tend.customers.models import Customer
from tend.customers.tests.factories import ContactFactory, CustomerFactory, TerritoryFactory
from tend.engagement.models import Promise
from tend.engagement.services import interaction_log
from tend.handover import services
from tend.handover.selectors import inactive_assignments
from tend.handover.services import HandoverRule, Strategy
from tend.tasks.tests.factories import TaskFactory
from tend.timeline.models import TimelineEntry


@pytest.fixture
def leaving(team1, rep1, manager1):
    """Alice (rep1) owns four customers in two territories and backs up two of Carl's."""
    gulf, levant = TerritoryFactory(name="Gulf"), TerritoryFactory(name="Levant")
    carl = UserFactory(username="carl", first_name="Carl", team=team1)
    dina = UserFactory(username="dina", first_name="Dina", team=team1)
    owned = [
        CustomerFactory(name="Dubai Kettles", owner=rep1, territory=gulf),
        CustomerFactory(name="Doha Homeware", owner=rep1, territory=gulf, backup_owner=dina),
        CustomerFactory(name="Beirut Appliances", owner=rep1, territory=levant),
        CustomerFactory(name="Amman Electric", owner=rep1, territory=levant),
    ]
    backed_up = [
        CustomerFactory(name="Riyadh Trading", owner=carl, backup_owner=rep1, territory=gulf),
        CustomerFactory(name="Kuwait Imports", owner=carl, backup_owner=rep1, territory=levant),
    ]
    return {
        "carl": carl,
        "dina": dina,
        "owned": owned,
        "backed_up": backed_up,
        "gulf": gulf,
        "levant": levant,
    }


def test_story_s5_the_rep_who_leaves_hands_over_everything_single_threads_flagged_first(
    client, leaving, rep1, manager1
):
    """Seed 004: the rep who leaves. Before the handover the preview names the customers only
    she has ever spoken to; afterwards her customers, promises and tasks all have successors,
    nothing stays with her deactivated account, and the history stays with the customers."""
    carl, dina = leaving["carl"], leaving["dina"]
    dubai, doha = leaving["owned"][0], leaving["owned"][1]
    buyer = ContactFactory(customer=dubai, name="Omar")
    interaction_log(by=rep1, customer=dubai, channel="call", direction="out", contacts=[buyer])
    interaction_log(by=rep1, customer=doha, channel="email", direction="out", people=[dina])
    promise = Promise.objects.create(
        customer=dubai, kind="quote", made_by=rep1, due_at=timezone.now() + timedelta(days=2)
    )
    task = TaskFactory(customer=leaving["owned"][2], assignee=rep1, title="Call Beirut")

    client.force_login(manager1)
    page = client.get(f"/handover/{rep1.pk}/")
    single = re.sub(r"\s+", " ", _section(page.content.decode(), "single-threaded"))
    assert "1 customer has only ever heard from Alice Tester" in single
    assert "Dubai Kettles" in single and "Doha Homeware" not in single
    assert "8 items are assigned to this person now." in page.content.decode()

    rule = HandoverRule(strategy=Strategy.TERRITORY, by_territory={"Gulf": carl, "Levant": dina})
    services.handover_execute(by=manager1, person=rep1, rule=rule)

    promise.refresh_from_db()
    task.refresh_from_db()
    assert (promise.made_by, task.assignee) == (carl, dina)

    rep1.refresh_from_db()
    assert rep1.is_active is False
    assert not Customer.objects.filter(owner=rep1).exists()
    assert not Customer.objects.filter(backup_owner=rep1).exists()
    owners = dict(Customer.objects.values_list("name", "owner__username"))
    backups = dict(Customer.objects.values_list("name", "backup_owner__username"))
    assert owners == {
        "Dubai Kettles": "carl",
        "Doha Homeware": "carl",
        "Beirut Appliances": "dina",
        "Amman Electric": "dina",
        "Riyadh Trading": "carl",
        "Kuwait Imports": "carl",
    }
    # Carl owns Riyadh Trading, so he cannot be its backup too: the seat is left empty.
    assert backups == {
        "Dubai Kettles": None,
        "Doha Homeware": "dina",
        "Beirut Appliances": None,
        "Amman Electric": None,
        "Riyadh Trading": None,
        "Kuwait Imports": "dina",
    }
    for customer in leaving["owned"]:
        titles = list(
            TimelineEntry.objects.filter(customer=customer).values_list("title", flat=True)
        )
        assert any(t.startswith("Handed over from Alice Tester to") for t in titles), titles
    kuwait = TimelineEntry.objects.get(customer=leaving["backed_up"][1])
    assert kuwait.title == "Backup role handed over from Alice Tester to Dina Tester"
    assert inactive_assignments() == []
    assert TimelineEntry.objects.filter(customer=dubai, kind="interaction").count() == 1


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_a_second_handover_of_the_same_person_is_refused(leaving, rep1, manager1):
    rule = HandoverRule(strategy=Strategy.ONE, successor=leaving["carl"])
    services.handover_execute(by=manager1, person=rep1, rule=rule)
    with pytest.raises(ValidationError) as caught:
        services.handover_execute(by=manager1, person=rep1, rule=rule)
    assert "already been handed over" in caught.value.messages[0]


def test_a_handover_with_an_item_left_without_successor_changes_nothing(leaving, rep1, manager1):
    rule = HandoverRule(strategy=Strategy.TERRITORY, by_territory={"Gulf": leaving["carl"]})
    with pytest.raises(ValidationError) as caught:
        services.handover_execute(by=manager1, person=rep1, rule=rule)
    assert "No successor for Amman Electric." in caught.value.messages
    rep1.refresh_from_db()
    assert rep1.is_active
    assert Customer.objects.filter(owner=rep1).count() == 4
    assert not TimelineEntry.objects.exists()


def test_round_robin_spreads_items_across_the_team(leaving, rep1, manager1):
    rule = HandoverRule(
        strategy=Strategy.ROUND_ROBIN, team_members=[leaving["carl"], leaving["dina"]]
    )
    plan = services.handover_plan(by=manager1, person=rep1, rule=rule)
    owned = [move.successor.username for move in plan if move.item.kind == "customers_owned"]
    assert sorted(owned) == ["carl", "carl", "dina", "dina"]


def test_a_manager_cannot_hand_over_someone_from_another_team(rep2, manager1):
    with pytest.raises(PermissionDenied):
        services.handover_execute(by=manager1, person=rep2, rule=HandoverRule(successor=manager1))
    rep2.refresh_from_db()
    assert rep2.is_active


def test_history_contacts_and_notes_stay_readable_by_the_successor(client, leaving, rep1, manager1):
    customer = leaving["owned"][0]
    customer.notes = "Prefers WhatsApp; sample of KT-200 sent free."
    customer.save()
    services.handover_execute(
        by=manager1, person=rep1, rule=HandoverRule(successor=leaving["carl"])
    )
    client.force_login(leaving["carl"])
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Prefers WhatsApp; sample of KT-200 sent free." in page
    assert "Handed over from Alice Tester to Carl Tester" in page


def test_the_handover_page_previews_then_confirms(client, leaving, rep1, manager1):
    client.force_login(manager1)
    page = client.get(f"/handover/{rep1.pk}/")
    assert page.status_code == 200
    assert "6 items are assigned to this person now." in page.content.decode()
    form = {"strategy": "one", "successor": leaving["carl"].pk, "action": "preview"}
    preview = client.post(f"/handover/{rep1.pk}/", form)
    assert "Move everything and deactivate" in preview.content.decode()
    rep1.refresh_from_db()
    assert rep1.is_active
    done = client.post(f"/handover/{rep1.pk}/", {**form, "action": "confirm"})
    assert done.status_code == 302
    assert Customer.objects.filter(owner=leaving["carl"]).count() == 6


def test_reps_cannot_open_the_handover_screen(client, rep1, rep2):
    client.force_login(rep1)
    assert client.get(f"/handover/{rep2.pk}/").status_code == 403


def test_the_check_finds_customers_left_with_a_deactivated_person(leaving, rep1):
    call_command("inactive_assignments")
    rep1.is_active = False
    rep1.save()
    with pytest.raises(CommandError, match="6 record"):
        call_command("inactive_assignments")
    assert any(
        "Dubai Kettles is owned by inactive Alice Tester" in line for line in inactive_assignments()
    )


def test_the_system_check_says_once_per_person_what_they_still_hold(leaving, rep1):
    from tend.handover.checks import check_nothing_assigned_to_inactive_people

    assert check_nothing_assigned_to_inactive_people(databases=["default"]) == []
    rep1.is_active = False
    rep1.save()
    (warning,) = check_nothing_assigned_to_inactive_people(databases=["default"])
    assert warning.msg.startswith("Inactive Alice Tester still holds ")
    assert "Customers owned" in warning.msg


@pytest.mark.parametrize("successor", ["²", "99999999999999999999"])
def test_a_successor_id_no_row_can_have_previews_nobody(client, manager1, rep1, successor):
    client.force_login(manager1)
    form = {"strategy": "one", "successor": successor, "team": successor, "action": "preview"}
    response = client.post(f"/handover/{rep1.pk}/", form)
    assert response.status_code == 200
    rep1.refresh_from_db()
    assert rep1.is_active
