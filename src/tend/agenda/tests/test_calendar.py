"""The calendar feed: a secret, revocable .ics URL with open promises and due touches."""

import hashlib
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tend.agenda.calendar import calendar_token_create
from tend.agenda.models import CalendarToken
from tend.customers.models import Customer
from tend.customers.tests.factories import CustomerFactory
from tend.engagement.services import promise_close, promise_make

DUBAI = zoneinfo.ZoneInfo("Asia/Dubai")


def feed_path(key: str) -> str:
    return f"/calendar/{key}.ics"


def events(response) -> dict[str, icalendar.Event]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def alices_work(book, rep1, rep2, now):
    """Alice (in Dubai) has two open promises and a closed one, owns a customer overdue for a
    touch and one due next week; Bob's promise and customers are his."""
    rep1.time_zone = "Asia/Dubai"
    rep1.save(update_fields=["time_zone"])
    al_noor, pool = book["rep1_owned"], book["pool"]
    quote = promise_make(
        by=rep1,
        customer=al_noor,
        kind="quote",
        due_at=now + timedelta(days=1),
        made_at=now - timedelta(days=2),
        description="Quote for 40 ft of basmati rice",
    )
    late_call = promise_make(
        by=rep1,
        customer=pool,
        kind="call_back",
        due_at=now - timedelta(hours=5),
        made_at=now - timedelta(days=3),
    )
    kept = promise_make(
        by=rep1, customer=al_noor, kind="price", due_at=now, made_at=now - timedelta(days=1)
    )
    promise_close(by=rep1, promise=kept, done=True)
    promise_make(
        by=rep2,
        customer=book["rep2_owned"],
        kind="sample",
        due_at=now + timedelta(days=1),
        made_at=now - timedelta(days=1),
    )
    Customer.objects.filter(pk=al_noor.pk).update(tier="A", touch_due_at=now - timedelta(days=4))
    next_week = now + timedelta(days=7)
    sahara = CustomerFactory(name="Sahara Foods", owner=rep1, tier="B", touch_due_at=next_week)
    Customer.objects.filter(pk=book["rep2_owned"].pk).update(touch_due_at=now)
    Customer.objects.filter(pk=book["rep1_backup"].pk).update(touch_due_at=now)  # Bob owns it
    return {"quote": quote, "late_call": late_call, "al_noor": al_noor, "sahara": sahara}


def test_the_feed_lists_exactly_the_open_promises_and_the_touches_due(rep1, alices_work, now):
    _token, key = calendar_token_create(user=rep1)
    quote, late_call = alices_work["quote"], alices_work["late_call"]
    al_noor, sahara = alices_work["al_noor"], alices_work["sahara"]

    feed = events(Client().get(feed_path(key)))

    assert {uid: str(event["SUMMARY"]) for uid, event in feed.items()} == {
        f"promise-{quote.pk}@tend": "Promise: Send a quote — Al Noor Trading",
        f"promise-{late_call.pk}@tend": "Promise: Call back — Pool Imports",
        f"touch-{al_noor.pk}@tend": "Touch Al Noor Trading (tier A)",
        f"touch-{sahara.pk}@tend": "Touch Sahara Foods (tier B)",
    }
    quote_event = feed[f"promise-{quote.pk}@tend"]
    assert quote_event.decoded("DTSTART") == quote.due_at
    assert quote_event.decoded("DTEND") == quote.due_at + timedelta(minutes=30)
    assert str(quote_event["DESCRIPTION"]).startswith(
        "Quote for 40 ft of basmati rice\nCustomer: Al Noor Trading (AE)\n"
    )
    assert str(quote_event["URL"]) == f"http://127.0.0.1:8000/customers/{al_noor.pk}/"
    today_in_dubai = now.astimezone(DUBAI).date()
    overdue_touch = feed[f"touch-{al_noor.pk}@tend"]
    assert overdue_touch.decoded("DTSTART") == today_in_dubai  # overdue: on today
    assert overdue_touch.decoded("DTEND") == today_in_dubai + timedelta(days=1)
    upcoming_touch = feed[f"touch-{sahara.pk}@tend"]
    assert upcoming_touch.decoded("DTSTART") == today_in_dubai + timedelta(days=7)


def test_the_feed_does_not_need_a_login_and_names_the_calendar(rep1, alices_work):
    _token, key = calendar_token_create(user=rep1)
    response = Client().get(feed_path(key))
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Tend — Alice Tester"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Dubai"


def test_a_revoked_feed_answers_404(client, rep1, alices_work):
    _token, key = calendar_token_create(user=rep1)
    client.force_login(rep1)
    response = client.post("/today/calendar/revoke/")
    assert response.status_code == 302
    assert Client().get(feed_path(key)).status_code == 404
    assert CalendarToken.objects.get().revoked_at is not None


def test_an_unknown_feed_answers_404(rep1, alices_work):
    calendar_token_create(user=rep1)
    assert Client().get(feed_path("not-a-real-token")).status_code == 404
    assert Client().get("/calendar/.ics").status_code == 404


def test_a_new_feed_address_replaces_the_old_one(rep1, alices_work):
    _old, old_key = calendar_token_create(user=rep1)
    _new, new_key = calendar_token_create(user=rep1)
    assert Client().get(feed_path(old_key)).status_code == 404
    assert Client().get(feed_path(new_key)).status_code == 200
    assert CalendarToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_the_feed_of_an_inactive_person_answers_404(rep1, alices_work):
    _token, key = calendar_token_create(user=rep1)
    rep1.is_active = False
    rep1.save(update_fields=["is_active"])
    assert Client().get(feed_path(key)).status_code == 404


def test_the_feed_address_is_shown_once_and_only_its_hash_is_stored(client, rep1):
    client.force_login(rep1)
    response = client.post("/today/calendar/")
    assert response.status_code == 200
    feed_url = response.context["feed_url"]
    assert feed_url.startswith("http://testserver/calendar/")
    assert feed_url.endswith(".ics")
    key = feed_url.removeprefix("http://testserver/calendar/").removesuffix(".ics")
    assert len(key) == 43  # 32 random bytes, URL-safe base64

    token = CalendarToken.objects.get()
    assert token.user == rep1
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.hint == key[:6]
    assert key not in {token.key_hash, token.hint}

    page = client.get("/today/calendar/")
    assert page.context["feed_url"] is None
    assert key not in page.content.decode()
    assert f"<code>{key[:6]}…</code>" in page.content.decode()


def test_the_calendar_page_needs_a_login(client):
    response = client.get("/today/calendar/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_agenda_links_to_the_calendar_page(client, rep1):
    client.force_login(rep1)
    assert 'href="/today/calendar/"' in client.get("/today/").content.decode()


def test_the_number_of_queries_does_not_grow_with_the_events(rep1, book, now):
    _token, key = calendar_token_create(user=rep1)

    def add(count: int) -> None:
        for n in range(count):
            customer = CustomerFactory(owner=rep1, touch_due_at=now + timedelta(days=n))
            promise_make(
                by=rep1,
                customer=customer,
                kind="quote",
                due_at=now + timedelta(days=n),
                made_at=now - timedelta(days=1),
            )

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert len(events(Client().get(feed_path(key)))) == 4
    add(10)
    with CaptureQueriesContext(connection) as many:
        assert len(events(Client().get(feed_path(key)))) == 24
    # the token, the promises, the touches, the tiers' cadence (once per request: market.floor)
    assert len(many) == len(few) == 4


def test_touch_dates_follow_the_persons_time_zone(rep1):
    """23:30 UTC on 1 June is already 2 June in Dubai."""
    rep1.time_zone = "Asia/Dubai"
    rep1.save(update_fields=["time_zone"])
    due = datetime(2099, 6, 1, 23, 30, tzinfo=UTC)
    customer = CustomerFactory(name="Gulf Star", owner=rep1, tier="C", touch_due_at=due)
    _token, key = calendar_token_create(user=rep1)

    feed = events(Client().get(feed_path(key)))

    assert feed[f"touch-{customer.pk}@tend"].decoded("DTSTART") == date(2099, 6, 2)
