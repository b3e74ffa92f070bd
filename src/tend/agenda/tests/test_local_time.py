"""The customer's local time is the customer's, not the viewer's: a rep in Shanghai looking at
Today at 22:39 UTC on Friday 4 December 2026 sees each customer's own clock and weekday."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tend.agenda.local import is_working_day, local_moment
from tend.customers.tests.factories import CustomerFactory

# Friday 4 December 2026, 22:39 UTC; in Shanghai (the rep) Saturday 06:39.
NOW = datetime(2026, 12, 4, 22, 39, tzinfo=UTC)

# Zone -> (country, the clock there at NOW)
ZONES = {
    "Asia/Dubai": ("AE", "Sat 02:39"),  # UTC+4: already Saturday
    "Africa/Lagos": ("NG", "Fri 23:39"),  # UTC+1: still Friday night
    "America/Los_Angeles": ("US", "Fri 14:39"),  # UTC-8
    "Pacific/Auckland": ("NZ", "Sat 11:39"),  # UTC+13 (summer time), across the date line
    "Pacific/Kiritimati": ("KI", "Sat 12:39"),  # UTC+14
}


@pytest.fixture
def at_now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


@pytest.fixture
def shanghai_rep(rep1):
    rep1.time_zone = "Asia/Shanghai"
    rep1.save(update_fields=["time_zone"])
    return rep1


@pytest.fixture
def customers_around_the_world(shanghai_rep):
    """One customer per zone, each overdue for a touch, so each is on Today."""
    return {
        zone: CustomerFactory(
            name=f"Buyer in {zone}",
            country=country,
            time_zone=zone,
            owner=shanghai_rep,
            touch_due_at=NOW - timedelta(days=3),
            pool_return_at=NOW + timedelta(days=300),
        )
        for zone, (country, _clock) in ZONES.items()
    }


def _row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return match.group(1)


def _clock(row_html: str) -> str:
    return re.search(r'class="muted local-time">([^<·]*)', row_html).group(1).strip()


@pytest.mark.parametrize("zone", ZONES)
def test_the_local_moment_reads_the_customers_own_clock(zone):
    country, clock = ZONES[zone]
    assert local_moment(country=country, time_zone=zone, now=NOW).clock == clock


def test_today_shows_each_customers_own_clock_and_weekday(
    client, shanghai_rep, customers_around_the_world, at_now
):
    client.force_login(shanghai_rep)
    html = client.get("/today/section/touches/").content.decode()
    shown = {
        zone: _clock(_row(html, f"touch-{customer.pk}"))
        for zone, customer in customers_around_the_world.items()
    }
    assert shown == {zone: clock for zone, (_country, clock) in ZONES.items()}


def test_a_weekend_is_the_customers_weekend(
    client, shanghai_rep, customers_around_the_world, at_now
):
    """Saturday in Dubai and Auckland, still Friday in Lagos and Los Angeles."""
    client.force_login(shanghai_rep)
    html = client.get("/today/section/touches/").content.decode()
    weekend = {
        zone
        for zone, customer in customers_around_the_world.items()
        if "weekend there" in _row(html, f"touch-{customer.pk}")
    }
    assert weekend == {"Asia/Dubai", "Pacific/Auckland", "Pacific/Kiritimati"}


def test_the_customer_page_shows_the_customers_own_clock(
    client, shanghai_rep, customers_around_the_world, at_now
):
    client.force_login(shanghai_rep)
    for zone, customer in customers_around_the_world.items():
        html = client.get(customer.get_absolute_url()).content.decode()
        local = re.search(r"<dt>Local time</dt><dd>(.*?)</dd>", html, re.S).group(1)
        assert _clock(local) == ZONES[zone][1], zone


def test_the_api_gives_the_customers_time_with_its_offset(
    client, shanghai_rep, customers_around_the_world, at_now
):
    client.force_login(shanghai_rep)
    sections = client.get("/api/v1/agenda").json()["sections"]
    touches = next(s for s in sections if s["key"] == "touches")
    times = {item["customer_name"]: item["customer_local_time"] for item in touches["items"]}
    assert times == {
        "Buyer in Asia/Dubai": "2026-12-05T02:39:00+04:00",
        "Buyer in Africa/Lagos": "2026-12-04T23:39:00+01:00",
        "Buyer in America/Los_Angeles": "2026-12-04T14:39:00-08:00",
        "Buyer in Pacific/Auckland": "2026-12-05T11:39:00+13:00",
        "Buyer in Pacific/Kiritimati": "2026-12-05T12:39:00+14:00",
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_clock_reads_as_djangos_date_format_every_day_of_the_week(language):
    from django.utils import translation
    from django.utils.dateformat import format as date_format

    with translation.override(language):
        for day in range(7):
            moment = local_moment(
                country="AE", time_zone="Asia/Dubai", now=NOW + timedelta(days=day, minutes=7)
            )
            assert moment.clock == date_format(moment.time, "D H:i")


def test_a_working_day_is_the_customers_week_less_their_countrys_holidays():
    assert not is_working_day(country="DE", day=date(2026, 12, 25))  # Christmas, a Friday
    assert is_working_day(country="DE", day=date(2026, 12, 24))
    assert is_working_day(country="AE", day=date(2026, 12, 25))
    assert not is_working_day(country="AE", day=date(2026, 12, 2))  # National Day
    assert not is_working_day(country="SA", day=date(2026, 12, 4))  # the Gulf's Friday
    assert is_working_day(country="SA", day=date(2026, 12, 6))  # and its working Sunday
    # A country the holidays package does not know keeps its weekend only.
    assert is_working_day(country="", day=date(2026, 12, 25))
