"""The daily digest: each rep's agenda by email at 08:00 their time, once a day.

Who gets one: active reps with an email address, and managers who own customers or have open
promises of their own (their agenda is then a rep's agenda too). Admins do not. A person whose
agenda is empty that day gets no email (the day is still marked done, so nothing arrives later
that day either). It goes out on the person's working days (``TEND_WEEKEND_DAYS`` are skipped),
from ``TEND_DIGEST_HOUR`` until the end of their workday: a worker that was down all morning
still sends it, one that comes back at night does not.

Once a day: the ``DigestSent`` row (unique per person and local day) is inserted first, as the
claim; the email is sent after that commits, and the row is removed if sending fails, so a
later run retries.

Killed mid-way (SIGKILL, power cut): ``sent_at`` is committed just before the message goes to
the mail server, so a claim without it was never handed over. Such a claim older than
``TEND_JOB_LEASE_SECONDS`` lost its worker and is taken again by the next run. A claim with
``sent_at`` is never sent again: a rare lost digest (killed during the SMTP exchange) is
preferred to a duplicate, and the idempotency header lets a relay drop a repeat anyway."""

import logging
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tend.accounts.models import Role, User
from tend.customers.models import Customer
from tend.engagement.models import Promise
from tend.jobs.crashpoints import crash_point
from tend.jobs.registry import register_periodic

from . import registry
from .models import DigestSent
from .views import agenda_context

logger = logging.getLogger("tend.agenda.digest")

IDEMPOTENCY_HEADER = "X-Tend-Idempotency-Key"

# How each known section reads in the subject line; other sections read "Title: n".
SUBJECT_PHRASES = {
    "promises": lambda n: ngettext("%(n)d promise due", "%(n)d promises due", n) % {"n": n},
    "inquiries": lambda n: (
        ngettext("%(n)d inquiry waiting", "%(n)d inquiries waiting", n) % {"n": n}
    ),
    "touches": lambda n: (
        ngettext("%(n)d customer to touch", "%(n)d customers to touch", n) % {"n": n}
    ),
    "pool_returns": lambda n: (
        ngettext(
            "%(n)d customer about to return to the pool",
            "%(n)d customers about to return to the pool",
            n,
        )
        % {"n": n}
    ),
}


@dataclass
class DigestSection:
    key: str
    title: str
    total: int
    lines: list[str]

    @property
    def more(self) -> int:
        return self.total - len(self.lines)


@dataclass
class Digest:
    user: User
    today: date
    agenda_url: str
    sections: list[DigestSection] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(section.total for section in self.sections)

    @property
    def subject(self) -> str:
        day = date_format(self.today, "D j M")
        parts = [
            SUBJECT_PHRASES[s.key](s.total) if s.key in SUBJECT_PHRASES else f"{s.title}: {s.total}"
            for s in self.sections
        ]
        if not parts:
            return _("Tend — your day, %(day)s: nothing due") % {"day": day}
        return _("Tend — your day, %(day)s: %(summary)s") % {
            "day": day,
            "summary": ", ".join(parts),
        }


def _zone(user: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def digest_time(local: datetime) -> bool:
    """Whether a digest may go out at this local time: a working day, from the digest hour
    until the end of the workday."""
    return (
        local.weekday() not in settings.TEND_WEEKEND_DAYS
        and settings.TEND_DIGEST_HOUR <= local.hour < settings.TEND_WORKDAY_END
    )


def digest_recipients():
    """Active reps, and managers with customers or open promises of their own."""
    owns = Customer.objects.filter(owner=OuterRef("pk"))
    promised = Promise.objects.open().filter(made_by=OuterRef("pk"))
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(role=Role.REP) | (Q(role=Role.MANAGER) & (Exists(owns) | Exists(promised))))
        .order_by("pk")
    )


def agenda_url() -> str:
    return settings.TEND_BASE_URL + reverse("agenda:today")


def digest_build(*, user: User, now: datetime) -> Digest:
    """The person's agenda sections as lines of text, the first few rows of each."""
    context = agenda_context(user=user, viewer=user, now=now)
    digest = Digest(user=user, today=context.today, agenda_url=agenda_url())
    with timezone.override(_zone(user)):  # times in the lines read in the person's zone
        _add_sections(digest, context)
    return digest


def _add_sections(digest: Digest, context) -> None:
    for section in registry.sections():
        result = section.rows(context, settings.TEND_DIGEST_ROWS)
        if result.total:
            digest.sections.append(
                DigestSection(
                    key=section.key,
                    title=str(section.title),
                    total=result.total,
                    lines=[section.digest_line(row) for row in result.rows],
                )
            )


def idempotency_key(user: User, day: date) -> str:
    return f"digest:{user.pk}:{day.isoformat()}"


def digest_message(digest: Digest) -> EmailMultiAlternatives:
    context = {"digest": digest, "user": digest.user}
    message = EmailMultiAlternatives(
        subject=digest.subject,
        body=render_to_string("agenda/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[digest.user.email],
        headers={
            IDEMPOTENCY_HEADER: idempotency_key(digest.user, digest.today),
            "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies
        },
    )
    message.attach_alternative(render_to_string("agenda/email/digest.html", context), "text/html")
    return message


def _deliver(claim_pk: int, message: EmailMultiAlternatives) -> None:
    crash_point("digest.claimed")
    if not DigestSent.objects.filter(pk=claim_pk, sent_at=None).update(sent_at=timezone.now()):
        return  # taken over by another run meanwhile
    try:
        message.send()
    except Exception:
        logger.exception("Daily digest %s could not be sent; a later run retries", claim_pk)
        DigestSent.objects.filter(pk=claim_pk).delete()
    crash_point("digest.sent")


def digest_claims_release_stale(*, now: datetime) -> int:
    """Claims whose worker died before handing the email over: removed, so this run takes the
    day again."""
    stale = now - timedelta(seconds=settings.TEND_JOB_LEASE_SECONDS)
    released, _kinds = DigestSent.objects.filter(
        sent_at=None, items__gt=0, claimed_at__lt=stale
    ).delete()
    if released:
        logger.warning("Released %s daily digest claim(s) whose worker died", released)
    return released


def digest_send(*, user: User, day: date, now: datetime) -> bool:
    """Claim the person's digest for the day and, if their agenda has anything, send it once the
    claim is committed. False when already claimed or when there is nothing to send."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = DigestSent.objects.create(user=user, local_date=day, claimed_at=now)
        except IntegrityError:
            return False  # another run or worker has it
        with translation.override(user.language or settings.LANGUAGE_CODE):
            digest = digest_build(user=user, now=now)
            if not digest.items:
                return False  # an empty agenda: the day is done, nothing to send
            message = digest_message(digest)
        claim.items = digest.items
        claim.save(update_fields=["items"])
        transaction.on_commit(partial(_deliver, claim.pk, message))
    return True


def send_daily_digests(*, now: datetime | None = None) -> int:
    """The periodic job: everyone for whom it is digest time and who has had no digest today.
    Returns how many digests were handed over for sending."""
    now = now or timezone.now()
    due = []
    for user in digest_recipients():
        local = now.astimezone(_zone(user))
        if digest_time(local):
            due.append((user, local.date()))
    if not due:
        return 0
    digest_claims_release_stale(now=now)
    done = set(
        DigestSent.objects.filter(
            user__in=[user.pk for user, _day in due], local_date__in={day for _user, day in due}
        ).values_list("user_id", "local_date")
    )
    handed_over = 0
    for user, day in due:
        if (user.pk, day) in done:
            continue
        try:
            handed_over += digest_send(user=user, day=day, now=now)
        except Exception:  # one person's broken digest must not stop everyone else's
            logger.exception("Daily digest for user %s failed; a later run retries", user.pk)
    return handed_over


register_periodic("agenda.daily_digest", timedelta(minutes=15), send_daily_digests)
