"""Time is the customer's: an inquiry's response time counts the customer's working hours (their
zone, their working week, their country's public holidays), whoever answered and wherever they
sit, and it is the same figure whether the conversation was typed in by hand or captured from
mail."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tend.capture import services
from tend.capture.models import Source
from tend.capture.parsing.mail import parse_message
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement.models import Interaction
from tend.engagement.services import interaction_log

from .mails import build

UTC = ZoneInfo("UTC")
BUYER = "buyer@importer.example"

CASES = [
    # The same two instants on both sides of the date line: Thursday 20:00 UTC is Friday 09:00
    # in Auckland and Thursday 10:00 in Honolulu; Saturday 02:00 UTC is Saturday 15:00 there
    # and Friday 16:00 here. Auckland counts its Friday (9 hours, then the weekend); Honolulu
    # counts Thursday 10-18 and Friday 9-16 (15 hours). Each responder sits on the other side,
    # where the count would be the other way round.
    pytest.param(
        "NZ", "Pacific/Auckland", "Pacific/Honolulu",
        datetime(2026, 11, 19, 20, tzinfo=UTC), datetime(2026, 11, 21, 2, tzinfo=UTC), "9.00",
        id="auckland",
    ),
    pytest.param(
        "US", "Pacific/Honolulu", "Pacific/Auckland",
        datetime(2026, 11, 19, 20, tzinfo=UTC), datetime(2026, 11, 21, 2, tzinfo=UTC), "15.00",
        id="honolulu",
    ),
    # Riyadh rests Friday and Saturday: Thursday 16:00 to Sunday 10:00 there is 2 + 1 hours
    # (a responder in Berlin would count Thursday afternoon and all of Friday: 13).
    pytest.param(
        "SA", "Asia/Riyadh", "Europe/Berlin",
        datetime(2026, 11, 19, 16, tzinfo=ZoneInfo("Asia/Riyadh")),
        datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Asia/Riyadh")), "3.00",
        id="gulf-weekend",
    ),
    # ... and works on Sunday: Saturday noon to Sunday noon is Sunday 9-12 (Berlin's: nothing).
    pytest.param(
        "SA", "Asia/Riyadh", "Europe/Berlin",
        datetime(2026, 11, 21, 12, tzinfo=ZoneInfo("Asia/Riyadh")),
        datetime(2026, 11, 22, 12, tzinfo=ZoneInfo("Asia/Riyadh")), "3.00",
        id="gulf-sunday",
    ),
    # Public holidays are the customer's days off too. Germany's 1 May 2026 is a Friday:
    # Thursday 17:00 to Monday 10:00 in Berlin is 1 + 1 hours (a responder in Dubai: 9 more).
    pytest.param(
        "DE", "Europe/Berlin", "Asia/Dubai",
        datetime(2026, 4, 30, 17, tzinfo=ZoneInfo("Europe/Berlin")),
        datetime(2026, 5, 4, 10, tzinfo=ZoneInfo("Europe/Berlin")), "2.00",
        id="berlin-may-day",
    ),
    # Christmas 2025: both days on Thursday and Friday, so Wednesday 17:00 to Monday 10:00 is
    # 1 + 1 hours again (not 20).
    pytest.param(
        "DE", "Europe/Berlin", "Asia/Dubai",
        datetime(2025, 12, 24, 17, tzinfo=ZoneInfo("Europe/Berlin")),
        datetime(2025, 12, 29, 10, tzinfo=ZoneInfo("Europe/Berlin")), "2.00",
        id="berlin-christmas",
    ),
    # Either side of the date line. Waitangi Day, Friday 6 February 2026 in New Zealand:
    # Thursday 20:00 UTC is Friday 09:00 in Auckland, Sunday 22:00 UTC is Monday 11:00 there,
    # so 2 hours (Honolulu's rep would count 15).
    pytest.param(
        "NZ", "Pacific/Auckland", "Pacific/Honolulu",
        datetime(2026, 2, 5, 20, tzinfo=UTC), datetime(2026, 2, 8, 22, tzinfo=UTC), "2.00",
        id="auckland-waitangi-day",
    ),
    # Thanksgiving, Thursday 26 November 2026: Wednesday 16:00 to Friday 11:00 in Honolulu is
    # 2 + 2 hours (Auckland's rep would count its Thursday and Friday: 18 + 2).
    pytest.param(
        "US", "Pacific/Honolulu", "Pacific/Auckland",
        datetime(2026, 11, 25, 16, tzinfo=ZoneInfo("Pacific/Honolulu")),
        datetime(2026, 11, 27, 11, tzinfo=ZoneInfo("Pacific/Honolulu")), "4.00",
        id="honolulu-thanksgiving",
    ),
    # ... and in Los Angeles, three hours earlier than Honolulu in November.
    pytest.param(
        "US", "America/Los_Angeles", "Pacific/Auckland",
        datetime(2026, 11, 25, 16, tzinfo=ZoneInfo("America/Los_Angeles")),
        datetime(2026, 11, 27, 11, tzinfo=ZoneInfo("America/Los_Angeles")), "4.00",
        id="los-angeles-thanksgiving",
    ),
]  # fmt: skip


@pytest.fixture
def customer_and_rep(rep1, our_people):
    def make(country, zone, rep_zone):
        rep1.time_zone = rep_zone
        rep1.save(update_fields=["time_zone"])
        customer = CustomerFactory(country=country, time_zone=zone, owner=rep1)
        ContactFactory(customer=customer, email=BUYER)
        return customer

    return make


@pytest.mark.parametrize(("country", "zone", "rep_zone", "asked", "answered", "hours"), CASES)
def test_an_inquiry_logged_by_hand_is_timed_on_the_customers_clock(
    rep1, customer_and_rep, country, zone, rep_zone, asked, answered, hours
):
    customer = customer_and_rep(country, zone, rep_zone)
    inquiry = interaction_log(
        by=rep1, customer=customer, channel="call", direction="in", at=asked, needs_answer=True
    )
    interaction_log(by=rep1, customer=customer, channel="email", direction="out", at=answered)
    inquiry.refresh_from_db()
    assert inquiry.response_hours == Decimal(hours)
    assert inquiry.responder == rep1


@pytest.mark.parametrize(("country", "zone", "rep_zone", "asked", "answered", "hours"), CASES)
def test_a_captured_inquiry_is_timed_on_the_same_clock(
    rep1, customer_and_rep, country, zone, rep_zone, asked, answered, hours
):
    customer_and_rep(country, zone, rep_zone)
    ours = "alice@tend-exports.com"
    question = build(
        sender=BUYER, to=ours, subject="Price?", body="Price?", at=asked, message_id="<q@i>"
    )
    answer = build(
        sender=ours,
        to=BUYER,
        subject="Re: Price?",
        body="Here it is.",
        at=answered,
        message_id="<a@tend-exports.com>",
        in_reply_to="<q@i>",
    )
    services.mails_capture(
        mails=[parse_message(question), parse_message(answer)],
        by=rep1,
        source=Source.UPLOAD,
        customer=None,
        mailbox=None,
    )
    inquiry = Interaction.objects.get(direction="in")
    assert inquiry.response_hours == Decimal(hours)
    assert inquiry.responder == rep1
