"""Writes for customer voice: asking for a survey (every trigger comes through
``survey_request``, which holds the polite-asking rules), recording the answer pressed on the
link, and a contact's opt-out.

Sending follows the digest's path (``agenda/digest.py``): the ``SurveySend`` row is the claim,
inserted first under a unique idempotency key; the email goes after the claim commits, and the
row is removed if sending fails, so a later run asks again. A job run twice sends once."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import Role, User
from tend.core.i18n import TranslatableText
from tend.core.models import CompanyProfile
from tend.customers.models import Contact, Customer
from tend.engagement.workhours import add_working_days
from tend.tasks.models import TaskKind
from tend.tasks.services import create_task
from tend.timeline.services import timeline_add

from . import selectors
from .models import Survey, SurveyAnswer, SurveyKind, SurveyOptOut, SurveySend, Trigger
from .timeline_kinds import SURVEY

logger = logging.getLogger("tend.voice")

IDEMPOTENCY_HEADER = "X-Tend-Idempotency-Key"
COMMENT_MAX = 2000


class Refusal:
    """Why a survey was not sent (codes kept in the result, words for people)."""

    NO_SURVEY = "no_survey"
    NO_CONTACT = "no_contact"
    OPTED_OUT = "opted_out"
    OPEN_CASE = "open_case"
    CONTACT_RECENT = "contact_recent"
    COMPANY_RECENT = "company_recent"
    ALREADY = "already_sent"

    WORDS = {
        NO_SURVEY: gettext_lazy("no active survey of that kind"),
        NO_CONTACT: gettext_lazy("no contact with an email address"),
        OPTED_OUT: gettext_lazy("the contact asked not to be surveyed"),
        OPEN_CASE: gettext_lazy("the customer has an open case"),
        CONTACT_RECENT: gettext_lazy("the contact was surveyed recently"),
        COMPANY_RECENT: gettext_lazy("the company was surveyed recently"),
        ALREADY: gettext_lazy("already asked about this"),
    }


@dataclass
class Requested:
    send: SurveySend | None = None
    refused: str = ""

    @property
    def sent(self) -> bool:
        return self.send is not None

    @property
    def reason(self) -> str:
        return str(Refusal.WORDS.get(self.refused, ""))


def contact_language(contact: Contact) -> str:
    """The language Tend writes to the contact in: Simplified Chinese for Chinese readers,
    English for everyone else (the two the surveys are written in)."""
    return "zh-hans" if (contact.language or "").lower().startswith("zh") else "en"


def _idempotency_key(*, customer: Customer, trigger: str, subject: str) -> str:
    raw = f"{trigger}:{customer.pk}:{subject}"
    if len(raw) <= 100:
        return f"voice:{raw}"
    return f"voice:{trigger}:{customer.pk}:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def _pick_contact(customer: Customer, contact: Contact | None) -> tuple[Contact | None, str]:
    """The contact to ask: the one named, else the primary (else the first) with an email who
    has not opted out."""
    if contact is not None:
        if contact.customer_id != customer.pk:
            raise ValidationError({"contact": _("That contact is not one of this customer's.")})
        if not contact.email:
            return None, Refusal.NO_CONTACT
        if SurveyOptOut.objects.filter(contact=contact).exists():
            return None, Refusal.OPTED_OUT
        return contact, ""
    candidates = (
        Contact.objects.filter(customer=customer)
        .exclude(email="")
        .order_by("-is_primary", "name", "id")
    )
    chosen = candidates.filter(survey_opt_out__isnull=True).first()
    if chosen is not None:
        return chosen, ""
    return None, Refusal.OPTED_OUT if candidates.exists() else Refusal.NO_CONTACT


def survey_request(
    *,
    customer: Customer,
    contact: Contact | None = None,
    kind: str,
    trigger: str,
    subject_label: str = "",
    subject_key: str = "",
    by: User | None = None,
    now: datetime | None = None,
) -> Requested:
    """Ask one contact of the customer for a survey of ``kind`` — the single entry for every
    trigger (order delivered, case closed, relationship rhythm, by hand).

    Refused (nothing written, the reason in the result) when no survey of the kind is active,
    no contact has an email, the contact opted out, the customer has an open case, the contact
    or the company was surveyed within ``TEND_VOICE_CONTACT_GAP_DAYS`` /
    ``TEND_VOICE_COMPANY_GAP_DAYS``, or the same subject was already asked about
    (``subject_key``, else ``subject_label``: a case closed twice asks once)."""
    if kind not in SurveyKind.values:
        raise ValidationError({"kind": _("“%(value)s” is not a kind of survey.") % {"value": kind}})
    if trigger not in Trigger.values:
        raise ValidationError({"trigger": _("“%(value)s” is not a trigger.") % {"value": trigger}})
    now = now or timezone.now()
    subject_label = " ".join((subject_label or "").split())[:200]
    survey = Survey.objects.filter(kind=kind, active=True).order_by("pk").first()
    if survey is None:
        return Requested(refused=Refusal.NO_SURVEY)
    with transaction.atomic():
        # The customer's row is the lock: two triggers for one company decide one after another.
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        chosen, refused = _pick_contact(customer, contact)
        if chosen is None:
            return Requested(refused=refused)
        key = _idempotency_key(
            customer=customer,
            trigger=trigger,
            subject=subject_key or subject_label or f"{now.date().isoformat()}:{chosen.pk}",
        )
        if SurveySend.objects.filter(idempotency_key=key).exists():
            return Requested(refused=Refusal.ALREADY)
        # Any one-column queryset of customer ids will do (cases' own is of its rows' ids).
        open_cases = selectors.customers_with_open_cases()
        if Customer.objects.filter(pk=customer.pk, pk__in=open_cases).exists():
            return Requested(refused=Refusal.OPEN_CASE)
        contact_since = now - timedelta(days=settings.TEND_VOICE_CONTACT_GAP_DAYS)
        if SurveySend.objects.filter(contact=chosen, created_at__gt=contact_since).exists():
            return Requested(refused=Refusal.CONTACT_RECENT)
        company_since = now - timedelta(days=settings.TEND_VOICE_COMPANY_GAP_DAYS)
        if SurveySend.objects.filter(customer=customer, created_at__gt=company_since).exists():
            return Requested(refused=Refusal.COMPANY_RECENT)
        send = SurveySend(
            survey=survey,
            customer=customer,
            contact=chosen,
            contact_name=chosen.name,
            trigger=trigger,
            subject_label=subject_label,
            language=contact_language(chosen),
            idempotency_key=key,
            created_at=now,
            requested_by=by if getattr(by, "pk", None) else None,
        )
        token = send.issue_token(now=now, days=settings.TEND_VOICE_LINK_DAYS)
        try:
            with transaction.atomic():
                send.save()
        except IntegrityError:
            return Requested(refused=Refusal.ALREADY)  # another run claimed it first
        timeline_add(
            customer_id=customer.pk,
            kind=SURVEY,
            actor=by,
            at=now,
            source=send,
            title=TranslatableText(
                gettext_lazy("Survey sent to %(contact)s (%(trigger)s)"),
                {"contact": chosen.name, "trigger": Trigger(trigger).label},
            ),
        )
        message = survey_message(send=send, token=token)
        transaction.on_commit(partial(_deliver, send.pk, message))
    return Requested(send=send)


def answer_url(token: str) -> str:
    return settings.TEND_BASE_URL + reverse("voice:answer", args=[token])


def survey_message(*, send: SurveySend, token: str) -> EmailMultiAlternatives:
    """The email, in the contact's language."""
    company = CompanyProfile.current().name
    with translation.override(send.language):
        context = {
            "send": send,
            "contact": send.contact,
            "question": send.survey.question(send.language),
            "url": answer_url(token),
            "company": company,
            "days": settings.TEND_VOICE_LINK_DAYS,
        }
        subject = _("%(company)s would like your opinion") % {"company": company}
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("voice/email/survey.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[send.contact.email],
            headers={IDEMPOTENCY_HEADER: send.idempotency_key, "Auto-Submitted": "auto-generated"},
        )
        message.attach_alternative(
            render_to_string("voice/email/survey.html", context), "text/html"
        )
    return message


def _deliver(send_pk: int, message: EmailMultiAlternatives) -> None:
    try:
        message.send()
    except Exception:
        logger.exception("Survey %s could not be sent; a later run asks again", send_pk)
        with transaction.atomic():
            from tend.timeline.models import TimelineEntry

            TimelineEntry.objects.filter(
                source_type=SurveySend._meta.label_lower, source_id=send_pk
            ).delete()
            SurveySend.objects.filter(pk=send_pk, sent_at__isnull=True).delete()
    else:
        SurveySend.objects.filter(pk=send_pk).update(sent_at=timezone.now())


# --- answers ---------------------------------------------------------------------------------


def _follow_up_assignee(customer: Customer) -> User | None:
    """The owner; if they have left or nobody owns the customer, the backup, else an admin."""
    for person in (customer.owner, customer.backup_owner):
        if person is not None and person.is_active:
            return person
    return User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk").first()


def _follow_up(answer: SurveyAnswer, now: datetime) -> None:
    """The playbook rule for answers: a detractor (NPS 0–6) or an unhappy CSAT (1–2) opens a
    follow-up task for the owner, due the next working day."""
    if not answer.unhappy:
        return
    customer = Customer.objects.select_related("owner", "backup_owner").get(pk=answer.customer_id)
    person = _follow_up_assignee(customer)
    if person is None:
        return
    top = max(answer.send.survey.scale)
    create_task(
        customer=customer,
        assignee=person,
        kind=TaskKind.FOLLOW_UP,
        title=_("Call %(contact)s: answered %(score)d of %(top)d to our survey")
        % {"contact": answer.send.contact_name, "score": answer.score, "top": top},
        detail=answer.comment,
        due_at=add_working_days(now, 1, tz=person.time_zone or "UTC"),
        origin="voice",
        dedupe_key=f"voice:answer:{answer.pk}",
    )


def answer_record(
    *, send: SurveySend, score, comment: str = "", now: datetime | None = None
) -> SurveyAnswer | None:
    """Record the answer pressed on the link, once. None when the link is used or expired
    (nothing changed). A score off the survey's scale is refused before anything is written."""
    now = now or timezone.now()
    try:
        score = int(str(score).strip())
    except (TypeError, ValueError):
        raise ValidationError({"score": _("Choose one of the buttons.")}) from None
    if score not in send.survey.scale:
        raise ValidationError({"score": _("Choose one of the buttons.")})
    comment = "".join(ch for ch in (comment or "") if ch.isprintable() or ch in "\n\t").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": _("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX}}
        )
    with transaction.atomic():
        if not send.claim(now=now):
            return None
        answer = SurveyAnswer.objects.create(
            send=send,
            customer_id=send.customer_id,
            kind=send.survey.kind,
            score=score,
            comment=comment,
            answered_at=now,
        )
        top = max(send.survey.scale)
        timeline_add(
            customer_id=send.customer_id,
            kind=SURVEY,
            at=now,
            source=answer,
            body=comment,
            title=TranslatableText(
                gettext_lazy("%(contact)s answered the survey: %(score)d of %(top)d"),
                {"contact": send.contact_name, "score": score, "top": top},
            ),
            data={"score": score, "kind": send.survey.kind},
        )
        _follow_up(answer, now)
    return answer


def contact_opt_out(*, send: SurveySend, now: datetime | None = None) -> bool:
    """The contact asks (one click on the page) to be surveyed no more. Refused for an expired
    link; True when it was new."""
    now = now or timezone.now()
    if send.expires_at <= now or send.contact_id is None:
        return False  # expired, or the contact was removed (nobody left to ask)
    with transaction.atomic():
        _opt_out, created = SurveyOptOut.objects.get_or_create(
            contact_id=send.contact_id, defaults={"at": now, "send": send}
        )
        if created:
            timeline_add(
                customer_id=send.customer_id,
                kind=SURVEY,
                at=now,
                title=TranslatableText(
                    gettext_lazy("%(contact)s asked not to be surveyed again"),
                    {"contact": send.contact_name},
                ),
            )
    return created
