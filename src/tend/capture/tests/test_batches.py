"""A large mbox is filed in batches, each in its own transaction: what one batch files must
drive the next exactly as if they had come together (answers, threads, duplicates, touches)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tend.capture import bulk
from tend.capture.models import CapturedMessage, Match, PromiseSuggestion
from tend.capture.services import mail as mail_services
from tend.customers.models import Customer
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement.models import Interaction
from tend.timeline.models import TimelineEntry

from .test_services import ALICE, capture, mail

DUBAI = ZoneInfo("Asia/Dubai")


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(mail_services, "BATCH", 2)


@pytest.fixture
def buyer(our_people):
    customer = CustomerFactory(country="AE", time_zone="Asia/Dubai", owner=our_people["rep1"])
    ContactFactory(customer=customer, email="buyer@importer.example")
    return customer


def _at(hour, day=23):
    return datetime(2026, 11, day, hour, tzinfo=DUBAI)


def test_a_reply_in_a_later_batch_answers_the_question_of_an_earlier_one(
    our_people, buyer, small_batches
):
    rep1 = our_people["rep1"]
    mails = [
        mail("buyer@importer.example", ALICE, "Price for 500 pcs?", _at(9), "<q@i.example>"),
        mail("boss@importer.example", ALICE, "Thanks for the visit.", _at(10), "<v@i.example>"),
        mail("someone@gmail.com", ALICE, "Price list?", _at(10), "<g@gmail.com>"),
        # Our reply, two batches later, to an address no contact has: filed by its thread.
        mail(
            ALICE,
            "purchasing@elsewhere.example",
            "We will send the quote by Friday.",
            _at(12),
            "<a@tend-exports.com>",
            reply_to="<q@i.example>",
        ),
    ]
    result = capture(rep1, *mails)

    assert (result.added, result.filed, result.to_file) == (4, 3, 1)
    inquiry = Interaction.objects.get(needs_answer=True)
    reply = CapturedMessage.objects.get(message_id="<a@tend-exports.com>")
    assert (reply.customer_id, reply.match) == (buyer.pk, Match.THREAD)
    assert reply.thread_key == "<q@i.example>"
    assert inquiry.answered_by_id == reply.interaction_id
    assert inquiry.answered_at == _at(12)
    assert str(inquiry.response_hours) == "3.00"
    assert inquiry.responder == rep1
    assert PromiseSuggestion.objects.filter(message=reply, customer=buyer).count() == 1
    assert TimelineEntry.objects.filter(customer=buyer).count() == 3
    buyer.refresh_from_db()
    assert buyer.last_outbound_at == _at(12)
    assert buyer.touch_due_at == _at(12) + timedelta(days=buyer.cadence)


def test_the_same_message_in_two_batches_is_captured_once(our_people, buyer, small_batches):
    question = mail("buyer@importer.example", ALICE, "Any news?", _at(9), "<q@i.example>")
    other = mail("buyer@importer.example", ALICE, "Hello again", _at(10), "<h@i.example>")
    again = mail("buyer@importer.example", ALICE, "Any news?", _at(9), "<q@i.example>")

    first = capture(our_people["rep1"], question, other, again, question)
    second = capture(our_people["rep1"], other, question)

    assert (first.added, first.skipped) == (2, 2)
    assert (second.added, second.skipped) == (0, 2)
    assert CapturedMessage.objects.count() == 2
    assert Interaction.objects.filter(customer=buyer).count() == 2
    assert TimelineEntry.objects.filter(customer=buyer).count() == 2


def test_a_later_batch_keeps_the_latest_touch(our_people, buyer, small_batches):
    """Batches may come out of time order (an mbox is not sorted): an older reply filed later
    never moves the customer's last touch back."""
    rep1 = our_people["rep1"]
    capture(
        rep1,
        mail(ALICE, "buyer@importer.example", "Done.", _at(15), "<late@tend-exports.com>"),
        mail("buyer@importer.example", ALICE, "Thanks", _at(16), "<t@i.example>"),
        mail(ALICE, "buyer@importer.example", "Earlier.", _at(9), "<early@tend-exports.com>"),
    )
    buyer.refresh_from_db()
    assert buyer.last_outbound_at == _at(15)


def test_guarded_fields_are_never_updated_in_bulk(buyer):
    buyer.credit_limit = 1
    with pytest.raises(ValueError, match="credit_limit"):
        bulk.update(Customer, [buyer], ["credit_limit"])


def test_each_timeline_entry_has_its_own_title_and_words(our_people, buyer):
    capture(
        our_people["rep1"],
        mail("buyer@importer.example", ALICE, "Price?", _at(9), "<1@i.example>", subject="A"),
        mail("buyer@importer.example", ALICE, "Sample?", _at(10), "<2@i.example>", subject="A"),
        mail("buyer@importer.example", ALICE, "Thanks.", _at(11), "<3@i.example>", subject="B"),
    )
    entries = TimelineEntry.objects.filter(customer=buyer).order_by("at")
    assert [(e.title, e.body, e.source_id) for e in entries] == [
        ("← Email: A (needs an answer)", "Price?", entries[0].source_id),
        ("← Email: A (needs an answer)", "Sample?", entries[1].source_id),
        ("← Email: B", "Thanks.", entries[2].source_id),
    ]
    assert len({e.source_id for e in entries}) == 3
    assert set(Interaction.objects.values_list("pk", flat=True)) == {e.source_id for e in entries}
