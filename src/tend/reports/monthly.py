"""The monthly report: on the first working day of each month, each manager gets last month's
report (the report page for their team) by email: the conclusions and captions in the body,
each chart inline as SVG and the whole report attached as a PDF.

Working day: not one of ``TEND_WEEKEND_DAYS`` in the manager's zone, from ``TEND_DIGEST_HOUR``
to the end of the workday (as the daily digest). A worker that was down on that day sends it on
the next working day of the month; never twice: the ``MonthlyReportSent`` row (unique per
manager and month) is inserted first as the claim, the email goes after commit, and the row is
removed if sending fails so a later run retries."""

import logging
import zoneinfo
from datetime import date, datetime, timedelta
from email.mime.image import MIMEImage
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tend.accounts.models import Role, User
from tend.jobs.registry import register_periodic

from . import charts, registry
from .forms import last_complete_month
from .models import MonthlyReportSent
from .pdf import report_pdf

logger = logging.getLogger("tend.reports.monthly")

IDEMPOTENCY_HEADER = "X-Tend-Idempotency-Key"


def _zone(user: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while day.weekday() in settings.TEND_WEEKEND_DAYS:
        day += timedelta(days=1)
    return day


def report_due(local: datetime) -> bool:
    """Whether the monthly report may go out at this local time: a working day on or after the
    month's first working day, within the digest hours."""
    return (
        local.date() >= first_working_day(local.year, local.month)
        and local.weekday() not in settings.TEND_WEEKEND_DAYS
        and settings.TEND_DIGEST_HOUR <= local.hour < settings.TEND_WORKDAY_END
    )


def recipients():
    return User.objects.filter(is_active=True, role=Role.MANAGER).exclude(email="").order_by("pk")


def idempotency_key(user: User, month: date) -> str:
    return f"monthly-report:{user.pk}:{month:%Y-%m}"


def monthly_message(*, user: User, month: date) -> EmailMultiAlternatives:
    """The email: headline and caption per section, charts inline (SVG, by Content-ID), the PDF
    attached."""
    filters = registry.ReportFilters(end=month, team=user.team_id)
    results = [(s, s.compute(filters, user)) for s in registry.sections(user)]
    url = settings.TEND_BASE_URL + reverse("reports:report") + "?" + urlencode(filters.query())
    context = {"user": user, "month": month, "results": results, "url": url}
    subject = _("Tend — your monthly report, %(month)s") % {"month": month.strftime("%Y-%m")}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("reports/email/monthly.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            IDEMPOTENCY_HEADER: idempotency_key(user, month),
            "Auto-Submitted": "auto-generated",
        },
    )
    message.mixed_subtype = "related"
    message.attach_alternative(render_to_string("reports/email/monthly.html", context), "text/html")
    for section, result in results:
        if result.chart is None:
            continue
        image = MIMEImage(charts.svg(result.chart).encode(), "svg+xml")
        image.add_header("Content-ID", f"<chart-{section.key}>")
        image.add_header("Content-Disposition", "inline", filename=f"{section.key}.svg")
        message.attach(image)
    message.attach(
        f"tend-report-{month:%Y-%m}.pdf",
        report_pdf(user=user, filters=filters, results=results),
        "application/pdf",
    )
    return message


def _deliver(claim_pk: int, message: EmailMultiAlternatives) -> None:
    try:
        message.send()
    except Exception:
        logger.exception("Monthly report %s could not be sent; a later run retries", claim_pk)
        MonthlyReportSent.objects.filter(pk=claim_pk).delete()
    else:
        MonthlyReportSent.objects.filter(pk=claim_pk).update(sent_at=timezone.now())


def monthly_report_send(*, user: User, month: date, now: datetime) -> bool:
    """Claim the manager's report for ``month`` and send it once the claim is committed.
    False when already claimed."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = MonthlyReportSent.objects.create(user=user, month=month, claimed_at=now)
        except IntegrityError:
            return False
        language = user.language or settings.LANGUAGE_CODE
        with translation.override(language), timezone.override(_zone(user)):
            message = monthly_message(user=user, month=month)
        transaction.on_commit(partial(_deliver, claim.pk, message))
    return True


def send_monthly_reports(*, now: datetime | None = None) -> int:
    """The periodic job: every manager for whom the month's report is due and not yet sent."""
    now = now or timezone.now()
    handed_over = 0
    for user in recipients():
        local = now.astimezone(_zone(user))
        if not report_due(local):
            continue
        month = last_complete_month(local.date())
        if MonthlyReportSent.objects.filter(user=user, month=month).exists():
            continue
        try:
            handed_over += monthly_report_send(user=user, month=month, now=now)
        except Exception:  # one manager's broken report must not stop the others'
            logger.exception("Monthly report for user %s failed; a later run retries", user.pk)
    return handed_over


register_periodic("reports.monthly_report", timedelta(minutes=30), send_monthly_reports)
