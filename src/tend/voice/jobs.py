"""The periodic triggers: a CSAT after an order is delivered, and the relationship NPS on each
tier's rhythm. Both only call ``services.survey_request``; its idempotency key and throttle make
a second run (or a second worker) send nothing again."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tend.customers.models import Customer, CustomerStatus
from tend.jobs.registry import register_periodic
from tend.orders.models import Order, OrderStatus

from .models import SurveyKind, SurveySend, Trigger
from .services import survey_request

logger = logging.getLogger("tend.voice")


def surveys_after_delivery(*, now: datetime | None = None) -> int:
    """A CSAT for each order delivered in the last ``TEND_VOICE_DELIVERY_WINDOW_DAYS`` not yet
    asked about. Orders have no delivery date; the status change to delivered is the order's
    last update, so ``updated_at`` dates it."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.TEND_VOICE_DELIVERY_WINDOW_DAYS)
    orders = (
        Order.objects.filter(status=OrderStatus.DELIVERED, updated_at__gte=since)
        .select_related("customer")
        .order_by("updated_at", "id")
    )
    sent = 0
    for order in orders.iterator(chunk_size=500):
        try:
            result = survey_request(
                customer=order.customer,
                kind=SurveyKind.CSAT,
                trigger=Trigger.ORDER_DELIVERED,
                subject_label=order.number,
                subject_key=f"order:{order.pk}",
                now=now,
            )
        except Exception:  # one broken customer must not stop the others
            logger.exception("Survey after order %s failed; a later run retries", order.pk)
            continue
        sent += result.sent
    return sent


def relationship_due(*, now: datetime):
    """Active customers not asked anything within their tier's rhythm."""
    due = Customer.objects.none()
    for tier, days in settings.TEND_VOICE_RHYTHM_DAYS.items():
        recent = SurveySend.objects.filter(
            customer=OuterRef("pk"), created_at__gt=now - timedelta(days=days)
        )
        due |= Customer.objects.filter(
            tier=tier, status__in=[CustomerStatus.ACTIVE, CustomerStatus.WON_BACK]
        ).exclude(Exists(recent))
    return due.order_by("pk")


def relationship_surveys(*, now: datetime | None = None) -> int:
    """The relationship NPS per tier; the key names the rhythm's period, so a re-run in the same
    period (or a customer refused today, throttled) is asked once per period at most."""
    now = now or timezone.now()
    sent = 0
    for customer in relationship_due(now=now).iterator(chunk_size=500):
        days = settings.TEND_VOICE_RHYTHM_DAYS.get(customer.tier, 365)
        period = now.date().toordinal() // days
        try:
            result = survey_request(
                customer=customer,
                kind=SurveyKind.NPS,
                trigger=Trigger.RELATIONSHIP,
                subject_key=f"relationship:{days}:{period}",
                now=now,
            )
        except Exception:
            logger.exception("Relationship survey for %s failed; a later run retries", customer.pk)
            continue
        sent += result.sent
    return sent


register_periodic("voice.surveys_after_delivery", timedelta(hours=1), surveys_after_delivery)
register_periodic("voice.relationship_surveys", timedelta(days=1), relationship_surveys)
