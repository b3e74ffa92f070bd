"""Reads for orders, each through the customer visibility rule."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.http import Http404

from tend.accounts.models import User
from tend.core.planner import COMMON, Likelihood
from tend.customers.selectors import customers_visible_to

from .models import Disruption, Order, OrderLine, Sample, SampleOutcome


def orders_visible_to(*, user: User) -> QuerySet[Order]:
    return Order.objects.filter(customer__in=customers_visible_to(user=user))


def order_get_for_user(*, user: User, pk: int) -> Order:
    try:
        return orders_visible_to(user=user).select_related("customer", "customer__owner").get(pk=pk)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise Http404("No such order.") from None


ORDER_SORTS = {
    "-ordered": ("-order_date", "-id"),
    "ordered": ("order_date", "id"),
    "promised": (F("promised_ship_date").asc(nulls_last=True), "id"),
    "-promised": (F("promised_ship_date").desc(nulls_last=True), "-id"),
    "number": ("number",),
    "-amount": ("-amount_base", "-id"),
    "customer": ("customer__name", "-order_date", "-id"),
}
DEFAULT_ORDER_SORT = "-ordered"


@dataclass(frozen=True)
class OrderFilters:
    q: str = ""  # words of the order number
    status: str = ""
    late: str = ""  # "yes", "no", or "" for both
    customer: int | None = None
    product: int | None = None
    lot: str = ""
    ordered_from: date | None = None
    ordered_to: date | None = None
    promised_from: date | None = None
    promised_to: date | None = None
    sort: str = DEFAULT_ORDER_SORT


def order_list(*, user: User, filters: OrderFilters, today: date) -> QuerySet[Order]:
    """The orders of the customers the user may see, filtered and sorted. "Late" is the
    agenda's definition (``OrderQuerySet.late``). A fixed number of queries per page."""
    queryset = orders_visible_to(user=user)
    for word in filters.q.split():
        queryset = queryset.filter(number__icontains=word)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.late == "yes":
        queryset = queryset.late(today=today)
    elif filters.late == "no":
        queryset = queryset.exclude(pk__in=Order.objects.late(today=today).values("pk"))
    if filters.customer is not None:
        queryset = queryset.filter(customer_id=filters.customer)
    if filters.product is not None:
        queryset = queryset.filter(
            Exists(OrderLine.objects.filter(order=OuterRef("pk"), product_id=filters.product))
        )
    if filters.lot:
        queryset = queryset.filter(
            Exists(OrderLine.objects.filter(order=OuterRef("pk"), batch_number=filters.lot))
        )
    if filters.ordered_from:
        queryset = queryset.filter(order_date__gte=filters.ordered_from)
    if filters.ordered_to:
        queryset = queryset.filter(order_date__lte=filters.ordered_to)
    if filters.promised_from:
        queryset = queryset.filter(promised_ship_date__gte=filters.promised_from)
    if filters.promised_to:
        queryset = queryset.filter(promised_ship_date__lte=filters.promised_to)
    order = ORDER_SORTS.get(filters.sort, ORDER_SORTS[DEFAULT_ORDER_SORT])
    return queryset.select_related("customer").order_by(*order)


ORDER_EXPORT_HEADERS = [
    "number",
    "customer",
    "order_date",
    "status",
    "currency",
    "amount",
    "amount_base",
    "incoterm",
    "payment_terms",
    "promised_ship_date",
    "estimated_ship_date",
    "actual_ship_date",
    "days_late",
]


def order_export_rows(*, user: User, filters: OrderFilters, today: date) -> Iterator[list]:
    """The list as filtered, one row per order, streamed."""
    for order in order_list(user=user, filters=filters, today=today).iterator(chunk_size=2000):
        yield [
            order.number,
            order.customer.name,
            order.order_date,
            order.status,
            order.currency,
            order.amount,
            order.amount_base,
            order.incoterm,
            order.payment_terms,
            order.promised_ship_date,
            order.estimated_ship_date,
            order.actual_ship_date,
            order.days_late(today),
        ]


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
        # From the open orders to their customers, never from the rep's (maybe 20,000)
        # customers to all their orders.
        .filter(Likelihood(Q(customer__owner=user), COMMON))
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
