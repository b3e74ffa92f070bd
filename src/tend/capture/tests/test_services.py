"""Filing, matching, response times, touches, suggestions, exclusion and purging, through the
services every entry point calls."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tend.capture import services
from tend.capture.models import CapturedMessage, Mailbox, Match, PromiseSuggestion, Source
from tend.capture.parsing.mail import parse_message
from tend.customers.models import Contact
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement.models import Interaction, Promise
from tend.timeline.models import TimelineEntry

from .mails import build

ALICE = "alice@tend-exports.com"


def mail(sender, to, body, at, msgid, subject="Hello", reply_to=""):
    return parse_message(
        build(
            sender=sender,
            to=to,
            subject=subject,
            body=body,
            at=at,
            message_id=msgid,
            in_reply_to=reply_to,
        )
    )


def capture(by, *mails, customer=None, mailbox=None):
    return services.mails_capture(
        mails=list(mails), by=by, source=Source.UPLOAD, customer=customer, mailbox=mailbox
    )


@pytest.mark.parametrize(
    ("country", "zone", "asked", "answered", "hours"),
    [
        # Dubai works Monday to Friday: Friday 16:00 to Monday 10:00 is 2 + 1 hours.
        ("AE", "Asia/Dubai", (2026, 11, 20, 16), (2026, 11, 23, 10), "3.00"),
        # Riyadh rests Friday and Saturday: Thursday 16:00 to Sunday 10:00 is 2 + 1 hours.
        ("SA", "Asia/Riyadh", (2026, 11, 19, 16), (2026, 11, 22, 10), "3.00"),
        # Auckland, across the date line: Friday 17:00 to Monday 09:30 is 1 + 0.5 hours.
        ("NZ", "Pacific/Auckland", (2026, 11, 20, 17), (2026, 11, 23, 9, 30), "1.50"),
        # Honolulu, the other side: Friday 17:30 to Monday 09:00 is 0.5 + 0 hours.
        ("US", "Pacific/Honolulu", (2026, 11, 20, 17, 30), (2026, 11, 23, 9), "0.50"),
    ],
)
def test_response_time_is_measured_across_the_customers_weekend(
    our_people, country, zone, asked, answered, hours
):
    tz = ZoneInfo(zone)
    customer = CustomerFactory(country=country, time_zone=zone, owner=our_people["rep1"])
    ContactFactory(customer=customer, email="buyer@importer.example")
    capture(
        our_people["rep1"],
        mail(
            "buyer@importer.example", ALICE, "Price?", datetime(*asked, tzinfo=tz), "<q@i.example>"
        ),
        mail(
            ALICE,
            "buyer@importer.example",
            "Here it is.",
            datetime(*answered, tzinfo=tz),
            "<a@tend-exports.com>",
            reply_to="<q@i.example>",
        ),
    )
    inquiry = Interaction.objects.get(direction="in")
    assert inquiry.response_hours == Decimal(hours)
    assert inquiry.responder == our_people["rep1"]


def test_domain_matches_but_never_a_public_mail_domain(our_people):
    customer = CustomerFactory(owner=our_people["rep1"])
    ContactFactory(customer=customer, email="buyer@acme-import.example")
    other = CustomerFactory(owner=our_people["rep1"])
    ContactFactory(customer=other, email="someone@gmail.com")
    at = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("UTC"))
    capture(
        our_people["rep1"],
        mail("boss@acme-import.example", ALICE, "Hi", at, "<d1@x>"),
        mail("another@gmail.com", ALICE, "Hi", at, "<d2@x>"),
        mail("someone@gmail.com", ALICE, "Hi", at, "<d3@x>"),
    )
    found = {m.message_id: (m.customer_id, m.match) for m in CapturedMessage.objects.all()}
    assert found == {
        "<d1@x>": (customer.pk, Match.DOMAIN),
        "<d2@x>": (None, Match.NONE),
        "<d3@x>": (other.pk, Match.CONTACT),
    }


def test_our_reply_to_an_unmatched_thread_follows_the_filed_parent(our_people):
    customer = CustomerFactory(owner=our_people["rep1"])
    at = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("UTC"))
    capture(our_people["rep1"], mail("x@gmail.com", ALICE, "Quote?", at, "<p1@x>"))
    message = CapturedMessage.objects.get()
    services.message_file(
        by=our_people["rep1"], message=message, customer=customer, add_contact=True
    )
    assert Contact.objects.get(customer=customer).email == "x@gmail.com"
    capture(
        our_people["rep1"],
        mail(
            ALICE,
            "x@gmail.com",
            "Sure.",
            at.replace(hour=11),
            "<p2@tend-exports.com>",
            reply_to="<p1@x>",
        ),
    )
    reply = CapturedMessage.objects.get(message_id="<p2@tend-exports.com>")
    assert (reply.customer, reply.match) == (customer, Match.CONTACT)
    assert Interaction.objects.get(direction="in").response_hours == Decimal("2.00")


def test_filing_by_hand_drives_the_timeline_once(our_people):
    customer = CustomerFactory(owner=our_people["rep1"])
    at = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("UTC"))
    capture(our_people["rep1"], mail("x@gmail.com", ALICE, "Can you help?", at, "<f1@x>"))
    message = CapturedMessage.objects.get()
    assert not TimelineEntry.objects.exists()
    services.message_file(by=our_people["rep1"], message=message, customer=customer)
    assert TimelineEntry.objects.filter(customer=customer).count() == 1
    with pytest.raises(ValidationError):
        services.message_file(by=our_people["rep1"], message=message, customer=customer)
    assert TimelineEntry.objects.count() == 1


def test_a_promise_phrase_is_only_suggested_until_the_rep_confirms(our_people):
    customer = CustomerFactory(owner=our_people["rep1"], time_zone="Asia/Dubai")
    ContactFactory(customer=customer, email="b@buyer.example")
    wednesday = datetime(2026, 11, 18, 10, tzinfo=ZoneInfo("Asia/Dubai"))
    capture(
        our_people["rep1"],
        mail(ALICE, "b@buyer.example", "We will send the quote by Friday.", wednesday, "<s@t>"),
    )
    suggestion = PromiseSuggestion.objects.get()
    assert not Promise.objects.exists()
    assert suggestion.due_at == datetime(2026, 11, 20, 18, tzinfo=ZoneInfo("Asia/Dubai"))
    promise = services.suggestion_confirm(by=our_people["rep1"], suggestion=suggestion)
    assert (promise.kind, promise.made_by, promise.customer) == (
        "quote",
        our_people["rep1"],
        customer,
    )
    assert promise.interaction_id == CapturedMessage.objects.get().interaction_id
    with pytest.raises(ValidationError):
        services.suggestion_dismiss(by=our_people["rep1"], suggestion=suggestion)
    assert Promise.objects.count() == 1


def test_chinese_promise_phrase_is_suggested(our_people):
    customer = CustomerFactory(owner=our_people["rep1"], time_zone="Asia/Shanghai", country="CN")
    ContactFactory(customer=customer, email="w@buyer.cn")
    at = datetime(2026, 11, 18, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    capture(
        our_people["rep1"], mail(ALICE, "w@buyer.cn", "王先生，我们会在周五前发报价。", at, "<z@t>")
    )
    assert PromiseSuggestion.objects.get().kind == "quote"


def test_excluding_a_message_removes_what_it_drove_and_reopens_the_inquiry(our_people):
    customer = CustomerFactory(owner=our_people["rep1"])
    ContactFactory(customer=customer, email="b@buyer.example")
    at = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("UTC"))
    capture(
        our_people["rep1"],
        mail("b@buyer.example", ALICE, "Price?", at, "<e1@b>"),
        mail(
            ALICE,
            "b@buyer.example",
            "Private note, we will call you by tomorrow",
            at.replace(hour=10),
            "<e2@t>",
        ),
    )
    private = CapturedMessage.objects.get(message_id="<e2@t>")
    services.message_exclude(by=our_people["rep1"], message=private)
    private.refresh_from_db()
    assert (private.excluded, private.text, private.interaction_id) == (True, "", None)
    assert Interaction.objects.get().is_open_inquiry
    assert TimelineEntry.objects.count() == 1
    assert not PromiseSuggestion.objects.exists()
    # The same mail again (a re-upload) stays out.
    assert (
        capture(our_people["rep1"], mail(ALICE, "b@buyer.example", "again", at, "<e2@t>")).added
        == 0
    )


def test_only_an_admin_purges_a_mailbox(our_people):
    customer = CustomerFactory(owner=our_people["rep1"])
    ContactFactory(customer=customer, email="b@buyer.example")
    box = Mailbox(
        name="Sales",
        address="sales@tend-exports.com",
        host="imap.example",
        username="sales",
        created_by=our_people["admin"],
    )
    box.set_password("pw")
    box.save()
    at = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("UTC"))
    capture(our_people["rep1"], mail("b@buyer.example", ALICE, "Hi?", at, "<m1@b>"), mailbox=box)
    with pytest.raises(PermissionDenied):
        services.mailbox_purge(by=our_people["rep1"], mailbox=box)
    assert CapturedMessage.objects.count() == 1
    assert services.mailbox_purge(by=our_people["admin"], mailbox=box) == 1
    assert (
        CapturedMessage.objects.count(),
        Interaction.objects.count(),
        TimelineEntry.objects.count(),
    ) == (0, 0, 0)


def test_outbound_mail_is_a_touch(our_people):
    customer = CustomerFactory(owner=our_people["rep1"], tier="A")
    ContactFactory(customer=customer, email="b@buyer.example")
    at = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("UTC"))
    capture(our_people["rep1"], mail(ALICE, "b@buyer.example", "Hello", at, "<o1@t>"))
    customer.refresh_from_db()
    assert customer.last_outbound_at == at
    assert customer.touch_due_at is not None


def test_upload_for_a_customer_files_there_even_from_a_public_address(our_people):
    customer = CustomerFactory(owner=our_people["rep1"])
    at = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("UTC"))
    result = capture(
        our_people["rep1"], mail("z@qq.com", ALICE, "Hi", at, "<c1@qq>"), customer=customer
    )
    assert (result.filed, CapturedMessage.objects.get().match) == (1, Match.CHOSEN)


def test_a_mailbox_moves_with_its_persons_handover(our_people):
    from tend.handover.registry import get

    box = Mailbox.objects.create(
        name="Alice",
        owner=our_people["rep1"],
        address=ALICE,
        host="h",
        username="u",
        created_by=our_people["admin"],
    )
    kind = get("capture_mailboxes")
    [item] = kind.items(our_people["rep1"])
    assert kind.held_by(type(our_people["rep1"]).objects.all()) == {our_people["rep1"].pk: 1}
    kind.move(person=our_people["rep1"], moves=[(item, our_people["rep2"])], by=our_people["admin"])
    box.refresh_from_db()
    assert box.owner == our_people["rep2"]
