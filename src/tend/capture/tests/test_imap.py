"""Fetching a real IMAP server over TLS: a mixed mailbox filed once, incrementally by UID."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tend.capture.imap import mailbox_fetch, mailboxes_fetch
from tend.capture.models import CapturedAttachment, CapturedMessage, Mailbox, Match
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement.models import Interaction
from tend.timeline.models import TimelineEntry

from .mails import build, gbk

DUBAI = ZoneInfo("Asia/Dubai")
BERLIN = ZoneInfo("Europe/Berlin")
ALICE = "alice@tend-exports.com"


@pytest.fixture
def scene(book, our_people):
    alnoor = book["rep1_owned"]
    ContactFactory(customer=alnoor, name="Omar Haddad", email="omar@alnoor.ae")
    berlin = book["rep2_owned"]
    berlin.time_zone = "Europe/Berlin"
    berlin.save(update_fields=["time_zone"])
    ContactFactory(customer=berlin, name="Hans", email="hans@berlin-haushalt.de")
    shanghai = CustomerFactory(
        name="Shanghai Buyer", country="CN", time_zone="Asia/Shanghai", owner=our_people["rep1"]
    )
    ContactFactory(customer=shanghai, name="Wang", email="wang@shanghai-buyer.cn")
    twin_a = CustomerFactory(name="Twins North", owner=our_people["rep1"])
    twin_b = CustomerFactory(name="Twins South", owner=our_people["rep1"])
    ContactFactory(customer=twin_a, email="north@twins.example")
    ContactFactory(customer=twin_b, email="south@twins.example")
    return {"alnoor": alnoor, "berlin": berlin, "shanghai": shanghai, "twins": (twin_a, twin_b)}


def fill(server):
    inbox, sent = server.folders["INBOX"], server.folders["Sent"]
    inbox.add(
        build(
            sender="Omar <omar@alnoor.ae>",
            to=ALICE,
            subject="Kettles",
            body="Can you quote 500 kettles?",
            at=datetime(2026, 11, 16, 10, tzinfo=DUBAI),
            message_id="<q1@alnoor.ae>",
        )
    )
    sent.add(
        build(
            sender=f"Alice <{ALICE}>",
            to="omar@alnoor.ae",
            subject="Re: Kettles",
            body="Yes. We will send the quote by Friday.\n\nOn Mon Omar wrote:\n> Can you quote?",
            at=datetime(2026, 11, 16, 12, 30, tzinfo=DUBAI),
            message_id="<r1@tend-exports.com>",
            in_reply_to="<q1@alnoor.ae>",
        )
    )
    inbox.add(
        build(
            sender="hans@berlin-haushalt.de",
            to=ALICE,
            subject="Stock?",
            body="Do you have the 1.7 l model in stock?",
            at=datetime(2026, 11, 17, 9, tzinfo=BERLIN),
            message_id="<u1@berlin-haushalt.de>",
        )
    )
    inbox.add(
        gbk(
            sender="wang@shanghai-buyer.cn",
            to=ALICE,
            at=datetime(2026, 11, 18, 9, tzinfo=DUBAI),
            message_id="<g1@shanghai-buyer.cn>",
            text="您好，请问镕钢水壶的报价？",
        )
    )
    inbox.add(
        build(
            sender="omar@alnoor.ae",
            to=ALICE,
            subject="Newsletter",
            body="<html><body><p>Thanks&nbsp;for the visit.</p></body></html>",
            html=True,
            at=datetime(2026, 11, 18, 11, tzinfo=DUBAI),
            message_id="<h1@alnoor.ae>",
        )
    )
    inbox.add(
        build(
            sender="omar@alnoor.ae",
            to=ALICE,
            subject="Drawing",
            body="Our drawing attached.",
            at=datetime(2026, 11, 18, 12, tzinfo=DUBAI),
            message_id="<a1@alnoor.ae>",
            attachment=("drawing.pdf", b"%PDF-1.4 drawing"),
        )
    )
    inbox.add(
        build(
            sender="east@twins.example",
            to=ALICE,
            subject="Hello",
            body="Who handles us?",
            at=datetime(2026, 11, 18, 13, tzinfo=DUBAI),
            message_id="<t1@twins.example>",
        )
    )
    inbox.add(
        build(
            sender="stranger@gmail.com",
            to=ALICE,
            subject="Hi",
            body="Price list please?",
            at=datetime(2026, 11, 18, 14, tzinfo=DUBAI),
            message_id="<s1@gmail.com>",
        )
    )


def test_mixed_mailbox_is_filed_once_and_a_second_fetch_adds_nothing(
    imap_server, alice_mailbox, scene
):
    fill(imap_server)
    result = mailbox_fetch(mailbox=alice_mailbox)
    assert (result.added, result.filed, result.to_file) == (8, 6, 2)
    by_id = {m.message_id: m for m in CapturedMessage.objects.all()}

    question, answer = by_id["<q1@alnoor.ae>"], by_id["<r1@tend-exports.com>"]
    assert (question.customer, question.match, question.direction) == (
        scene["alnoor"],
        Match.CONTACT,
        "in",
    )
    assert (answer.customer, answer.direction, answer.thread_key) == (
        scene["alnoor"],
        "out",
        "<q1@alnoor.ae>",
    )
    inquiry = question.interaction
    inquiry.refresh_from_db()
    assert inquiry.needs_answer and inquiry.answered_by_id == answer.interaction_id
    assert inquiry.response_hours == Decimal("2.50")  # Monday 10:00 to 12:30 in Dubai

    unanswered = by_id["<u1@berlin-haushalt.de>"].interaction
    assert (unanswered.customer_id, unanswered.is_open_inquiry) == (scene["berlin"].pk, True)

    chinese = by_id["<g1@shanghai-buyer.cn>"]
    assert (chinese.subject, chinese.text) == ("询价单", "您好，请问镕钢水壶的报价？")
    assert chinese.interaction.needs_answer

    assert by_id["<h1@alnoor.ae>"].text == "Thanks for the visit."
    assert not by_id["<h1@alnoor.ae>"].asks
    attachment = CapturedAttachment.objects.get(message=by_id["<a1@alnoor.ae>"])
    assert (attachment.filename, attachment.file.read()) == ("drawing.pdf", b"%PDF-1.4 drawing")

    twins = by_id["<t1@twins.example>"]
    assert (twins.customer, twins.match) == (None, Match.AMBIGUOUS)
    assert sorted(twins.candidates) == sorted(c.pk for c in scene["twins"])
    stranger = by_id["<s1@gmail.com>"]
    assert (stranger.customer, stranger.match) == (None, Match.NONE)

    scene["alnoor"].refresh_from_db()
    assert scene["alnoor"].last_outbound_at == datetime(2026, 11, 16, 12, 30, tzinfo=DUBAI)
    assert answer.promise_suggestion.kind == "quote"

    alice_mailbox.refresh_from_db()
    assert (alice_mailbox.last_uid, alice_mailbox.sent_last_uid) == (7, 1)
    counts = (
        CapturedMessage.objects.count(),
        Interaction.objects.count(),
        TimelineEntry.objects.count(),
    )
    assert counts == (8, 6, 6)

    again = mailbox_fetch(mailbox=alice_mailbox)
    assert again.added == 0
    assert (
        CapturedMessage.objects.count(),
        Interaction.objects.count(),
        TimelineEntry.objects.count(),
    ) == counts

    imap_server.folders["INBOX"].add(
        build(
            sender="omar@alnoor.ae",
            to=ALICE,
            subject="Thanks",
            body="Thanks, received.",
            at=datetime(2026, 11, 19, 9, tzinfo=DUBAI),
            message_id="<n1@alnoor.ae>",
        )
    )
    assert mailboxes_fetch() == 1
    alice_mailbox.refresh_from_db()
    assert alice_mailbox.last_uid == 8 and alice_mailbox.last_error == ""


def test_server_renumbering_rereads_the_folder_without_duplicates(
    imap_server, alice_mailbox, scene
):
    fill(imap_server)
    mailbox_fetch(mailbox=alice_mailbox)
    imap_server.folders["INBOX"].uidvalidity = 2
    assert mailbox_fetch(mailbox=alice_mailbox).added == 0
    alice_mailbox.refresh_from_db()
    assert (alice_mailbox.uidvalidity, alice_mailbox.last_uid) == (2, 7)


def test_wrong_password_is_recorded_and_nothing_is_captured(imap_server, alice_mailbox, scene):
    fill(imap_server)
    alice_mailbox.set_password("wrong")
    alice_mailbox.save()
    assert mailbox_fetch(mailbox=alice_mailbox).added == 0
    alice_mailbox.refresh_from_db()
    assert alice_mailbox.last_error and alice_mailbox.last_uid == 0
    assert not CapturedMessage.objects.exists()


def test_untrusted_certificate_is_refused(imap_server, alice_mailbox, scene, settings):
    fill(imap_server)
    settings.TEND_CAPTURE_CA_FILE = ""
    assert mailbox_fetch(mailbox=alice_mailbox).added == 0
    alice_mailbox.refresh_from_db()
    assert "CERTIFICATE" in alice_mailbox.last_error.upper()
    assert imap_server.logins == 0


def test_password_is_stored_encrypted(alice_mailbox):
    stored = Mailbox.objects.values_list("password_encrypted", flat=True).get()
    assert 's3cret "pw"' not in stored
    assert Mailbox.objects.get().password == 's3cret "pw"'


def test_a_mailbox_held_by_another_worker_is_left_alone(imap_server, alice_mailbox, scene):
    from django.utils import timezone

    fill(imap_server)
    Mailbox.objects.update(lease_until=timezone.now() + timezone.timedelta(minutes=5))
    assert mailbox_fetch(mailbox=alice_mailbox).added == 0
    assert imap_server.logins == 0
