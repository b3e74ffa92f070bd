"""S2 (seed 002): Salesperson A answers customers, B does not. Tend sees it from the mail itself,
read from a real IMAP server: B's customer waits on the unanswered list and A's response time
counts in the reliability report."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tend.capture.imap import mailboxes_fetch
from tend.capture.models import Mailbox
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement.selectors import inquiries_waiting, reliability_report

from .mails import build

DUBAI = ZoneInfo("Asia/Dubai")


def test_story_s2_unanswered_mail_shows_who_did_not_get_back(imap_server, our_people):
    a, b = our_people["rep1"], our_people["rep2"]
    served = CustomerFactory(name="Served LLC", owner=a)
    ignored = CustomerFactory(name="Ignored LLC", owner=b)
    ContactFactory(customer=served, email="buyer@served.example")
    ContactFactory(customer=ignored, email="buyer@ignored.example")
    box = Mailbox(
        name="Sales",
        address="sales@tend-exports.com",
        host="127.0.0.1",
        port=imap_server.port,
        username="alice@tend-exports.com",
        sent_folder="Sent",
        created_by=our_people["admin"],
    )
    box.set_password('s3cret "pw"')
    box.save()
    monday = datetime(2026, 11, 23, 10, tzinfo=DUBAI)
    inbox, sent = imap_server.folders["INBOX"], imap_server.folders["Sent"]
    for name in ("served", "ignored"):
        inbox.add(
            build(
                sender=f"buyer@{name}.example",
                to="sales@tend-exports.com",
                subject="Quote?",
                body="Could you quote 200 units?",
                at=monday,
                message_id=f"<q@{name}.example>",
            )
        )
    sent.add(
        build(
            sender=a.email,
            to="buyer@served.example",
            subject="Re: Quote?",
            body="Attached, USD 12.40 FOB.",
            at=monday + timedelta(hours=3),
            message_id="<r@tend-exports.com>",
            in_reply_to="<q@served.example>",
        )
    )
    assert mailboxes_fetch() == 3

    later = monday + timedelta(days=3)
    assert [i.customer for i in inquiries_waiting(user=b, now=later)] == [ignored]
    assert list(inquiries_waiting(user=a, now=later)) == []
    rows, _ = reliability_report(
        user=our_people["admin"], start=monday - timedelta(days=1), end=later, now=later
    )
    by_person = {row.person.pk: row for row in rows}
    assert by_person[a.pk].median_response_hours == 3.0
    assert b.pk not in by_person or by_person[b.pk].median_response_hours is None
