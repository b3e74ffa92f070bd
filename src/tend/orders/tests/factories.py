from datetime import date
from decimal import Decimal

import factory

from tend.orders.models import ExchangeRate, Product


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
