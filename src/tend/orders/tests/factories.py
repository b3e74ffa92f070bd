from datetime import date, timedelta
from decimal import Decimal

import factory

from tend.orders.models import ExchangeRate, Order, Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ["sku"]

    sku = factory.Sequence(lambda n: f"KT-{100 + n}")
    name = factory.Sequence(lambda n: f"Electric kettle model {n}")
    category = "Kettles"
    launch_date = date(2024, 3, 1)
    # No list price: an order's depth below list is then its discount, so tests that place
    # orders at any price stay within the discount policy unless they set a list price.
    list_price = None


class RateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    currency = "EUR"
    valid_from = date(2020, 1, 1)
    rate = Decimal("1.10")


def monthly_orders(customer, *, today: date, count: int, last_ago: int, amount: int) -> None:
    """``count`` delivered orders of ``amount`` USD, 30 days apart, the last ``last_ago`` days
    before ``today``: an order rhythm for the scoring to read."""
    Order.objects.bulk_create(
        Order(
            customer=customer,
            number=f"{customer.pk}-{k}",
            order_date=today - timedelta(days=last_ago + 30 * k),
            currency="USD",
            rate_to_base=Decimal("1"),
            amount=Decimal(amount),
            amount_base=Decimal(amount),
            status="delivered",
        )
        for k in range(count)
    )


def approve_terms(customer, terms: str):
    """Give ``customer`` the payment terms an approved request would (orders are placed on
    them)."""
    from tend.core.guard import approval_applying
    from tend.customers.models import Customer

    with approval_applying():
        Customer.objects.filter(pk=customer.pk).update(payment_terms=terms)
    customer.payment_terms = terms
    return customer
