"""Amounts read one way on every page: grouped, two decimals (or none), "—" when empty."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from tend.customers.tests.factories import CustomerFactory
from tend.orders import services
from tend.orders.tests.factories import ProductFactory


def _render(value, arg=""):
    source = "{% load money %}{{ value|money" + (f":{arg}" if arg else "") + " }}"
    return Template(source).render(Context({"value": value}))


@pytest.mark.parametrize(
    ("value", "arg", "shown"),
    [
        (Decimal("1752.19000000000"), "", "1,752.19"),
        (Decimal("1752.195"), "", "1,752.20"),
        (Decimal("10000"), "", "10,000.00"),
        (Decimal("10000.40"), "0", "10,000"),
        (12.5, "", "12.50"),
        ("3500.5", "", "3,500.50"),
        (None, "", "—"),
        ("", "", "—"),
        (Decimal("-40"), "", "-40.00"),
    ],
)
def test_the_money_filter(value, arg, shown):
    with translation.override("en"):
        assert _render(value, arg) == shown


def test_the_samples_report_shows_costs_as_money(client, rep1):
    customer = CustomerFactory(owner=rep1)
    today = timezone.localdate()
    for cost in ("1000.10", "752.09"):
        services.sample_log(
            by=rep1,
            customer=customer,
            products=[ProductFactory()],
            fields={"quantity": 1, "sent_on": today - timedelta(days=3), "is_free": True,
                    "cost": Decimal(cost)},
        )  # fmt: skip
    client.force_login(rep1)
    page = client.get("/orders/samples/report/").content.decode()
    assert "<td>1,752.19</td>" in page
    assert "1752.19000" not in page
    assert "<td>1,000.10</td>" in page and "<td>752.09</td>" in page  # by product


def test_amounts_are_grouped_by_thousands_in_chinese_too():
    from tend.core.templatetags.money import money

    with translation.override("zh-hans"):
        assert money(Decimal("15310.17")) == "15,310.17"
