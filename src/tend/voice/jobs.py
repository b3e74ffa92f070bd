"""The periodic triggers: a CSAT after an order is delivered, and the relationship NPS on each
tier's rhythm. Both only call ``services.survey_request``; its idempotency key and throttle make
a second run (or a second worker) send nothing again.

Both run hourly and ask a customer only during its own working hours (its zone, its weekend,
its public holidays): a survey read at 3 a.m. or on a holiday is a survey ignored. The others
wait for a later run."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tend.agenda.local import local_moment
from tend.customers.models import Customer, CustomerStatus
from tend.jobs.registry import register_periodic
from tend.orders.models import Order, OrderStatus

from .models import SurveyKind, SurveySend, Trigger
from .services import survey_request

logger = logging.getLogger("tend.voice")


def customer_working_now(customer: Customer, now: datetime) -> bool:
    """Whether it is a working hour of a working day where the customer is."""
    local = local_moment(country=customer.country, time_zone=customer.time_zone, now=now)
    return (
        not local.is_day_off
        and settings.TEND_WORKDAY_START <= local.time.hour < settings.TEND_WORKDAY_END
    )


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
        if not customer_working_now(order.customer, now):
            continue
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
        if not customer_working_now(customer, now):
            continue
        if sent >= settings.TEND_VOICE_RELATIONSHIP_BATCH:
            break  # the rest in the next runs: a new book is not surveyed all in one hour
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
register_periodic("voice.relationship_surveys", timedelta(hours=1), relationship_surveys)
