"""The monthly report by email: managers, on the first working day of the month in their own
zone (on both sides of the date line), once, with the charts inline and the PDF attached."""

import io
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from pypdf import PdfReader

from tend.accounts.models import Role
from tend.accounts.tests.factories import UserFactory
from tend.reports import monthly
from tend.reports.models import MonthlyReportSent

pytestmark = pytest.mark.django_db

# Monday 1 June 2026, 20:00 UTC: 08:00 on Tuesday 2 June in Auckland, 10:00 on Monday 1 June in
# Honolulu, 04:00 on Tuesday in Tokyo (too early).
NOW = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)


@pytest.fixture
def managers(team1, team2, hand_book):
    return {
        "auckland": UserFactory(
            username="kiri",
            role=Role.MANAGER,
            team=team1,
            time_zone="Pacific/Auckland",
            email="kiri@example.com",
        ),
        "honolulu": UserFactory(
            username="leilani",
            role=Role.MANAGER,
            team=team2,
            time_zone="Pacific/Honolulu",
            email="leilani@example.com",
        ),
        "tokyo": UserFactory(
            username="yui",
            role=Role.MANAGER,
            team=team1,
            time_zone="Asia/Tokyo",
            email="yui@example.com",
        ),
    }


def run(django_capture_on_commit_callbacks, now=NOW) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return monthly.send_monthly_reports(now=now)


def test_managers_get_last_months_report_once_in_their_own_morning(
    managers, rep1, django_capture_on_commit_callbacks
):
    rep1.email = "alice@example.com"
    rep1.save()

    assert run(django_capture_on_commit_callbacks) == 2
    assert run(django_capture_on_commit_callbacks) == 0  # a second run sends nothing

    assert sorted(m.to[0] for m in mail.outbox) == ["kiri@example.com", "leilani@example.com"]
    assert set(MonthlyReportSent.objects.values_list("month", flat=True)) == {date(2026, 5, 1)}
    message = next(m for m in mail.outbox if m.to == ["kiri@example.com"])
    assert message.extra_headers[monthly.IDEMPOTENCY_HEADER].endswith(":2026-05")
    assert "2026-05" in message.subject
    html = message.alternatives[0][0]
    assert 'src="cid:chart-cohorts"' in html
    kinds = [
        part.get_content_type() if hasattr(part, "get_content_type") else part[2]
        for part in message.attachments
    ]
    assert "image/svg+xml" in kinds and "application/pdf" in kinds
    pdf = next(part for part in message.attachments if isinstance(part, tuple))
    assert len(PdfReader(io.BytesIO(pdf[1])).pages) >= 2


def test_a_month_starting_on_a_saturday_reports_on_monday():
    assert monthly.first_working_day(2026, 8) == date(2026, 8, 3)
    saturday = datetime(2026, 8, 1, 9, tzinfo=UTC)
    monday = datetime(2026, 8, 3, 9, tzinfo=UTC)
    assert not monthly.report_due(saturday)
    assert monthly.report_due(monday)


def test_a_failed_send_is_retried_later(managers, django_capture_on_commit_callbacks, monkeypatch):
    def fail(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", fail)
    run(django_capture_on_commit_callbacks)
    assert not MonthlyReportSent.objects.exists()
    monkeypatch.undo()

    assert run(django_capture_on_commit_callbacks) == 2
    assert MonthlyReportSent.objects.filter(sent_at__isnull=False).count() == 2
