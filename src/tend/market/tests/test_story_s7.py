"""Story S7 (seed 004): a price rise told early to all dealers; who read and acknowledged it."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tend.customers.models import CustomerType
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.market import selectors
from tend.market.models import NoticeRecipient
from tend.market.services import notices
from tend.orders.tests.factories import ProductFactory
from tend.tasks.models import Task

from .conftest import place_order

SENT = datetime(2026, 10, 20, 9, tzinfo=UTC)  # 45 days before 2026-12-04
EFFECTIVE = date(2026, 12, 4)


def _token(message) -> str:
    return re.search(r"/notice/([A-Za-z0-9_-]{43})/", message.body).group(1)


@pytest.fixture
def dealers(rep1, rep2):
    out = []
    for i, (country, zone, owner) in enumerate(
        [
            ("NZ", "Pacific/Auckland", rep1),
            ("US", "America/Los_Angeles", rep2),
            ("AE", "Asia/Dubai", rep1),
        ]
    ):
        dealer = CustomerFactory(
            name=f"Dealer {i}",
            country=country,
            time_zone=zone,
            type=CustomerType.DEALER,
            owner=owner,
        )
        ContactFactory(customer=dealer, name=f"Buyer {i}a", email=f"a{i}@dealer{i}.example")
        ContactFactory(customer=dealer, name=f"Buyer {i}b", email=f"b{i}@dealer{i}.example")
        out.append(dealer)
    return out


@pytest.fixture
def kettle(db):
    return ProductFactory(sku="KT-300", category="Kettles", list_price=Decimal("10.00"))


def _notice(by, *, notice_days=45):
    return notices.notice_create(
        by=by,
        kind="price",
        title="Kettle prices rise 8% on 4 December",
        body="Copper and freight costs.",
        product_line="Kettles",
        change_pct=Decimal("8"),
        effective_date=EFFECTIVE,
        notice_days=notice_days,
        acknowledge_by=date(2026, 11, 20),
        now=SENT,
    )


def test_story_s7_price_rise_told_45_days_early_acknowledged_reminded_once_old_price_flagged(
    dealers, kettle, manager1, admin_user, client, django_capture_on_commit_callbacks
):
    notice = _notice(admin_user)
    assert notice.prices.get().new_price == Decimal("10.80")
    with django_capture_on_commit_callbacks(execute=True):
        result = notices.notice_send(by=admin_user, notice=notice, customers=dealers, now=SENT)
    assert (result.sent, result.customers) == (6, 3)
    assert (notice.effective_date - SENT.date()).days == 45
    assert len(mail.outbox) == 6
    assert {m.extra_headers["X-Tend-Idempotency-Key"] for m in mail.outbox} == {
        f"notice:{notice.pk}:{c.pk}:first" for d in dealers for c in d.contacts.all()
    }

    # Sending again tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = notices.notice_send(by=admin_user, notice=notice, customers=dealers, now=SENT)
    assert (again.sent, again.already, len(mail.outbox)) == (0, 6, 6)

    # Dealer 0's first buyer opens the link (read, not acknowledged), then presses the button.
    first = next(m for m in mail.outbox if m.to == ["a0@dealer0.example"])
    url = f"/notice/{_token(first)}/"
    page = client.get(url)
    assert page.status_code == 200 and b"I acknowledge" in page.content
    assert page["Cache-Control"] == "no-store"
    recipient = NoticeRecipient.objects.get(email="a0@dealer0.example")
    assert recipient.read_at is not None and recipient.used_at is None
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200  # a second press records nothing more
    counts = notices.notice_ack_counts(notice=notice)
    assert counts == {"told": 3, "read": 1, "acknowledged": 1}
    acked = {
        r.customer_id for r in NoticeRecipient.objects.filter(notice=notice, used_at__isnull=False)
    }
    assert acked == {dealers[0].pk}

    # A week on, the reminder job runs twice: the four contacts of the two silent dealers are
    # reminded once; dealer 0's other buyer is not (their company acknowledged).
    mail.outbox.clear()
    later = SENT + timedelta(days=8)
    with django_capture_on_commit_callbacks(execute=True):
        notices.notices_remind(now=later)
    with django_capture_on_commit_callbacks(execute=True):
        notices.notices_remind(now=later + timedelta(hours=1))
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a1@dealer1.example",
        "a2@dealer2.example",
        "b1@dealer1.example",
        "b2@dealer2.example",
    ]
    # The reminder's link works.
    reminder = next(m for m in mail.outbox if m.to == ["a1@dealer1.example"])
    assert client.post(f"/notice/{_token(reminder)}/").status_code == 200

    # After the acknowledge-by day, the owner of the one dealer nobody acknowledged gets a task.
    after = datetime(2026, 11, 21, 9, tzinfo=UTC)
    notices.notices_remind(now=after)
    notices.notices_remind(now=after)
    tasks = Task.objects.filter(origin="notice")
    assert [(t.customer, t.assignee) for t in tasks] == [(dealers[2], dealers[2].owner)]

    # An order placed at the old price after the effective date is flagged; one at the new
    # price, and one before the date, are not.
    old = place_order(dealers[1], kettle, amount=1000, quantity=100, day=date(2026, 12, 5))
    place_order(dealers[1], kettle, amount=1080, quantity=100, day=date(2026, 12, 6))
    place_order(dealers[1], kettle, amount=1000, quantity=100, day=date(2026, 12, 1))
    flagged = list(selectors.old_price_lines(user=admin_user))
    assert [line.order for line in flagged] == [old]
    assert flagged[0].new_price == Decimal("10.80")
    client.force_login(admin_user)
    assert b"Placed at the old price" in client.get(old.get_absolute_url()).content


def test_a_notice_too_late_for_the_contractual_period_is_refused(dealers, kettle, admin_user):
    notice = _notice(admin_user, notice_days=46)
    with pytest.raises(ValidationError) as refused:
        notices.notice_send(by=admin_user, notice=notice, customers=dealers, now=SENT)
    assert "customers" in refused.value.message_dict
    assert not NoticeRecipient.objects.exists()


def test_the_notice_period_is_counted_in_the_customers_calendar(dealers, kettle, admin_user):
    """At 13:00 UTC on 20 October it is already 21 October in Auckland: 44 days left there."""
    notice = _notice(admin_user)
    with pytest.raises(ValidationError) as refused:
        notices.notice_send(
            by=admin_user,
            notice=notice,
            customers=dealers,
            now=datetime(2026, 10, 20, 13, tzinfo=UTC),
        )
    assert "Dealer 0" in str(refused.value) and "Dealer 1" not in str(refused.value)


def test_a_rep_cannot_announce(rep1, kettle):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _notice(rep1)


def test_an_unknown_or_tampered_link_is_404(client, db):
    assert client.get("/notice/" + "x" * 43 + "/").status_code == 404
    assert client.post("/notice/not-a-token/").status_code == 404
