"""An order's status moves only along the declared table, on every path that writes it."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tend.core.guard import GuardedChange
from tend.orders import services
from tend.orders.models import Order, OrderLine, OrderStatus
from tend.orders.tests.factories import ProductFactory
from tend.orders.transitions import allowed_next, path_from_draft


def place(by, customer, number="SO-700", **fields):
    return services.order_create(
        by=by,
        customer=customer,
        fields={"number": number, "order_date": date(2026, 2, 1), "currency": "USD", **fields},
        lines=[{"product": ProductFactory(), "quantity": Decimal("10"), "unit_price": 5}],
    )


def test_the_table_declares_each_status_next_steps():
    assert {status: allowed_next(status) for status in OrderStatus.values} == {
        "draft": ["confirmed", "cancelled"],
        "confirmed": ["in_production", "ready", "shipped", "cancelled", "draft"],
        "in_production": ["ready", "shipped", "cancelled"],
        "ready": ["in_production", "shipped", "cancelled"],
        "shipped": ["delivered"],
        "delivered": [],
        "cancelled": [],
    }


def test_an_undeclared_move_is_refused_with_the_allowed_ones_named(rep1, book):
    order = place(rep1, book["rep1_owned"], status="draft")
    with pytest.raises(ValidationError) as caught:
        services.order_status_change(by=rep1, order=order, status="shipped")
    assert caught.value.message_dict == {
        "status": ["Order SO-700 is Draft: it can move to Confirmed, Cancelled, not to Shipped."]
    }
    assert Order.objects.get(pk=order.pk).status == "draft"


def test_a_declared_move_is_made(rep1, book):
    order = place(rep1, book["rep1_owned"], status="draft")
    services.order_status_change(by=rep1, order=order, status="confirmed")
    services.order_status_change(by=rep1, order=order, status="in_production")
    assert Order.objects.get(pk=order.pk).status == "in_production"


def test_moving_a_confirmed_order_back_to_draft_is_refused_and_names_the_request(rep1, book):
    order = place(rep1, book["rep1_owned"])
    with pytest.raises(ValidationError) as caught:
        services.order_status_change(by=rep1, order=order, status="draft")
    assert caught.value.message_dict == {
        "status": [
            "Order SO-700 is confirmed: moving it back to draft reopens its agreed terms, so it "
            "needs an approved request (ask for a change to a confirmed order, proposing the "
            "status draft)."
        ]
    }
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_the_model_refuses_an_undeclared_or_guarded_move_saved_directly(rep1, book):
    order = place(rep1, book["rep1_owned"])
    order.status = "draft"
    with pytest.raises(GuardedChange):
        order.save()
    order.status = "delivered"
    with pytest.raises(ValidationError):
        order.save(update_fields=["status"])
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_a_queryset_update_or_bulk_update_of_the_status_is_refused(rep1, book):
    order = place(rep1, book["rep1_owned"])
    with pytest.raises(GuardedChange):
        Order.objects.filter(pk=order.pk).update(status="draft")
    order.status = "draft"
    with pytest.raises(GuardedChange):
        Order.objects.bulk_update([order], ["status"])
    assert Order.objects.get(pk=order.pk).status == "confirmed"


def test_lines_cannot_be_slipped_onto_a_confirmed_order_in_bulk(rep1, book):
    order = place(rep1, book["rep1_owned"])
    with pytest.raises(GuardedChange):
        OrderLine.objects.bulk_create(
            [OrderLine(order=order, product=ProductFactory(), quantity=1, unit_price=0)]
        )
    assert OrderLine.objects.filter(order=order).count() == 1


def test_an_order_placed_at_a_later_status_walks_the_table_to_it(rep1, book):
    assert path_from_draft("delivered") == ["confirmed", "shipped", "delivered"]
    assert path_from_draft("cancelled") == ["cancelled"]
    assert path_from_draft("draft") == []
    order = place(rep1, book["rep1_owned"], status="delivered", actual_ship_date=date(2026, 3, 1))
    assert Order.objects.get(pk=order.pk).status == "delivered"
