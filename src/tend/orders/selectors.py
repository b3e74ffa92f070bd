"""Reads for orders, each through the customer visibility rule."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, DateField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.http import Http404

from tend.accounts.models import User
from tend.customers.selectors import customers_visible_to

from .models import Disruption, Order, Sample, SampleOutcome


def orders_visible_to(*, user: User) -> QuerySet[Order]:
    return Order.objects.filter(customer__in=customers_visible_to(user=user))


def order_get_for_user(*, user: User, pk: int) -> Order:
    try:
        return orders_visible_to(user=user).select_related("customer", "customer__owner").get(pk=pk)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise Http404("No such order.") from None


def sample_get_for_user(*, user: User, pk: int) -> Sample:
    try:
        return Sample.objects.select_related("customer").get(
            pk=pk, customer__in=customers_visible_to(user=user)
        )
    except (Sample.DoesNotExist, ValueError, TypeError):
        raise Http404("No such sample.") from None


def orders_needing_update(*, user: User, today: date, now: datetime) -> QuerySet[Order]:
    """The user's late orders whose customer has not been told in the last N days."""
    return (
        Order.objects.needing_update(
            today=today, now=now, every_days=settings.TEND_DELAY_UPDATE_EVERY_DAYS
        )
        .filter(customer__owner=user)
        .select_related("customer")
        .order_by("-essential", "-time_sensitive", "promised_ship_date", "id")
    )


def samples_to_follow_up(*, user: User, today: date) -> QuerySet[Sample]:
    return (
        Sample.objects.filter(sent_by=user, outcome=SampleOutcome.PENDING, follow_up_on__lte=today)
        .select_related("customer")
        .prefetch_related("products")
        .order_by("follow_up_on", "id")
    )


def disruptions_visible_to(*, user: User) -> QuerySet[Disruption]:
    return Disruption.objects.all()


def samples_report(*, user: User, start: date, end: date) -> dict[str, list[dict]]:
    """Samples sent in [start, end] among customers the user may see: how many, what they cost
    us, and how many led to an order within 180 days of sending, by rep and by product."""
    samples = Sample.objects.filter(
        customer__in=customers_visible_to(user=user), sent_on__gte=start, sent_on__lte=end
    )
    window = ExpressionWrapper(F("sent_on") + timedelta(days=180), output_field=DateField())
    led = Q(outcome=SampleOutcome.ORDER, order__order_date__lte=window)

    def grouped(*fields: str) -> list[dict]:
        rows = list(
            samples.values(*fields)
            .annotate(
                sent=Count("id", distinct=True),
                cost=Sum("cost"),
                converted=Count("id", filter=led, distinct=True),
            )
            .order_by(*fields)
        )
        for row in rows:
            row["conversion"] = row["converted"] / row["sent"] if row["sent"] else None
        return rows

    by_product = list(
        samples.values("products__sku", "products__name")
        .annotate(
            sent=Count("id", distinct=True),
            cost=Sum("cost"),
            converted=Count("id", filter=led, distinct=True),
        )
        .order_by("products__sku")
    )
    for row in by_product:
        row["conversion"] = row["converted"] / row["sent"] if row["sent"] else None
    return {
        "by_rep": grouped("sent_by__id", "sent_by__first_name", "sent_by__last_name"),
        "by_product": by_product,
    }


def sample_led_to_order_within(sample: Sample, days: int = 180) -> bool:
    return bool(
        sample.order_id and sample.order.order_date <= sample.sent_on + timedelta(days=days)
    )
