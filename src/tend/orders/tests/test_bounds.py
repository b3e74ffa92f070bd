"""Every money and number field of orders, products, rates and samples fits its column on both
databases (tend.core.decimals): too large is a 422 naming the field, and nothing is written."""

from datetime import date
from decimal import Decimal

import pytest

from tend.orders import services
from tend.orders.models import ExchangeRate, Order, OrderLine, Product, Sample
from tend.orders.tests.factories import ProductFactory

HUGE = "100000000000000000"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def written():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        ExchangeRate.objects.count(),
        Sample.objects.count(),
        Product.objects.count(),
    )


@pytest.fixture
def kettle(db):
    return ProductFactory(sku="KT-1")


def order_payload(kettle, **line):
    return {
        "number": "SO-1",
        "order_date": "2026-02-01",
        "currency": "USD",
        "lines": [{"product_id": kettle.pk, "quantity": "1", "unit_price": "1", **line}],
    }


@pytest.mark.parametrize(
    ("line", "errors"),
    [
        ({"unit_price": HUGE}, {"lines.0.unit_price": ["Too large: at most 99,999,999,999.9999."]}),
        ({"quantity": HUGE}, {"lines.0.quantity": ["Too large: at most 99,999,999,999.999."]}),
        ({"discount_pct": HUGE}, {"lines.0.discount_pct": ["Too large: at most 100."]}),
        (
            {"quantity": "99999999999", "unit_price": "99999999999"},
            {
                "lines": [
                    "The order comes to 9,999,999,999,800,000,000,001.00: too large, at most "
                    "9,999,999,999,999.99."
                ]
            },
        ),
    ],
)
def test_an_order_too_large_for_its_columns_is_refused(client, rep1, book, kettle, line, errors):
    client.force_login(rep1)
    before = written()

    response = post(
        client, f"/api/v1/customers/{book['rep1_owned'].pk}/orders", order_payload(kettle, **line)
    )

    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert written() == before


def test_the_order_service_refuses_a_total_too_large_for_its_column(rep1, book, kettle):
    with pytest.raises(Exception) as refused:
        services.order_create(
            by=rep1,
            customer=book["rep1_owned"],
            fields={"number": "SO-2", "order_date": date(2026, 2, 1), "currency": "USD"},
            lines=[{"product": kettle, "quantity": Decimal("200"), "unit_price": Decimal("9e10")}],
        )

    assert refused.value.message_dict == {
        "lines": [
            "The order comes to 18,000,000,000,000.00: too large, at most 9,999,999,999,999.99."
        ]
    }
    assert written() == (0, 0, 0, 0, 1)


def test_a_rate_a_list_price_and_a_sample_fee_too_large_are_refused(client, manager1, book, kettle):
    client.force_login(manager1)
    before = written()

    rate = post(
        client,
        "/api/v1/exchange-rates",
        {"currency": "EUR", "valid_from": "2026-01-01", "rate": HUGE},
    )
    product = post(
        client, "/api/v1/products", {"sku": "KT-9", "name": "Kettle", "list_price": HUGE}
    )
    sample = post(
        client,
        f"/api/v1/customers/{book['rep1_owned'].pk}/samples",
        {
            "product_ids": [kettle.pk],
            "sent_on": "2026-02-01",
            "is_free": False,
            "fee": HUGE,
            "fee_status": "invoiced",
            "cost": HUGE,
        },
    )

    assert (rate.status_code, rate.json()["errors"]) == (
        422,
        {"rate": ["Too large: at most 99,999.9999999999."]},
    )
    assert (product.status_code, product.json()["errors"]) == (
        422,
        {"list_price": ["Too large: at most 9,999,999,999,999.99."]},
    )
    assert (sample.status_code, sample.json()["errors"]) == (
        422,
        {
            "fee": ["Too large: at most 9,999,999,999,999.99."],
            "cost": ["Too large: at most 9,999,999,999,999.99."],
        },
    )
    assert written() == before


def test_the_sample_page_refuses_a_fee_too_large_naming_it(client, rep1, book, kettle):
    customer = book["rep1_owned"]
    client.force_login(rep1)

    response = client.post(
        f"/orders/customers/{customer.pk}/samples/new/",
        {
            "products": [kettle.pk],
            "quantity": "1",
            "sent_on": "2026-02-01",
            "fee": "99999999999999",
            "fee_currency": "USD",
            "fee_status": "invoiced",
            "cost": "0",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["fee"] == ["Too large: at most 9,999,999,999,999.99."]
    assert not Sample.objects.exists()
