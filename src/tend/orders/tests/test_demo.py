"""The demo book's orders: deterministic, valued by the model's own rules, with late orders on
their owners' agendas, a port closure, traceable batches and samples."""

import hashlib
from collections import Counter
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.db.models import Count, F

from tend.accounts.models import User
from tend.agenda.views import agenda_context, agenda_sections
from tend.customers.models import Customer
from tend.demo import registry
from tend.demo.builder import build_demo
from tend.orders.demo import CATALOGUE, DISRUPTED_PORT
from tend.orders.models import (
    Disruption,
    DisruptionNotice,
    EstimateChange,
    ExchangeRate,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Sample,
    SampleOutcome,
)
from tend.orders.services import disruption_affected_orders, rate_for
from tend.orders.timeline_kinds import ORDER
from tend.reports.models import CustomerMonthRevenue
from tend.reports.revenue_months import revenue_months_mismatches
from tend.reports.revenue_years import revenue_years_mismatches
from tend.timeline.models import TimelineEntry

DAY = date(2026, 3, 2)
SIZE = 200


STEPS = ("people", "reference", "customers", "orders")  # the customer book and this step


def build(seed=7, reset=False):
    return build_demo(
        customers=SIZE, seed=seed, today=DAY, reset=reset, write=lambda _: None, only=STEPS
    )


@pytest.fixture(scope="module")
def ctx(django_db_setup, django_db_blocker):
    """One book for the module (tests only read it, or change it inside their own transaction);
    deleted afterwards by the steps' own resets."""
    with django_db_blocker.unblock():
        context = build()
        yield context
        for step in reversed(registry.steps()):
            if step.reset:
                step.reset(context)


def digest() -> str:
    hasher = hashlib.sha256()
    lines: dict[int, list] = {}
    for row in OrderLine.objects.order_by("order_id", "product__sku").values_list(
        "order_id", "product__sku", "quantity", "unit_price", "discount_pct", "batch_number"
    ):
        lines.setdefault(row[0], []).append(row[1:])
    for order in Order.objects.order_by("number").values_list(
        "id", "number", "customer__name", "order_date", "currency", "rate_to_base", "amount",
        "amount_base", "port", "promised_ship_date", "estimated_ship_date", "actual_ship_date",
        "status", "essential", "time_sensitive", "last_delay_update_at",
    ):  # fmt: skip
        hasher.update(repr((order[1:], lines.get(order[0]))).encode())
    for sample in Sample.objects.order_by("customer__name", "sent_on", "id").values_list(
        "customer__name", "sent_on", "is_free", "fee", "fee_status", "outcome", "order__number"
    ):
        hasher.update(repr(sample).encode())
    return hasher.hexdigest()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_orders(ctx):
    first = digest()
    assert Order.objects.count() > 5 * SIZE
    build(reset=True)
    assert digest() == first
    build(seed=8, reset=True)
    assert digest() != first


@pytest.mark.django_db
def test_catalogue_and_monthly_rates(ctx):
    assert Product.objects.count() == len(CATALOGUE) >= 60
    assert not Product.objects.filter(local_name="").exists()
    launches = sorted(Product.objects.values_list("launch_date", flat=True))
    assert launches[0] < DAY - timedelta(days=5 * 365) and launches[-1] > DAY - timedelta(days=365)
    used = set(Order.objects.values_list("currency", flat=True)) - {settings.TEND_BASE_CURRENCY}
    rated = dict(ExchangeRate.objects.values_list("currency").annotate(n=Count("id")))
    for currency in used | {"EUR", "GBP", "AED", "SAR", "CNY", "JPY", "BRL", "INR", "TRY"}:
        assert rated.get(currency, 0) >= 36, currency
    # A discontinued product is not ordered any more.
    for product in Product.objects.filter(active=False):
        assert not product.order_lines.filter(order__order_date__gte=DAY - timedelta(days=300))


@pytest.mark.django_db
def test_amounts_are_the_sum_of_the_lines_and_valued_at_the_order_dates_rate(ctx):
    orders = Order.objects.prefetch_related("lines")
    rates = {}
    for order in orders:
        lines = list(order.lines.all())
        assert 1 <= len(lines) <= 8
        assert order.amount == sum((line.amount for line in lines), Decimal("0"))
        expected = (order.amount * order.rate_to_base).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert order.amount_base == expected
        key = (order.currency, order.order_date.replace(day=1))
        if key not in rates:
            rates[key] = rate_for(order.currency, order.order_date)
        assert order.rate_to_base == rates[key], order.number
    assert len({currency for currency, _ in rates}) > 3


@pytest.mark.django_db
def test_every_order_is_on_its_customers_approved_payment_terms(ctx):
    """The demo writes orders in bulk, past ``order_create``: it must give them the terms four
    eyes approved for their customer, as every other path does."""
    assert Order.objects.exclude(payment_terms="").exists()
    assert not Order.objects.exclude(payment_terms=F("customer__payment_terms")).exists()


@pytest.mark.django_db
def test_the_revenue_kept_by_triggers_is_filled_once_and_kept_after(ctx):
    """The orders are copied with the revenue triggers set aside and the tables filled after:
    they agree with the orders, and the triggers are back for the next order written."""
    assert CustomerMonthRevenue.objects.exists()
    assert revenue_months_mismatches() == [] and revenue_years_mismatches() == []
    order = Order.objects.exclude(status=OrderStatus.CANCELLED).order_by("id").first()
    order.amount_base += Decimal("1000.00")
    order.save(update_fields=["amount_base"])
    assert revenue_months_mismatches() == [] and revenue_years_mismatches() == []
    month = order.order_date.year * 12 + order.order_date.month - 1
    stored = CustomerMonthRevenue.objects.get(customer_id=order.customer_id, month=month)
    assert stored.revenue_cents == sum(
        round(o.amount_base * 100)
        for o in Order.objects.filter(
            customer_id=order.customer_id,
            order_date__year=order.order_date.year,
            order_date__month=order.order_date.month,
        ).exclude(status=OrderStatus.CANCELLED)
    )


@pytest.mark.django_db
def test_statuses_follow_the_dates(ctx):
    for order in Order.objects.all():
        assert order.order_date <= DAY
        assert order.promised_ship_date > order.order_date
        if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            assert order.actual_ship_date <= DAY
        else:
            assert order.actual_ship_date is None
        if order.status == OrderStatus.DELIVERED:
            assert order.actual_ship_date < DAY - timedelta(days=14)
    statuses = Counter(Order.objects.values_list("status", flat=True))
    assert statuses[OrderStatus.DELIVERED] > statuses[OrderStatus.SHIPPED] > 0
    assert statuses[OrderStatus.IN_PRODUCTION] and statuses[OrderStatus.CONFIRMED]
    assert statuses[OrderStatus.CANCELLED]
    recent = Order.objects.filter(order_date__gte=DAY - timedelta(days=30))
    assert not recent.filter(status=OrderStatus.DELIVERED).exists()
    # Customers buy in their own rhythm; prospects have not bought.
    assert not Order.objects.filter(customer__status="prospect").exists()
    per_customer = Counter(Order.objects.values_list("customer_id", flat=True))
    assert max(per_customer.values()) > 4 * min(per_customer.values())


@pytest.mark.django_db
def test_late_orders_are_on_their_owners_agendas(ctx):
    late = Order.objects.late(today=DAY)
    assert late.count() > 10
    assert late.filter(promised_ship_date__lt=DAY).exists()
    assert late.filter(promised_ship_date__gte=DAY).exists()  # estimate moved past the promise
    needing = Order.objects.needing_update(
        today=DAY, now=ctx.now, every_days=settings.TEND_DELAY_UPDATE_EVERY_DAYS
    )
    told = late.exclude(pk__in=needing.values("pk"))
    assert needing.exists() and told.exists()  # some customers were told, some not yet
    assert told.filter(updates__isnull=False).exists()
    owners = User.objects.filter(pk__in=needing.values("customer__owner"))
    assert owners.filter(role="rep").count() >= 3
    for owner in owners:
        context = agenda_context(user=owner, viewer=owner, now=ctx.now)
        section = dict(agenda_sections(context, limit=500))
        rows = next(result for s, result in section.items() if s.key == "late_orders")
        shown = {row.item.pk for row in rows.rows}
        mine = set(needing.filter(customer__owner=owner).values_list("pk", flat=True))
        assert mine and mine <= shown, owner
    assert Order.objects.filter(essential=True).exists()
    assert Order.objects.filter(time_sensitive=True).exists()


@pytest.mark.django_db
def test_the_port_closure_hits_open_orders_and_half_their_customers_were_told(ctx):
    disruption = Disruption.objects.get()
    assert disruption.port_list == [DISRUPTED_PORT]
    affected = list(disruption_affected_orders(disruption))
    assert affected and all(order.is_open for order in affected)
    assert all(order.estimated_ship_date > disruption.ends_on for order in affected)
    told = set(DisruptionNotice.objects.values_list("customer_id", flat=True))
    customers = {order.customer_id for order in affected}
    assert told and told < customers
    for notice in DisruptionNotice.objects.all():
        numbers = {o.number for o in affected if o.customer_id == notice.customer_id}
        assert set(notice.orders) == numbers


@pytest.mark.django_db
def test_each_orders_estimates_follow_one_another_in_time(ctx):
    """An order's history of estimates reads as one chain: each move starts from the date the
    one before it set (orders the port closure hit were late already: moved twice)."""
    chains = {}
    for order_id, old, new in EstimateChange.objects.order_by("order_id", "at", "id").values_list(
        "order_id", "old_date", "new_date"
    ):
        chains.setdefault(order_id, []).append((old, new))
    twice = [moves for moves in chains.values() if len(moves) > 1]
    assert twice
    for moves in chains.values():
        assert all(moves[k][1] == moves[k + 1][0] for k in range(len(moves) - 1)), moves


@pytest.mark.django_db
def test_batches_are_shared_by_orders_made_together(ctx):
    produced = OrderLine.objects.filter(
        order__status__in=["in_production", "ready", "shipped", "delivered"]
    )
    assert not produced.filter(batch_number="").exists()
    assert not OrderLine.objects.filter(
        order__status__in=["draft", "confirmed", "cancelled"]
    ).exclude(batch_number="")
    shared = (
        produced.values("batch_number")
        .annotate(orders=Count("order", distinct=True))
        .filter(orders__gt=1)
    )
    assert shared.exists()
    line = produced.select_related("product", "order").first()
    assert line.batch_number.startswith(f"{line.product.sku}-")


@pytest.mark.django_db
def test_samples_free_or_charged_some_leading_to_an_order(ctx):
    samples = Sample.objects.select_related("order")
    assert samples.filter(is_free=True).exists() and samples.filter(is_free=False).exists()
    for sample in samples:
        assert sample.products.exists()
        if sample.is_free:
            assert sample.fee_status == "waived" and sample.fee == 0
        else:
            assert sample.fee > 0 and sample.fee_status in ("invoiced", "paid")
        if sample.outcome == SampleOutcome.ORDER:
            assert sample.order.customer_id == sample.customer_id
            assert sample.sent_on <= sample.order.order_date <= sample.sent_on + timedelta(180)
        elif sample.outcome == SampleOutcome.NO_ORDER:
            assert sample.outcome_reason
    assert samples.filter(outcome=SampleOutcome.ORDER).exists()


@pytest.mark.django_db
def test_each_order_has_its_timeline_entry(ctx):
    entries = TimelineEntry.objects.filter(kind=ORDER.key)
    assert entries.count() == Order.objects.count()
    order = Order.objects.select_related("customer").order_by("?").first()
    entry = entries.get(source_type="orders.order", source_id=order.pk)
    assert entry.customer_id == order.customer_id
    assert entry.title.startswith(f"Order {order.number}: {order.amount:,.2f} {order.currency}")
    assert entry.data == {"amount_base": str(order.amount_base)}
    assert Customer.objects.filter(pk=order.customer_id).exists()
