"""Time is the customer's, holidays included: an inquiry waits no working hours on a public
holiday of the customer's country, and Today's alert, the API's ``older_than_hours`` and its
``waiting_hours`` all count so."""

import io
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from tend.customers.models import Customer
from tend.engagement import api as engagement_api
from tend.engagement import selectors, services
from tend.engagement.models import Interaction

BERLIN = ZoneInfo("Europe/Berlin")
# Friday 1 May 2026 is a public holiday in Germany, not in the UAE nor in the United States.
ASKED = datetime(2026, 4, 30, 15, tzinfo=UTC)  # Thursday 17:00 in Berlin, 19:00 in Dubai
NOW = datetime(2026, 5, 4, 12, tzinfo=UTC)  # Monday 14:00 in Berlin, 16:00 in Dubai


def test_an_inquiry_asked_the_evening_before_a_holiday_counts_no_hours_on_it(rep1, book):
    customer = book["rep2_owned"]
    Customer.objects.filter(pk=customer.pk).update(time_zone="Europe/Berlin")
    customer.refresh_from_db()
    inquiry = services.interaction_log(
        by=rep1, customer=customer, channel="email", direction="in", at=ASKED, needs_answer=True
    )
    services.interaction_log(
        by=rep1,
        customer=customer,
        channel="email",
        direction="out",
        at=datetime(2026, 5, 4, 10, tzinfo=BERLIN),
    )
    inquiry.refresh_from_db()
    # Thursday 17-18, nothing on Friday the 1st nor the weekend, Monday 9-10.
    assert inquiry.response_hours == Decimal("2.00")


@pytest.fixture
def three_inquiries_over_may_day(monkeypatch, admin_user, book):
    """The same instant for three customers: a German one in Berlin (the holiday), and, on the
    same zone, a pool customer in the United States (no holiday), and rep1's in Dubai."""
    Customer.objects.filter(pk=book["rep2_owned"].pk).update(time_zone="Europe/Berlin")
    Customer.objects.filter(pk=book["pool"].pk).update(time_zone="Europe/Berlin", country="US")
    monkeypatch.setattr(engagement_api, "_now", lambda: NOW)
    for name in ("rep1_owned", "rep2_owned", "pool"):
        services.interaction_log(
            by=admin_user,
            customer=book[name],
            channel="email",
            direction="in",
            at=ASKED,
            subject=name,
            needs_answer=True,
        )


def test_the_apis_wait_and_older_than_skip_the_customers_holiday(
    client, admin_user, three_inquiries_over_may_day
):
    client.force_login(admin_user)

    def waits(**filters):
        rows = client.get("/api/v1/inquiries", filters).json()["results"]
        return {row["subject"]: row["waiting_hours"] for row in rows}

    everyone = waits()
    # Berlin: Thursday 1 h, Monday 9-14 (5 h). The US customer on the same clock works Friday
    # (15 h). Dubai: Thursday's evening is over, Friday 9 h, Monday 9-16 (7 h).
    assert everyone == {"rep2_owned": 6.0, "pool": 15.0, "rep1_owned": 16.0}
    for hours in (1, 5.5, 6, 6.01, 8, 15, 15.5, 16, 17):
        expected = {subject for subject, waited in everyone.items() if waited >= hours}
        assert set(waits(older_than_hours=hours)) == expected, hours


def test_todays_alert_agrees_with_the_wait_on_a_holiday(
    settings, django_assert_num_queries, rep1, rep2, manager1, three_inquiries_over_may_day
):
    settings.TEND_INQUIRY_ALERT_HOURS = 8

    def today(user):
        return [inquiry.subject for inquiry in selectors.inquiries_waiting(user=user, now=NOW)]

    # The clocks of the inquiries asked for, then the inquiries: the cutoffs differ per
    # country only when a holiday lies in the wait (Berlin's German and US customers here).
    with django_assert_num_queries(2):
        assert today(manager1) == ["pool"]
    assert today(rep1) == ["rep1_owned"]
    assert today(rep2) == []
    settings.TEND_INQUIRY_ALERT_HOURS = 6
    assert today(rep2) == ["rep2_owned"]


def test_countries_without_a_holiday_in_the_wait_share_one_condition(
    admin_user, three_inquiries_over_may_day
):
    inquiries = Interaction.objects.open_inquiries()
    before = selectors.inquiries_waited(
        inquiries, hours=8, now=datetime(2026, 4, 30, 16, tzinfo=UTC)
    )
    on_the_holiday = selectors.inquiries_waited(inquiries, hours=8, now=NOW)
    # One branch of the cutoff per zone and cutoff: before the 1st, Berlin's German and US
    # customers share theirs; over the holiday, they part.
    [(_lookup, before_cutoff)] = before.children
    [(_lookup, holiday_cutoff)] = on_the_holiday.children
    assert len(before_cutoff.cases) == 2
    assert len(holiday_cutoff.cases) == 3


def test_response_times_counted_before_holidays_counted_are_recounted_once(rep1, book):
    customer = book["rep2_owned"]
    Customer.objects.filter(pk=customer.pk).update(time_zone="Europe/Berlin")
    customer.refresh_from_db()
    dubai = book["rep1_owned"]  # Tuesday noon to Wednesday noon there: 6 + 3 hours
    answered = []
    for who, asked, answer in (
        (customer, ASKED, datetime(2026, 5, 4, 10, tzinfo=BERLIN)),
        (dubai, datetime(2026, 5, 5, 8, tzinfo=UTC), datetime(2026, 5, 6, 8, tzinfo=UTC)),
    ):
        answered.append(
            services.interaction_log(
                by=rep1, customer=who, channel="email", direction="in", at=asked, needs_answer=True
            )
        )
        services.interaction_log(by=rep1, customer=who, channel="email", direction="out", at=answer)
    over_may_day, plain = answered
    # As the weekend-only rule had stored it: Thursday 1 h, Friday 9 h, Monday 1 h.
    Interaction.objects.filter(pk=over_may_day.pk).update(response_hours=Decimal("11.00"))

    assert services.inquiries_response_recount(chunk=1) == 1
    over_may_day.refresh_from_db()
    plain.refresh_from_db()
    assert (over_may_day.response_hours, plain.response_hours) == (Decimal("2.00"), Decimal("9.00"))
    out = io.StringIO()
    call_command("recount_response_times", stdout=out)
    assert out.getvalue() == "0 response time(s) changed.\n"
