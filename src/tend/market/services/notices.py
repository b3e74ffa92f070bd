"""Price and policy notices told early (story S7; seed 004: tell dealers about price rises in
good time).

A notice is sent at least its contractual notice period before it takes effect, counted in each
customer's own calendar. Each contact with an email gets a personal link (``core.personal_links``):
opening it records that it was read; only pressing "I acknowledge" records the acknowledgement.
A recipient row is the send's claim (unique per notice and contact) and every email carries an
idempotency key, so sending twice sends once. The hourly job reminds once per recipient, and when
the acknowledge-by day has passed opens a task for the owner of each customer nobody at which
acknowledged."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.audit.models import AuditAction
from tend.audit.services import audit_record
from tend.core.i18n import TranslatableText
from tend.customers.models import Contact, Customer
from tend.orders.models import Product
from tend.orders.services.mail import send_after_commit
from tend.tasks.models import Task, TaskKind
from tend.tasks.services import create_tasks_bulk
from tend.timeline.models import TimelineEntry
from tend.timeline.services import timeline_add

from ..models import Notice, NoticeKind, NoticePrice, NoticeRecipient
from ..timeline_kinds import NOTICE

logger = logging.getLogger(__name__)
CENT = Decimal("0.01")
REMIND_AFTER = timedelta(days=7)
LINK_GRACE_DAYS = 30
CHANGE_LIMITS = (Decimal("-90"), Decimal("500"))


def customer_today(customer: Customer, now: datetime) -> date:
    import zoneinfo

    try:
        zone = zoneinfo.ZoneInfo(customer.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return now.astimezone(zone).date()


@transaction.atomic
def notice_create(
    *,
    by: User,
    kind: str,
    title: str,
    body: str,
    effective_date: date,
    notice_days: int,
    acknowledge_by: date,
    product_line: str = "",
    change_pct: Decimal | None = None,
    now: datetime | None = None,
) -> Notice:
    """Draft a notice. A price notice names a product line and a percentage; the line's list
    prices before and after are fixed now (so old-price orders can be told later)."""
    if by.is_rep:
        raise PermissionDenied(_("Managers and admins announce price and policy changes."))
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, str] = {}
    title = " ".join((title or "").split())
    product_line = " ".join((product_line or "").split())
    if kind not in NoticeKind.values:
        errors["kind"] = _("A price change or a policy change.")
    if not title:
        errors["title"] = _("Give the notice a title.")
    if not (body or "").strip():
        errors["body"] = _("Say what changes.")
    if effective_date <= today:
        errors["effective_date"] = _("A notice is told before the change, not after.")
    if not 0 <= notice_days <= 730:
        errors["notice_days"] = _("Between 0 and 730 days.")
    if acknowledge_by < today or acknowledge_by > effective_date:
        errors["acknowledge_by"] = _("Between today and the day it takes effect.")
    products = []
    if kind == NoticeKind.PRICE:
        if change_pct is None or change_pct == 0:
            errors["change_pct"] = _("By what percentage do prices change?")
        elif not CHANGE_LIMITS[0] <= change_pct <= CHANGE_LIMITS[1]:
            errors["change_pct"] = _("Between -90% and +500%.")
        if not product_line:
            errors["product_line"] = _("Which product line?")
        else:
            products = list(
                Product.objects.filter(
                    category__iexact=product_line, active=True, list_price__isnull=False
                )
            )
            if not products:
                errors["product_line"] = _("No active product with a list price in this line.")
    elif change_pct is not None:
        errors["change_pct"] = _("A policy notice changes no price.")
    if errors:
        raise ValidationError(errors)
    notice = Notice.objects.create(
        kind=kind,
        title=title,
        body=body.strip(),
        product_line=product_line,
        change_pct=change_pct,
        effective_date=effective_date,
        notice_days=notice_days,
        acknowledge_by=acknowledge_by,
        created_by=by,
        created_at=now,
    )
    factor = (Decimal("100") + (change_pct or 0)) / Decimal("100")
    NoticePrice.objects.bulk_create(
        NoticePrice(
            notice=notice,
            product=product,
            old_price=product.list_price,
            new_price=(product.list_price * factor).quantize(CENT, rounding=ROUND_HALF_UP),
        )
        for product in products
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=notice,
        after={
            "kind": kind,
            "title": title,
            "effective_date": effective_date.isoformat(),
            "change_pct": str(change_pct) if change_pct is not None else None,
        },
    )
    return notice


@dataclass
class SendResult:
    sent: int = 0  # emails
    customers: int = 0
    already: int = 0  # contacts told before
    no_email: list[Customer] = field(default_factory=list)
    too_late: list[Customer] = field(default_factory=list)


def _link_days(notice: Notice, today: date) -> int:
    return max((notice.effective_date - today).days + LINK_GRACE_DAYS, 14)


def _notice_mail(recipient: NoticeRecipient, contact: Contact, token: str, *, reminder: bool):
    notice = recipient.notice
    url = settings.TEND_BASE_URL + reverse("notice_acknowledge", args=[token])
    with translation.override(contact.language or settings.LANGUAGE_CODE):
        context = {"notice": notice, "contact": contact, "url": url, "reminder": reminder}
        subject = (_("Reminder: %(title)s") if reminder else "%(title)s") % {"title": notice.title}
        body = render_to_string("market/email/notice.txt", context)
    key = f"notice:{notice.pk}:{contact.pk}:{'reminder' if reminder else 'first'}"
    send_after_commit(to=recipient.email, subject=subject, body=body, key=key)


def notice_send(
    *, by: User, notice: Notice, customers: list[Customer], now: datetime | None = None
) -> SendResult:
    """Send the notice to every contact with an email at the chosen customers. A customer for
    whom the contractual notice can no longer be given (fewer days left in its calendar) is
    refused, and so is the whole send: the notice must be changed or those customers left out.
    Contacts already told are skipped, so sending again tells only the new ones."""
    if by.is_rep:
        raise PermissionDenied(_("Managers and admins send notices."))
    now = now or timezone.now()
    result = SendResult()
    if not customers:
        raise ValidationError({"customers": _("Choose the customers to tell.")})
    visible = set(
        Customer.objects.visible_to(by)
        .filter(pk__in=[c.pk for c in customers])
        .values_list("pk", flat=True)
    )
    if len(visible) != len({c.pk for c in customers}):
        raise ValidationError({"customers": _("Some of these customers are not yours to see.")})
    for customer in customers:
        days_left = (notice.effective_date - customer_today(customer, now)).days
        if days_left < notice.notice_days:
            result.too_late.append(customer)
    if result.too_late:
        raise ValidationError(
            {
                "customers": _(
                    "Too late to give %(days)d days' notice to: %(names)s. Move the effective "
                    "date or leave them out."
                )
                % {
                    "days": notice.notice_days,
                    "names": ", ".join(str(c) for c in result.too_late[:10]),
                }
            }
        )
    by_id = {c.pk: c for c in customers}
    contacts = list(
        Contact.objects.filter(customer_id__in=by_id)
        .exclude(email="")
        .order_by("customer_id", "pk")
    )
    told = set(
        NoticeRecipient.objects.filter(notice=notice, contact__in=contacts).values_list(
            "contact_id", flat=True
        )
    )
    with_email = {contact.customer_id for contact in contacts}
    result.no_email = [c for c in customers if c.pk not in with_email]
    today = timezone.localdate(now)
    fresh: list[tuple[NoticeRecipient, Contact, str]] = []
    for contact in contacts:
        if contact.pk in told:
            result.already += 1
            continue
        recipient = NoticeRecipient(
            notice=notice,
            customer_id=contact.customer_id,
            contact=contact,
            email=contact.email,
            sent_at=now,
        )
        token = recipient.issue_token(now=now, days=_link_days(notice, today))
        fresh.append((recipient, contact, token))
    try:
        with transaction.atomic():
            NoticeRecipient.objects.bulk_create([r for r, _c, _t in fresh])
            saved = {
                r.contact_id: r
                for r in NoticeRecipient.objects.filter(
                    notice=notice, contact_id__in=[c.pk for _r, c, _t in fresh]
                ).select_related("notice")
            }
            for _recipient, contact, token in fresh:
                _notice_mail(saved[contact.pk], contact, token, reminder=False)
            reached = sorted({contact.customer_id for _r, contact, _t in fresh})
            TimelineEntry.objects.bulk_create(
                timeline_add(
                    customer_id=pk,
                    kind=NOTICE,
                    title=TranslatableText(
                        gettext_lazy("Notice sent: %(title)s (takes effect %(day)s)"),
                        {"title": notice.title, "day": notice.effective_date.isoformat()},
                    ),
                    actor=by,
                    at=now,
                    data={"notice": notice.pk},
                    source=notice,
                    save=False,
                )
                for pk in reached
            )
            if notice.sent_at is None and fresh:
                Notice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(sent_at=now)
                notice.sent_at = now
            audit_record(
                actor=by,
                action=AuditAction.UPDATE,
                instance=notice,
                before={"recipients": len(told)},
                after={"recipients": len(told) + len(fresh)},
            )
    except IntegrityError:
        raise ValidationError(
            {"customers": _("This notice is being sent right now; try again in a moment.")}
        ) from None
    result.sent = len(fresh)
    result.customers = len({c.customer_id for _r, c, _t in fresh})
    return result


def notice_open(*, recipient: NoticeRecipient, now: datetime | None = None) -> None:
    """The page was opened: read (not acknowledged: mail scanners open links too)."""
    now = now or timezone.now()
    NoticeRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(read_at=now)


def notice_acknowledge(*, recipient: NoticeRecipient, now: datetime | None = None) -> bool:
    """The contact pressed "I acknowledge": recorded once. False if already used or expired."""
    now = now or timezone.now()
    with transaction.atomic():
        if not recipient.claim(now=now):
            return False
        NoticeRecipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(read_at=now)
        timeline_add(
            customer_id=recipient.customer_id,
            kind=NOTICE,
            title=TranslatableText(
                gettext_lazy("%(name)s acknowledged the notice: %(title)s"),
                {"name": recipient.contact.name, "title": recipient.notice.title},
            ),
            at=now,
            data={"notice": recipient.notice_id, "contact": recipient.contact_id},
            source=recipient.notice,
        )
    return True


def _someone_acknowledged() -> Exists:
    """Someone at the same customer acknowledged the same notice."""
    return Exists(
        NoticeRecipient.objects.filter(
            notice_id=OuterRef("notice_id"),
            customer_id=OuterRef("customer_id"),
            used_at__isnull=False,
        )
    )


def notices_remind(*, now: datetime) -> str:
    """Hourly: remind once each recipient at a customer nobody at which has acknowledged, a
    week after sending and before the acknowledge-by day; after that day, a task for the owner
    of each such customer. Both are claimed, so a second run sends and opens nothing."""
    today = timezone.localdate(now)
    due = (
        NoticeRecipient.objects.filter(
            notice__sent_at__isnull=False,
            used_at__isnull=True,
            reminded_at__isnull=True,
            sent_at__lte=now - REMIND_AFTER,
            notice__acknowledge_by__gte=today,
        )
        .exclude(_someone_acknowledged())
        .select_related("notice", "contact")
    )
    reminded = 0
    for recipient in due.iterator(chunk_size=500):
        token_holder = NoticeRecipient()
        token = token_holder.issue_token(now=now, days=_link_days(recipient.notice, today))
        with transaction.atomic():
            claimed = NoticeRecipient.objects.filter(
                pk=recipient.pk, reminded_at__isnull=True, used_at__isnull=True
            ).update(
                reminded_at=now,
                token_hash=token_holder.token_hash,
                expires_at=token_holder.expires_at,
            )
            if claimed:
                _notice_mail(recipient, recipient.contact, token, reminder=True)
                reminded += 1
    tasks = notices_follow_up(now=now)
    return f"reminded {reminded}, tasks {tasks}"


def notices_follow_up(*, now: datetime) -> int:
    """After the acknowledge-by day, the owner of each customer that nobody acknowledged for
    gets a task (once: the notice is claimed, and the task's key dedupes)."""
    today = timezone.localdate(now)
    opened = 0
    for notice in Notice.objects.filter(
        sent_at__isnull=False, followed_up_at__isnull=True, acknowledge_by__lt=today
    ):
        with transaction.atomic():
            if not Notice.objects.filter(pk=notice.pk, followed_up_at__isnull=True).update(
                followed_up_at=now
            ):
                continue
            silent = (
                Customer.objects.filter(notices_received__notice=notice)
                .exclude(notices_received__notice=notice, notices_received__used_at__isnull=False)
                .filter(owner__isnull=False, owner__is_active=True)
                .select_related("owner")
                .distinct()
            )
            tasks = [
                Task(
                    customer=customer,
                    assignee=customer.owner,
                    kind=TaskKind.CALL,
                    title=_("Nobody acknowledged “%(title)s”: call them before %(day)s")
                    % {"title": notice.title[:100], "day": notice.effective_date.isoformat()},
                    due_at=now + timedelta(days=2),
                    origin="notice",
                    dedupe_key=f"notice:{notice.pk}:{customer.pk}",
                    created_at=now,
                )
                for customer in silent
            ]
            opened += create_tasks_bulk(tasks) if tasks else 0
    return opened


def notice_ack_counts(*, notice: Notice) -> dict[str, int]:
    """Customers told, read, acknowledged (a customer counts once, whoever there did)."""
    return NoticeRecipient.objects.filter(notice=notice).aggregate(
        told=Count("customer_id", distinct=True),
        read=Count("customer_id", filter=Q(read_at__isnull=False), distinct=True),
        acknowledged=Count("customer_id", filter=Q(used_at__isnull=False), distinct=True),
    )
