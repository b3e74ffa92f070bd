"""Referrals received, business passed on, and public mentions (story S11; seed 001: referrals
are the best advertisement, and find business for your business customers).

The referral ledger is the one truth of who referred whom (it replaced ``Customer.referred_by``,
whose rows its migration carried over). Each write appears on the timelines it concerns."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.audit.models import AuditAction
from tend.audit.services import audit_record
from tend.core.i18n import TranslatableText
from tend.customers.models import Customer
from tend.timeline.services import timeline_add

from ..models import BusinessPassed, LeadOutcome, Mention, Referral, Sentiment
from ..timeline_kinds import MENTION, REFERRAL


def _not_future(day: date, name: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({name: _("That day has not come yet.")})


@transaction.atomic
def referral_record(
    *, by: User | None, referrer: Customer, referred: Customer, on: date, note: str = ""
) -> Referral:
    """Record that ``referrer`` sent us ``referred``, on both timelines."""
    if referrer.pk == referred.pk:
        raise ValidationError({"referrer": _("A customer cannot refer itself.")})
    _not_future(on, "on")
    note = " ".join((note or "").split())
    if len(note) > 300:
        raise ValidationError({"note": _("Keep the note under 300 characters.")})
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                referrer=referrer, referred=referred, on=on, note=note, created_by=by
            )
    except IntegrityError:
        raise ValidationError(
            {"referred": _("%(name)s already has a referrer.") % {"name": referred}}
        ) from None
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=referral,
        after={"referrer": str(referrer), "referred": str(referred), "on": on.isoformat()},
        customer_id=referred.pk,
    )
    for customer_id, text, other in (
        (referrer.pk, gettext_lazy("Referred %(other)s to us"), referred),
        (referred.pk, gettext_lazy("Came to us referred by %(other)s"), referrer),
    ):
        timeline_add(
            customer_id=customer_id,
            kind=REFERRAL,
            title=TranslatableText(text, {"other": str(other)}),
            actor=by,
            at=timezone.make_aware(datetime.combine(on, datetime.min.time()))
            if on < timezone.localdate()
            else None,
            body=note,
            data={"referral": referral.pk, "other": other.pk},
            source=referral,
        )
    return referral


def referral_set(*, by: User | None, referred: Customer, referrer: Customer | None) -> None:
    """The customer file's "referred by": make the ledger say ``referrer`` (None: nobody).
    Replacing a referrer keeps the day of the first record."""
    current = Referral.objects.filter(referred=referred).select_related("referrer").first()
    if current is not None and referrer is not None and current.referrer_id == referrer.pk:
        return
    on = current.on if current else timezone.localdate()
    if current is not None:
        referral_remove(by=by, referral=current)
    if referrer is not None:
        referral_record(by=by, referrer=referrer, referred=referred, on=on)


@transaction.atomic
def referral_remove(*, by: User | None, referral: Referral) -> None:
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        instance=referral,
        before={"referrer": str(referral.referrer), "referred": str(referral.referred)},
        customer_id=referral.referred_id,
    )
    referral.delete()


@transaction.atomic
def business_passed_record(
    *,
    by: User,
    customer: Customer,
    lead: str,
    passed_on: date,
    description: str = "",
    value: Decimal | None = None,
) -> BusinessPassed:
    lead = " ".join((lead or "").split())
    if not lead:
        raise ValidationError({"lead": _("Who is the lead?")})
    if len(lead) > 200:
        raise ValidationError({"lead": _("Keep it under 200 characters.")})
    if value is not None and value < 0:
        raise ValidationError({"value": _("The value cannot be negative.")})
    _not_future(passed_on, "passed_on")
    passed = BusinessPassed.objects.create(
        customer=customer,
        lead=lead,
        description=(description or "").strip(),
        value=value,
        passed_on=passed_on,
        by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=passed,
        after={"lead": lead, "value": str(value) if value is not None else None},
        customer_id=customer.pk,
    )
    timeline_add(
        customer_id=customer.pk,
        kind=REFERRAL,
        title=TranslatableText(gettext_lazy("We passed them a lead: %(lead)s"), {"lead": lead}),
        actor=by,
        body=passed.description,
        data={"business_passed": passed.pk},
        source=passed,
    )
    return passed


@transaction.atomic
def business_passed_close(
    *, by: User, passed: BusinessPassed, outcome: str, note: str = ""
) -> BusinessPassed:
    if outcome not in LeadOutcome.values or outcome == LeadOutcome.OPEN:
        raise ValidationError({"outcome": _("Won, lost or declined.")})
    passed = BusinessPassed.objects.select_for_update().get(pk=passed.pk)
    if passed.outcome != LeadOutcome.OPEN:
        raise ValidationError({"outcome": _("This lead's outcome is already recorded.")})
    passed.outcome = outcome
    passed.outcome_note = " ".join((note or "").split())[:300]
    passed.save(update_fields=["outcome", "outcome_note"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=passed,
        before={"outcome": LeadOutcome.OPEN},
        after={"outcome": outcome},
        customer_id=passed.customer_id,
    )
    timeline_add(
        customer_id=passed.customer_id,
        kind=REFERRAL,
        title=TranslatableText(
            gettext_lazy("Lead %(lead)s: %(outcome)s"),
            {"lead": passed.lead, "outcome": LeadOutcome(outcome).label},
        ),
        actor=by,
        body=passed.outcome_note,
        data={"business_passed": passed.pk, "outcome": outcome},
        source=passed,
    )
    return passed


@transaction.atomic
def mention_record(
    *,
    by: User,
    customer: Customer,
    url: str,
    sentiment: str,
    summary: str,
    seen_on: date,
    where: str = "",
) -> Mention:
    """A public review or mention, on the customer's timeline with its link and sentiment."""
    from django.core.validators import URLValidator

    if sentiment not in Sentiment.values:
        raise ValidationError({"sentiment": _("Positive, neutral or negative.")})
    summary = " ".join((summary or "").split())
    if not summary or len(summary) > 300:
        raise ValidationError({"summary": _("Say in a line (up to 300 characters) what it says.")})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            {"url": _("A web address starting with http:// or https://.")}
        ) from None
    if len(url) > 500:
        raise ValidationError({"url": _("The address is too long.")})
    _not_future(seen_on, "seen_on")
    mention = Mention.objects.create(
        customer=customer,
        url=url,
        where=" ".join((where or "").split())[:100],
        sentiment=sentiment,
        summary=summary,
        seen_on=seen_on,
        by=by,
    )
    timeline_add(
        customer_id=customer.pk,
        kind=MENTION,
        title=TranslatableText(
            gettext_lazy("%(sentiment)s mention: %(summary)s"),
            {"sentiment": Sentiment(sentiment).label, "summary": summary},
        ),
        actor=by,
        body=url,
        data={"mention": mention.pk, "url": url, "sentiment": sentiment},
        source=mention,
    )
    return mention
