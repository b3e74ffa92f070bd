from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tend.orders import services
from tend.orders.models import Order, OrderLine
from tend.orders.tests.factories import ProductFactory, RateFactory
from tend.timeline.models import TimelineEntry


def test_an_order_is_valued_in_its_currency_and_in_base_at_the_order_dates_rate(rep1, book):
    RateFactory(currency="EUR", valid_from=date(2026, 1, 1), rate=Decimal("1.08"))
    RateFactory(currency="EUR", valid_from=date(2026, 3, 1), rate=Decimal("1.12"))
    kettle = ProductFactory(sku="KT-200")
    order = services.order_create(
        by=rep1,
        customer=book["rep1_owned"],
        fields={
            "number": "SO-1",
            "order_date": date(2026, 2, 15),
            "currency": "EUR",
            "promised_ship_date": date(2026, 4, 1),
        },
        lines=[
            {
                "product": kettle,
                "quantity": Decimal("1000"),
                "unit_price": Decimal("9.90"),
                "discount_pct": Decimal("5"),
            }
        ],
    )
    assert (order.amount, order.rate_to_base, order.amount_base) == (
        Decimal("9405.00"),
        Decimal("1.08"),
        Decimal("10157.40"),
    )
    assert order.estimated_ship_date == date(2026, 4, 1)
    assert TimelineEntry.objects.get(customer=book["rep1_owned"]).title == (
        "Order SO-1: 9,405.00 EUR, ship by 2026-04-01"
    )


def test_a_missing_rate_is_a_clear_error_and_nothing_is_written(rep1, book):
    kettle = ProductFactory()
    with pytest.raises(ValidationError) as caught:
        services.order_create(
            by=rep1,
            customer=book["rep1_owned"],
            fields={"number": "SO-2", "order_date": date(2026, 2, 15), "currency": "GBP"},
            lines=[{"product": kettle, "quantity": 1, "unit_price": 1}],
        )
    assert "No exchange rate for GBP on 2026-02-15" in caught.value.message_dict["currency"][0]
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_bad_lines_are_named_by_index(rep1, book):
    with pytest.raises(ValidationError) as caught:
        services.order_create(
            by=rep1,
            customer=book["rep1_owned"],
            fields={"number": "SO-3", "order_date": date(2026, 2, 15), "currency": "USD"},
            lines=[
                {"product_id": 999, "quantity": 1, "unit_price": 1},
                {"product": ProductFactory(), "quantity": -5, "unit_price": 1},
            ],
        )
    assert set(caught.value.message_dict) == {"lines.0.product", "lines.1.quantity"}
    assert not Order.objects.exists()


def test_late_means_estimate_past_promise_or_promise_passed_unshipped(rep1, book):
    kettle = ProductFactory()
    order = services.order_create(
        by=rep1,
        customer=book["rep1_owned"],
        fields={
            "number": "SO-4",
            "order_date": date(2026, 1, 5),
            "currency": "USD",
            "promised_ship_date": date(2026, 3, 1),
        },
        lines=[{"product": kettle, "quantity": 1, "unit_price": 1}],
    )
    assert not order.is_late(date(2026, 2, 1))
    assert order.is_late(date(2026, 3, 2))
    assert list(Order.objects.late(today=date(2026, 3, 2))) == [order]
    services.order_set_estimate(
        by=rep1, order=order, new_date=date(2026, 3, 20), reason="Heating element shortage"
    )
    order.refresh_from_db()
    assert order.is_late(date(2026, 2, 1))
    assert order.days_late(date(2026, 2, 1)) == 19
    assert list(order.estimate_changes.values_list("old_date", "new_date", "reason")) == [
        (date(2026, 3, 1), date(2026, 3, 20), "Heating element shortage")
    ]
    services.order_status_change(
        by=rep1, order=order, status="shipped", actual_ship_date=date(2026, 3, 19)
    )
    assert list(Order.objects.late(today=date(2026, 3, 25))) == []


def test_a_date_move_needs_a_reason(rep1, book):
    kettle = ProductFactory()
    order = services.order_create(
        by=rep1,
        customer=book["rep1_owned"],
        fields={
            "number": "SO-5",
            "order_date": date(2026, 1, 5),
            "currency": "USD",
            "promised_ship_date": date(2026, 3, 1),
        },
        lines=[{"product": kettle, "quantity": 1, "unit_price": 1}],
    )
    with pytest.raises(ValidationError):
        services.order_set_estimate(by=rep1, order=order, new_date=date(2026, 4, 1), reason="")
    order.refresh_from_db()
    assert order.estimated_ship_date == date(2026, 3, 1)


def test_money_rounds_half_up(rep1, book):
    order = services.order_create(
        by=rep1,
        customer=book["rep1_owned"],
        fields={"number": "SO-6", "order_date": date(2026, 1, 5), "currency": "USD"},
        lines=[{"product": ProductFactory(), "quantity": 1, "unit_price": Decimal("0.125")}],
    )
    assert order.amount == Decimal("0.13")


def test_a_cancelled_order_stays_cancelled(rep1, book):
    order = services.order_create(
        by=rep1,
        customer=book["rep1_owned"],
        fields={"number": "SO-7", "order_date": date(2026, 1, 5), "currency": "USD"},
        lines=[{"product": ProductFactory(), "quantity": 1, "unit_price": 1}],
    )
    services.order_status_change(by=rep1, order=order, status="cancelled")
    with pytest.raises(ValidationError):
        services.order_status_change(by=rep1, order=order, status="draft")
    order.refresh_from_db()
    assert order.status == "cancelled"
