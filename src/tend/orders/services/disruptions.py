"""A disruption hits many orders: find them, rank them, move their dates, tell every customer
once, personally (seed 003)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.core.i18n import TranslatableText
from tend.customers.models import Contact, Customer
from tend.customers.selectors import customers_visible_to
from tend.timeline.services import timeline_add

from .. import messages
from ..models import Disruption, DisruptionNotice, Order, OrderUpdate, UpdateChannel
from ..timeline_kinds import ORDER_UPDATE
from .mail import send_after_commit
from .orders import order_set_estimate


def disruption_affected_orders(disruption: Disruption) -> QuerySet[Order]:
    """Open orders with a product or port the disruption touches, due to ship while it lasts
    (or already moved because of it), ranked: essential first, then time-sensitive, then by
    value in base currency, then by the customer's tier (A first)."""
    touches = Q()
    product_ids = list(disruption.products.values_list("pk", flat=True))
    if product_ids:
        touches |= Q(lines__product_id__in=product_ids)
    for port in disruption.port_list:
        touches |= Q(port__iexact=port)
    if not touches:
        return Order.objects.none()

    def during(field: str) -> Q:
        window = Q(**{f"{field}__gte": disruption.starts_on})
        if disruption.ends_on:
            window &= Q(**{f"{field}__lte": disruption.ends_on})
        return window

    # Due to ship while it lasts by the promise or the estimate, or already moved because of it.
    when = (
        during("promised_ship_date")
        | during("estimated_ship_date")
        | Q(estimate_changes__disruption=disruption)
    )
    matching = Order.objects.open().filter(touches).filter(when).values("pk")
    return (
        Order.objects.filter(pk__in=matching)
        .select_related("customer")
        .order_by("-essential", "-time_sensitive", "-amount_base", "customer__tier", "number")
    )


@transaction.atomic
def disruption_shift_estimates(
    *,
    by: User,
    disruption: Disruption,
    orders: list[Order],
    days: int | None = None,
    new_date: date | None = None,
    reason: str = "",
) -> int:
    """Move the estimates of the chosen affected orders by ``days`` or to ``new_date``."""
    if (days is None) == (new_date is None):
        raise ValidationError(_("Give either a number of days or a new date."))
    reason = reason or disruption.title
    affected = set(disruption_affected_orders(disruption).values_list("pk", flat=True))
    strangers = [order.number for order in orders if order.pk not in affected]
    if strangers:
        raise ValidationError(
            _("Not affected by this disruption: %(numbers)s.") % {"numbers": ", ".join(strangers)}
        )
    moved = 0
    for order in orders:
        current = order.estimated_ship_date or order.promised_ship_date
        target = new_date if new_date is not None else current + timedelta(days=days)
        order_set_estimate(
            by=by, order=order, new_date=target, reason=reason, disruption=disruption
        )
        moved += 1
    return moved


@dataclass(frozen=True)
class NotifyResult:
    sent: int
    unreached: list[str]  # customers with no contact email: still to be told another way


@dataclass(frozen=True)
class PlannedNotice:
    """One customer's message, exactly as it will go out: in the contact's language, signed by
    the customer's owner (the person they know), replies going to the owner."""

    customer: Customer
    contact: Contact
    orders: list[Order]
    language: str
    signer: User
    subject: str
    body: str

    @property
    def reply_to(self) -> str:
        return self.signer.email

    @property
    def language_name(self) -> str:
        return messages.LANGUAGE_NAMES.get(self.language, self.language)


@dataclass(frozen=True)
class NoticePlan:
    notices: list[PlannedNotice]
    unreached: list[str]  # affected customers with no contact email
    already_told: int  # customers told before: not written to again


def _recipients(customer_ids: list[int]) -> dict[int, Contact]:
    """Per customer, the contact to write to: the primary one if it has an email, else the
    first contact with an email."""
    chosen: dict[int, Contact] = {}
    contacts = Contact.objects.filter(customer_id__in=customer_ids).exclude(email="")
    for contact in contacts.order_by("customer_id", "-is_primary", "id"):
        chosen.setdefault(contact.customer_id, contact)
    return chosen


def disruption_notices_plan(*, by: User, disruption: Disruption) -> NoticePlan:
    """The messages ``disruption_notify`` would send now, for the preview: one per affected
    customer the sender may see and nobody has told yet, listing exactly that customer's
    orders, in the order of the ranking. Signed by the customer's owner, or by the sender for a
    customer in the pool."""
    visible = customers_visible_to(user=by).values("pk")
    orders = list(
        disruption_affected_orders(disruption)
        .filter(customer__in=visible)
        .select_related("customer__owner")
    )
    by_customer: dict[int, list[Order]] = defaultdict(list)
    for order in orders:
        by_customer[order.customer_id].append(order)
    already = set(
        DisruptionNotice.objects.filter(disruption=disruption).values_list("customer_id", flat=True)
    )
    contacts = _recipients(list(by_customer))
    notices, unreached = [], []
    for customer_id, customer_orders in by_customer.items():
        if customer_id in already:
            continue
        customer = customer_orders[0].customer
        contact = contacts.get(customer_id)
        if contact is None:
            unreached.append(customer.name)
            continue
        signer = customer.owner if customer.owner and customer.owner.is_active else by
        language = messages.language_for(contact.language)
        lines = "\n".join(
            messages.render(
                language,
                "order_line",
                number=o.number,
                old_date=messages.fmt_date(o.promised_ship_date, language),
                new_date=messages.fmt_date(o.estimated_ship_date, language),
            )
            for o in customer_orders
        )
        values = {
            "name": contact.name,
            "title": disruption.title,
            "description": disruption.description or disruption.title,
            "order_lines": lines,
            "sender": str(signer),
        }
        notices.append(
            PlannedNotice(
                customer=customer,
                contact=contact,
                orders=customer_orders,
                language=language,
                signer=signer,
                subject=messages.render(language, "disruption_subject", **values),
                body=messages.letter(language, "disruption", **values),
            )
        )
    return NoticePlan(notices=notices, unreached=unreached, already_told=len(already))


@transaction.atomic
def disruption_notify(
    *, by: User, disruption: Disruption, expected: int | None = None
) -> NotifyResult:
    """Send the planned messages (``disruption_notices_plan``), each on the customer's
    timeline. A customer already told about this disruption is skipped, so sending again sends
    nothing. Customers with no contact email are not marked as told: they stay on the
    late-orders agenda and are returned as ``unreached``. With ``expected`` (the count the
    sender confirmed in the preview), a plan that has changed since is refused, unsent."""
    plan = disruption_notices_plan(by=by, disruption=disruption)
    if expected is not None and expected != len(plan.notices):
        raise ValidationError(
            {
                "expected": _(
                    "The list changed since the preview: %(count)s messages would go now. "
                    "Look at them again before sending."
                )
                % {"count": len(plan.notices)}
            }
        )
    sent = 0
    now = timezone.now()
    for notice in plan.notices:
        customer_orders = notice.orders
        try:
            with transaction.atomic():
                record = DisruptionNotice.objects.create(
                    disruption=disruption,
                    customer=notice.customer,
                    by=by,
                    at=now,
                    email=notice.contact.email,
                    orders=[o.number for o in customer_orders],
                )
        except IntegrityError:
            continue  # Another request told this customer at the same moment.
        OrderUpdate.objects.bulk_create(
            OrderUpdate(
                order=o,
                at=now,
                by=by,
                channel=UpdateChannel.EMAIL,
                contact=notice.contact,
                language=notice.language,
                subject=notice.subject,
                body=notice.body,
                old_date=o.promised_ship_date,
                new_date=o.estimated_ship_date,
                reason=disruption.title,
                disruption=disruption,
            )
            for o in customer_orders
        )
        Order.objects.filter(pk__in=[o.pk for o in customer_orders]).update(
            last_delay_update_at=now
        )
        send_after_commit(
            to=notice.contact.email,
            subject=notice.subject,
            body=notice.body,
            key=f"disruption:{disruption.pk}:customer:{notice.customer.pk}",
            reply_to=notice.reply_to,
            from_name=str(notice.signer),
        )
        timeline_add(
            customer_id=notice.customer.pk,
            kind=ORDER_UPDATE,
            title=TranslatableText(
                gettext_lazy("Told about “%(title)s”: orders %(orders)s"),
                {"title": disruption.title, "orders": ", ".join(record.orders)},
            ),
            actor=by,
            at=now,
            body=notice.body,
            data={"disruption": disruption.pk, "signed_by": notice.signer.pk},
            source=record,
        )
        sent += 1
    return NotifyResult(sent=sent, unreached=plan.unreached)
