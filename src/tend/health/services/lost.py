"""Lost customers and win-back.

A customer is marked lost with a reason from seed 004's causes (plus "closed down" and
"other"), the competitor it went to, and the revenue of its last 12 months: the value that left
with it. A win-back date opens a task for its owner that morning. The first order entered for a
lost customer afterwards, by hand, through the API or in an order import, wins it back: the
record is closed with that order and the win-back task is done."""

import zoneinfo
from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.audit.models import AuditAction
from tend.audit.services import audit_record
from tend.core.i18n import TranslatableText
from tend.customers.models import Customer, CustomerStatus
from tend.customers.selectors import users_assignable_by
from tend.orders.models import Order, OrderStatus
from tend.tasks.models import Task, TaskKind
from tend.tasks.services import complete_task, create_task, may_close_task
from tend.timeline.kinds import register_kind
from tend.timeline.models import TimelineEntry
from tend.timeline.services import timeline_add

from ..causes import LostReason
from ..models import LostRecord

LOST = register_kind("lost", gettext_lazy("Lost"), "✗")
WON_BACK = register_kind("won_back", gettext_lazy("Won back"), "↺")

YEAR_DAYS = 365
WIN_BACK_AT = time(9, 0)
COMPETITOR_MAX = LostRecord._meta.get_field("competitor").max_length
TITLE_MAX = Task._meta.get_field("title").max_length
# Up to this many customers are looked up by id; beyond it, the (few) lost customers of the
# whole book are read and intersected: one query either way, within SQLite's parameter limit.
LOOKUP_BY_ID_MAX = 500


class AlreadyLost(ValidationError):
    """The customer is already marked lost; nothing was written."""


def win_back_dedupe_key(customer_id: int) -> str:
    return f"win_back:{customer_id}"


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def may_mark_lost(*, customer: Customer, user: User | None) -> bool:
    """Who may mark a customer lost: anyone who may see and manage it (its team's manager, an
    admin), but a rep only a customer they own."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_rep and customer.owner_id != user.pk:
        return False
    return Customer.objects.visible_to(user).filter(pk=customer.pk).exists()


def customer_annual_value(*, customer_id: int, today: date) -> Decimal:
    """Revenue in base currency of the 12 months up to ``today``, cancelled orders left out."""
    total = (
        Order.objects.filter(
            customer_id=customer_id,
            order_date__gt=today - timedelta(days=YEAR_DAYS),
            order_date__lte=today,
        )
        .exclude(status=OrderStatus.CANCELLED)
        .aggregate(total=Sum("amount_base"))["total"]
    )
    return total or Decimal("0.00")


def _check_input(*, reason: str, competitor: str, win_back_on: date | None, today: date) -> None:
    errors: dict[str, str] = {}
    if reason not in LostReason.values:
        errors["reason"] = _(
            "“%(value)s” is not a reason for losing a customer: use one of %(values)s."
        ) % {
            "value": reason,
            "values": ", ".join(LostReason.values),
        }
    if len(competitor) > COMPETITOR_MAX:
        errors["competitor"] = _("Keep the competitor's name under %(max)d characters.") % {
            "max": COMPETITOR_MAX
        }
    if win_back_on is not None and win_back_on <= today:
        errors["win_back_on"] = _("The win-back date must be after today (%(today)s).") % {
            "today": today.isoformat()
        }
    if errors:
        raise ValidationError(errors)


def _win_back_assignee(customer: Customer, by: User) -> User:
    """The owner, when they are active and ``by`` may give them a task; otherwise ``by``."""
    owner = customer.owner
    if owner is None or not owner.is_active or owner.pk == by.pk:
        return by
    if users_assignable_by(user=by).filter(pk=owner.pk).exists():
        return owner
    return by


@transaction.atomic
def mark_lost(
    customer: Customer,
    *,
    by: User,
    reason: str,
    competitor: str = "",
    note: str = "",
    win_back_on: date | None = None,
    now: datetime | None = None,
) -> LostRecord:
    """Mark a customer lost, recording why, to whom, the annual value that left, and when to try
    to win it back (a task for its owner at 09:00 their time that day).

    Raises PermissionDenied when ``by`` may not (``may_mark_lost``), AlreadyLost when it is
    lost already, ValidationError for bad input; nothing is written then."""
    now = now or timezone.now()
    competitor = " ".join((competitor or "").split())
    note = (note or "").strip()
    customer_in = customer
    customer = (
        Customer.objects.select_for_update(of=("self",)).select_related("owner").get(pk=customer.pk)
    )
    if not may_mark_lost(customer=customer, user=by):
        raise PermissionDenied(
            _("Only the customer's owner, their manager or an admin may mark it lost.")
        )
    if customer.status == CustomerStatus.LOST:
        raise AlreadyLost(_("%(name)s is already marked lost.") % {"name": customer.name})
    _check_input(
        reason=reason,
        competitor=competitor,
        win_back_on=win_back_on,
        today=now.astimezone(_zone(by.time_zone)).date(),
    )

    previous_status = customer.status
    annual_value = customer_annual_value(
        customer_id=customer.pk, today=timezone.localdate(now, timezone.get_default_timezone())
    )
    record = LostRecord.objects.create(
        customer=customer,
        reason=reason,
        competitor=competitor,
        note=note,
        win_back_on=win_back_on,
        annual_value=annual_value,
        previous_status=previous_status,
        marked_by=by,
        marked_at=now,
    )
    customer.status = CustomerStatus.LOST
    customer.save(update_fields=["status", "updated_at"])
    customer_in.status = customer.status
    reason_label = str(LostReason(reason).label)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=customer,
        before={"status": previous_status},
        after={
            "status": CustomerStatus.LOST.value,
            "lost_reason": reason_label,
            "competitor": competitor or None,
            "win_back_on": win_back_on.isoformat() if win_back_on else None,
        },
        customer_id=customer.pk,
    )
    values = {
        "reason": LostReason(reason).label,
        "competitor": competitor,
        "value": _money(annual_value),
        "currency": settings.TEND_BASE_CURRENCY,
    }
    if competitor:
        title = TranslatableText(
            gettext_lazy("Marked lost: %(reason)s (%(competitor)s), %(value)s %(currency)s a year"),
            values,
        )
    else:
        title = TranslatableText(
            gettext_lazy("Marked lost: %(reason)s, %(value)s %(currency)s a year"), values
        )
    timeline_add(
        customer_id=customer.pk,
        kind=LOST,
        title=title,
        actor=by,
        at=now,
        body=note,
        data={
            "reason": reason,
            "competitor": competitor,
            "annual_value": str(annual_value),
            "win_back_on": win_back_on.isoformat() if win_back_on else None,
        },
        source=record,
    )
    if win_back_on is not None:
        assignee = _win_back_assignee(customer, by)
        detail = " · ".join(part for part in (reason_label, competitor, note) if part)
        create_task(
            customer=customer,
            assignee=assignee,
            kind=TaskKind.WIN_BACK,
            title=(_("Try to win back %(name)s") % {"name": customer.name})[:TITLE_MAX],
            due_at=datetime.combine(win_back_on, WIN_BACK_AT, tzinfo=_zone(assignee.time_zone)),
            origin="win_back",
            dedupe_key=win_back_dedupe_key(customer.pk),
            created_by=by,
            detail=detail,
        )
    return record


def customers_lost_among(customer_ids: Collection[int]) -> set[int]:
    """Which of these customers are lost now: one query, however many ids."""
    ids = set(customer_ids)
    if not ids:
        return set()
    lost = Customer.objects.filter(status=CustomerStatus.LOST)
    if len(ids) <= LOOKUP_BY_ID_MAX:
        return set(lost.filter(pk__in=ids).values_list("pk", flat=True))
    return ids & set(lost.values_list("pk", flat=True).iterator(chunk_size=5000))


def record_won_back(order: Order, *, now: datetime | None = None) -> bool:
    """Called when an order is entered: if its customer is lost, it is won back by this order.
    True when it was."""
    by = order.created_by if order.created_by_id else None
    return bool(customers_won_back(orders=[order], by=by, now=now))


@transaction.atomic(savepoint=False)  # inside the caller's transaction: no savepoint queries
def customers_won_back(
    *, orders: Iterable[Order], by: User | None, now: datetime | None = None
) -> list[int]:
    """New orders were entered (one, or many in an import): each of their customers that is lost
    becomes won back by its earliest order (cancelled orders do not count). The open lost record
    gets the date and the order, the timeline says so, and the open win-back task is done.
    Returns the ids of the customers won back."""
    firsts: dict[int, Order] = {}
    for order in sorted(orders, key=lambda o: (o.order_date, o.number)):
        if order.status != OrderStatus.CANCELLED:
            firsts.setdefault(order.customer_id, order)
    if not firsts:
        return []
    now = now or timezone.now()
    customers = list(
        Customer.objects.select_for_update(of=("self",))
        .filter(pk__in=list(firsts), status=CustomerStatus.LOST)
        .order_by("pk")
    )
    if not customers:
        return []
    ids = [customer.pk for customer in customers]
    records: dict[int, LostRecord] = {}
    open_records = list(
        LostRecord.objects.filter(customer_id__in=ids, won_back_at__isnull=True).order_by(
            "marked_at", "pk"
        )
    )
    for record in open_records:
        record.won_back_at = now
        record.won_back_order_id = firsts[record.customer_id].pk
        records[record.customer_id] = record  # the latest, if there were ever two
    LostRecord.objects.bulk_update(open_records, ["won_back_at", "won_back_order"])
    Customer.objects.filter(pk__in=ids).update(status=CustomerStatus.WON_BACK, updated_at=now)

    entries = []
    for customer in customers:
        order = firsts[customer.pk]
        record = records.get(customer.pk)
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            instance=customer,
            before={"status": CustomerStatus.LOST.value},
            after={"status": CustomerStatus.WON_BACK.value, "won_back_order": order.number},
            customer_id=customer.pk,
        )
        if record is not None:
            title = TranslatableText(
                gettext_lazy("Won back with order %(number)s (lost on %(since)s: %(reason)s)"),
                {
                    "number": order.number,
                    "since": timezone.localdate(record.marked_at).isoformat(),
                    "reason": LostReason(record.reason).label,
                },
            )
        else:
            title = TranslatableText(
                gettext_lazy("Won back with order %(number)s"), {"number": order.number}
            )
        entries.append(
            timeline_add(
                customer_id=customer.pk,
                kind=WON_BACK,
                title=title,
                actor=by,
                at=now,
                data={
                    "order": order.pk,
                    "lost_record": record.pk if record is not None else None,
                },
                source=order,
                save=False,
            )
        )
    TimelineEntry.objects.bulk_create(entries)

    tasks = Task.objects.open().filter(dedupe_key__in=[win_back_dedupe_key(pk) for pk in ids])
    for task in tasks.select_related("assignee"):
        order = firsts[task.customer_id]
        if by is not None and may_close_task(task=task, user=by):
            closer = by
        elif may_close_task(task=task, user=task.assignee):
            closer = task.assignee
        else:  # assignee gone and no one to close it: it stays open for a handover
            continue
        complete_task(
            task,
            by=closer,
            outcome=_("Ordered again: order %(number)s") % {"number": order.number},
        )
    return ids
