"""The daily digest, sent through a real SMTP server on localhost."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tend.accounts.models import Role
from tend.accounts.tests.factories import UserFactory
from tend.agenda.digest import send_daily_digests
from tend.agenda.models import DigestSent
from tend.customers.models import Customer
from tend.customers.tests.factories import CustomerFactory
from tend.engagement.services import promise_make
from tend.smtp_fixtures import free_port

# Monday 24 November 2025, 05:00 UTC: 09:00 in Dubai, midnight in New York.
NOW = datetime(2025, 11, 24, 5, 0, tzinfo=UTC)


@pytest.fixture
def smtp(smtp_inbox):
    """The shared real SMTP server on localhost (tend.smtp_fixtures)."""
    return smtp_inbox


@pytest.fixture
def alice_day(book, rep1):
    """Alice, in Dubai, has a quote due today and a tier A customer overdue for a touch."""
    rep1.time_zone = "Asia/Dubai"
    rep1.save(update_fields=["time_zone"])
    promise = promise_make(
        by=rep1,
        customer=book["rep1_owned"],
        kind="quote",
        due_at=NOW + timedelta(hours=3),
        made_at=NOW - timedelta(days=2),
        description="Quote for 40 ft of basmati rice",
    )
    Customer.objects.filter(pk=book["rep1_owned"].pk).update(
        tier="A", touch_due_at=NOW - timedelta(days=2)
    )
    return promise


@pytest.fixture
def bob_in_new_york(book, rep2):
    rep2.time_zone = "America/New_York"
    rep2.save(update_fields=["time_zone"])
    return promise_make(
        by=rep2,
        customer=book["rep2_owned"],
        kind="sample",
        due_at=NOW + timedelta(hours=10),
        made_at=NOW - timedelta(days=1),
        description="Sample of the 2 kg pack",
    )


def run_digest(django_capture_on_commit_callbacks, now=NOW) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return send_daily_digests(now=now)


def subject(message) -> str:
    """The subject as a mail client shows it: Django folds a long non-ASCII subject onto a
    continuation line, which the parser keeps as a leading space."""
    return str(message["Subject"]).strip()


def text_and_html(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


def test_a_rep_gets_their_agenda_by_email_at_eight_their_time(
    smtp, alice_day, rep1, django_capture_on_commit_callbacks
):
    assert run_digest(django_capture_on_commit_callbacks) == 1

    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["alice@exporter.example"]
    assert message["To"] == "alice@exporter.example"
    assert message["From"] == "tend@exporter.example"
    assert subject(message) == "Tend — your day, Mon 24 Nov: 1 promise due, 1 customer to touch"
    assert message["X-Tend-Idempotency-Key"] == f"digest:{rep1.pk}:2025-11-24"
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = text_and_html(message)
    assert text.startswith("Good morning, Alice.\n\nYour day, Monday 24 November 2025:\n")
    assert (
        "Promises due today and overdue (1)\n- Quote for 40 ft of basmati rice — Al Noor Trading "
        "(due 2025-11-24 12:00)" in text
    )
    assert (
        "Customers overdue for a touch (1)\n- Al Noor Trading (tier A, touch due 2025-11-22)"
        in text
    )
    assert "Open your agenda: https://tend.exporter.example/today/" in text
    assert "<li>Quote for 40 ft of basmati rice — Al Noor Trading" in html
    assert '<a href="https://tend.exporter.example/today/"' in html
    claim = DigestSent.objects.get()
    assert (claim.user, claim.local_date, claim.items) == (rep1, date(2025, 11, 24), 2)
    assert claim.sent_at is not None


def test_a_second_run_the_same_day_sends_nothing(
    smtp, alice_day, rep1, django_capture_on_commit_callbacks
):
    assert run_digest(django_capture_on_commit_callbacks) == 1
    assert run_digest(django_capture_on_commit_callbacks, NOW + timedelta(minutes=15)) == 0
    assert run_digest(django_capture_on_commit_callbacks, NOW + timedelta(hours=6)) == 0

    assert len(smtp.messages) == 1
    assert DigestSent.objects.filter(user=rep1).count() == 1


def test_a_rep_whose_local_time_is_before_eight_gets_nothing_yet(
    smtp, alice_day, bob_in_new_york, rep2, django_capture_on_commit_callbacks
):
    run_digest(django_capture_on_commit_callbacks)
    assert [recipients for recipients, _message in smtp.messages] == [["alice@exporter.example"]]
    assert not DigestSent.objects.filter(user=rep2).exists()

    # 13:00 UTC is 08:00 in New York.
    assert run_digest(django_capture_on_commit_callbacks, NOW + timedelta(hours=8)) == 1
    recipients, message = smtp.messages[1]
    assert recipients == ["bob@exporter.example"]
    assert subject(message) == "Tend — your day, Mon 24 Nov: 1 promise due"
    assert message["X-Tend-Idempotency-Key"] == f"digest:{rep2.pk}:2025-11-24"


def test_nobody_gets_a_digest_on_their_weekend_or_after_the_workday(
    smtp, alice_day, rep1, django_capture_on_commit_callbacks
):
    saturday_morning = NOW - timedelta(days=2)  # Saturday 22 November, 09:00 in Dubai
    monday_evening = NOW + timedelta(hours=10)  # 19:00 in Dubai
    assert run_digest(django_capture_on_commit_callbacks, saturday_morning) == 0
    assert run_digest(django_capture_on_commit_callbacks, monday_evening) == 0
    assert smtp.messages == []
    assert not DigestSent.objects.filter(user=rep1).exists()


def test_a_rep_with_an_empty_agenda_gets_no_email_and_none_later_that_day(
    smtp, rep1, django_capture_on_commit_callbacks
):
    rep1.time_zone = "Asia/Dubai"
    rep1.save(update_fields=["time_zone"])
    assert run_digest(django_capture_on_commit_callbacks) == 0
    assert smtp.messages == []
    claim = DigestSent.objects.get()
    assert (claim.user, claim.items, claim.sent_at) == (rep1, 0, None)

    CustomerFactory(name="Late Bloomer LLC", owner=rep1, touch_due_at=NOW - timedelta(days=1))
    assert run_digest(django_capture_on_commit_callbacks, NOW + timedelta(hours=2)) == 0
    assert smtp.messages == []


def test_managers_get_a_digest_only_for_customers_or_promises_of_their_own(
    smtp, book, manager1, admin_user, django_capture_on_commit_callbacks
):
    lonely_manager = UserFactory(username="nadia", role=Role.MANAGER, team=manager1.team)
    for person in (manager1, admin_user, lonely_manager):
        person.time_zone = "Asia/Dubai"
        person.save(update_fields=["time_zone"])
    for person in (manager1, admin_user):
        CustomerFactory(
            name=f"Own {person.username}", owner=person, touch_due_at=NOW - timedelta(days=1)
        )

    run_digest(django_capture_on_commit_callbacks)

    assert [recipients for recipients, _message in smtp.messages] == [["maria@exporter.example"]]
    assert not DigestSent.objects.filter(user__in=[admin_user, lonely_manager]).exists()


def test_a_digest_that_cannot_be_sent_is_retried_by_a_later_run(
    smtp, settings, alice_day, django_capture_on_commit_callbacks
):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    assert run_digest(django_capture_on_commit_callbacks) == 1
    assert DigestSent.objects.count() == 0

    settings.EMAIL_PORT = smtp.port
    assert run_digest(django_capture_on_commit_callbacks, NOW + timedelta(minutes=15)) == 1
    assert len(smtp.messages) == 1
    assert DigestSent.objects.get().sent_at is not None


def test_inactive_people_and_people_without_email_get_nothing(
    smtp, alice_day, rep1, django_capture_on_commit_callbacks
):
    rep1.is_active = False
    rep1.save(update_fields=["is_active"])
    assert run_digest(django_capture_on_commit_callbacks) == 0

    rep1.is_active, rep1.email = True, ""
    rep1.save(update_fields=["is_active", "email"])
    assert run_digest(django_capture_on_commit_callbacks) == 0
    assert smtp.messages == []


def test_a_rep_who_reads_chinese_gets_the_digest_in_chinese(
    smtp, alice_day, rep1, django_capture_on_commit_callbacks
):
    rep1.language = "zh-hans"
    rep1.save(update_fields=["language"])

    assert run_digest(django_capture_on_commit_callbacks) == 1

    text, _html = text_and_html(smtp.messages[0][1])
    assert "2025年11月24日 星期一" in text
