import re
from datetime import UTC, datetime, timedelta

import pytest

from tend.agenda.local import local_moment
from tend.agenda.views import agenda_context, agenda_sections
from tend.customers.tests.factories import CustomerFactory
from tend.engagement import services
from tend.engagement.models import Interaction, Promise


def test_local_moment_knows_weekends_and_public_holidays():
    christmas = datetime(2026, 12, 25, 10, tzinfo=UTC)  # a Friday
    berlin = local_moment(country="DE", time_zone="Europe/Berlin", now=christmas)
    assert (berlin.time.hour, berlin.is_weekend, berlin.holiday) == (11, False, "Christmas Day")
    riyadh = local_moment(country="SA", time_zone="Asia/Riyadh", now=christmas)
    assert (riyadh.is_weekend, riyadh.holiday, riyadh.is_day_off) == (True, "", True)


def test_the_agenda_has_each_section_with_its_rows(client, rep1, book):
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    customer = book["rep1_owned"]
    Promise.objects.create(
        customer=customer, kind="quote", made_by=rep1, due_at=now - timedelta(hours=1)
    )
    Promise.objects.create(
        customer=customer, kind="sample", made_by=rep1, due_at=now + timedelta(days=3)
    )
    Interaction.objects.create(
        customer=customer,
        channel="email",
        direction="in",
        logged_by=rep1,
        at=now - timedelta(days=7),
        needs_answer=True,
        subject="Catalogue?",
    )
    customer.touch_due_at = now - timedelta(days=2)
    customer.pool_return_at = now + timedelta(days=3)
    customer.save()
    context = agenda_context(user=rep1, viewer=rep1, now=now)
    totals = {section.key: result.total for section, result in agenda_sections(context)}
    engagement = {key: totals[key] for key in ("promises", "inquiries", "touches", "pool_returns")}
    assert engagement == {"promises": 1, "inquiries": 1, "touches": 1, "pool_returns": 1}


def test_the_agenda_page_shows_local_time_and_one_click_actions(client, rep1, book):
    customer = book["rep1_owned"]
    Promise.objects.create(
        customer=customer, kind="quote", made_by=rep1, due_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    client.force_login(rep1)
    html = client.get("/today/").content.decode()
    assert "Promises due today and overdue" in html
    assert 'hx-get="/today/section/promises/" hx-trigger="toggle once"' in html
    # The section's rows load when it is opened (htmx asks for its body).
    body = client.get("/today/section/promises/", headers={"HX-Request": "true"})
    body = body.content.decode()
    assert "<html" not in body
    assert "Al Noor Trading" in body and "overdue" in body
    assert 'class="muted local-time"' in body
    assert "Done" in body and "Withdraw" in body


@pytest.mark.parametrize("rows", [5, 40])
def test_agenda_query_count_does_not_grow_with_rows(
    client, rep1, rows, django_assert_max_num_queries
):
    past = datetime(2026, 1, 1, tzinfo=UTC)
    for index in range(rows):
        customer = CustomerFactory(
            name=f"Overdue {index}",
            owner=rep1,
            touch_due_at=past,
            pool_return_at=past + timedelta(days=400),
        )
        Promise.objects.create(customer=customer, kind="quote", made_by=rep1, due_at=past)
        Interaction.objects.create(
            customer=customer,
            channel="email",
            direction="in",
            logged_by=rep1,
            at=past,
            needs_answer=True,
        )
    client.force_login(rep1)
    # One page of 21 rows per registered section (promises, inquiries, touches, pool returns,
    # late orders, samples, tasks, customers at high risk, my cases, decisions; late orders
    # and inquiries read their ids first, the inquiries with their customers' clocks: the
    # alert counts on each customer's clock), no count, plus session, user, team, and the
    # tiers' touch cadence (read once per request: market.floor). Was 23 with a count per
    # section, 16 with a query of the inquiries' clocks of its own.
    with django_assert_max_num_queries(15):
        response = client.get("/today/")
    badge = str(rows) if rows <= 20 else "20+"  # Today reads 21 rows, never counts them all
    assert f'<span class="badge">{badge}</span>' in response.content.decode()


@pytest.mark.parametrize("rows", [2, 30])
def test_the_managers_today_query_count_does_not_grow_with_rows(
    client, rep1, manager1, rows, django_assert_max_num_queries
):
    """Pool inquiries waiting for an answer, and a rep deactivated by hand still owning
    customers with open promises (the handover section's tallies: one query for every kind)."""
    past = datetime(2026, 1, 1, tzinfo=UTC)
    for index in range(rows):
        pooled = CustomerFactory(name=f"Pool {index}", owner=None)
        Interaction.objects.create(
            customer=pooled,
            channel="email",
            direction="in",
            logged_by=manager1,
            at=past,
            needs_answer=True,
        )
        held = CustomerFactory(name=f"Held {index}", owner=rep1)
        Promise.objects.create(customer=held, kind="quote", made_by=rep1, due_at=past)
    rep1.is_active = False
    rep1.save(update_fields=["is_active"])
    client.force_login(manager1)
    # Session and user, the sections as for a rep (the tiers' cadence not needed here), plus
    # approvals waiting, the handover's tallies and the people left holding, and the team
    # members for the agenda picker. Was 24 with a query per handover kind and one of the
    # inquiries' clocks.
    with django_assert_max_num_queries(18):
        response = client.get("/today/")
    html = response.content.decode()

    def badge(key: str) -> str:
        return re.search(rf'id="h-{key}">.*?<span class="badge">([^<]*)</span>', html).group(1)

    assert badge("handover_left_holding") == "1"
    assert badge("inquiries") == (str(rows) if rows <= 20 else "20+")


def test_a_manager_views_a_team_members_agenda_and_a_rep_cannot(client, rep1, rep2, manager1):
    client.force_login(manager1)
    assert client.get("/today/", {"person": rep1.pk}).context["person"] == rep1
    assert client.get("/today/", {"person": rep2.pk}).status_code == 404
    client.force_login(rep1)
    assert client.get("/today/", {"person": rep2.pk}).status_code == 404


@pytest.mark.parametrize("person", ["99999999999999999999", "²"])
def test_a_person_id_no_row_can_have_is_not_found(client, manager1, person):
    client.force_login(manager1)
    assert client.get("/today/", {"person": person}).status_code == 404


def test_logging_a_touch_from_the_agenda_restarts_the_cadence(client, rep1, book):
    customer = book["rep1_owned"]
    client.force_login(rep1)
    response = client.post(
        f"/engagement/customers/{customer.pk}/touch/",
        {"channel": "whatsapp", "summary": "Checked stock"},
    )
    assert "Touch logged for Al Noor Trading." in response.content.decode()
    customer.refresh_from_db()
    assert customer.last_outbound_at is not None
    assert Interaction.objects.get(customer=customer).channel == "whatsapp"


def test_closing_a_promise_from_the_agenda(client, rep1, book):
    promise = services.promise_make(
        by=rep1, customer=book["rep1_owned"], kind="quote", due_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    client.force_login(rep1)
    response = client.post(f"/engagement/promises/{promise.pk}/close/", {"done": "1"})
    assert "Kept" in response.content.decode()
    promise.refresh_from_db()
    assert promise.outcome == "kept"


def test_pool_inquiries_reach_the_managers_agenda_and_backups_see_their_customers(
    rep1, manager1, book
):
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    for customer in (book["pool"], book["rep1_backup"]):
        Interaction.objects.create(
            customer=customer,
            channel="email",
            direction="in",
            logged_by=manager1,
            at=now - timedelta(days=7),
            needs_answer=True,
        )
    from tend.engagement.selectors import inquiries_waiting

    assert {i.customer.name for i in inquiries_waiting(user=manager1, now=now)} == {"Pool Imports"}
    assert {i.customer.name for i in inquiries_waiting(user=rep1, now=now)} == {"Hamburg Küchen AG"}
