"""Telling the customer about a late order, before they have to ask (seed 000)."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.core.i18n import TranslatableText
from tend.customers.models import Contact
from tend.timeline.services import timeline_add

from .. import messages
from ..models import Order, OrderUpdate, UpdateChannel
from ..timeline_kinds import ORDER_UPDATE
from .mail import send_after_commit


@dataclass(frozen=True)
class Draft:
    language: str
    subject: str
    body: str
    old_date: object
    new_date: object


def delay_step(order: Order, today: date | None = None) -> messages.DelayStep:
    """Where the order's delay stands today (the active zone's): the promise, the date the last
    update gave (if any update was sent) and the current estimate."""
    last = order.updates.order_by("-at", "-id").values_list("new_date", flat=True).first()
    told = order.updates.exists() if last is None else True
    return messages.DelayStep(
        promised=order.promised_ship_date,
        told=told,
        previous=last,
        estimate=order.estimated_ship_date,
        today=today or timezone.localdate(),
    )


def order_update_draft(
    *, order: Order, contact: Contact | None, reason: str, sender: User, today: date | None = None
) -> Draft:
    language = messages.language_for(contact.language if contact else "en")
    step = delay_step(order, today)
    subject, body = messages.delay_message(
        language,
        step=step,
        number=order.number,
        name=contact.name if contact else order.customer.name,
        reason=reason or "—",
        sender=str(sender),
    )
    return Draft(
        language=language,
        subject=subject,
        body=body,
        old_date=step.replaced,
        new_date=step.new_date,
    )


@transaction.atomic
def order_update_record(
    *,
    by: User,
    order: Order,
    channel: str,
    subject: str,
    body: str,
    reason: str = "",
    contact: Contact | None = None,
    language: str = "en",
    disruption=None,
) -> OrderUpdate:
    """Send (by email) or record (sent another way) an update about the order's dates. It
    satisfies the required customer update until the order has been late another N days."""
    if channel not in UpdateChannel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    if not subject.strip() or not body.strip():
        raise ValidationError({"body": _("The message is empty.")})
    if contact is not None and contact.customer_id != order.customer_id:
        raise ValidationError({"contact": _("Not a contact of this customer.")})
    if channel == UpdateChannel.EMAIL and not (contact and contact.email):
        raise ValidationError({"contact": _("Choose a contact with an email address.")})
    order = Order.objects.select_for_update().get(pk=order.pk)
    step = delay_step(order)
    now = timezone.now()
    update = OrderUpdate.objects.create(
        order=order,
        at=now,
        by=by,
        channel=channel,
        contact=contact,
        language=language,
        subject=subject.strip(),
        body=body.strip(),
        old_date=step.replaced,
        new_date=step.new_date,
        reason=reason,
        disruption=disruption,
    )
    order.last_delay_update_at = now
    order.save(update_fields=["last_delay_update_at"])
    if channel == UpdateChannel.EMAIL:
        send_after_commit(
            to=contact.email,
            subject=update.subject,
            body=update.body,
            key=f"order-update:{update.pk}",
            reply_to=by.email,
        )
    how = UpdateChannel(channel).label
    timeline_add(
        customer_id=order.customer_id,
        kind=ORDER_UPDATE,
        title=TranslatableText(
            gettext_lazy("Update on order %(number)s (%(how)s): ship date %(old)s → %(new)s"),
            {
                "number": order.number,
                "how": how,
                "old": update.old_date or "—",
                "new": update.new_date or "—",
            },
        ),
        actor=by,
        at=now,
        body=update.body,
        data={"channel": channel, "order": order.pk},
        source=update,
    )
    return update
