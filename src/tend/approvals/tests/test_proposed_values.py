"""Every proposed value of a request is checked when the request is made, as a direct write of
that field would be, so an approved change can always be applied: a bad Incoterm, date, payment
terms or currency is a 422 naming the field, and nothing is stored."""

from datetime import date
from decimal import Decimal

import pytest

from tend.approvals import services
from tend.approvals.models import ApprovalRequest, RequestKind
from tend.orders import services as order_services
from tend.orders.models import Order
from tend.orders.tests.factories import ProductFactory

URL = "/api/v1/approval-requests"


@pytest.fixture
def order(rep1, book):
    return order_services.order_create(
        by=rep1,
        customer=book["rep1_owned"],
        fields={
            "number": "SO-888",
            "order_date": date(2026, 2, 1),
            "currency": "USD",
            "incoterm": "FOB",
            "promised_ship_date": date(2026, 9, 1),
        },
        lines=[
            {
                "product": ProductFactory(sku="KT-888", list_price=Decimal("10.00")),
                "quantity": Decimal("100"),
                "unit_price": Decimal("10"),
            }
        ],
    )


def ask_api(client, customer, kind, proposed, order=None):
    return client.post(
        URL,
        {
            "kind": kind,
            "customer_id": customer.pk,
            "order_id": order.pk if order else None,
            "reason": "The customer asks",
            "proposed": proposed,
        },
        content_type="application/json",
    )


@pytest.mark.parametrize(
    ("proposed", "errors"),
    [
        ({"incoterm": "XYZ"}, {"proposed.incoterm": ["Value 'XYZ' is not a valid choice."]}),
        ({"incoterm": None}, {"proposed.incoterm": ["This field cannot be null."]}),
        (
            {"payment_terms": "x" * 201},
            {
                "proposed.payment_terms": [
                    "Ensure this value has at most 200 characters (it has 201)."
                ]
            },
        ),
        (
            {"promised_ship_date": "2026-13-45"},
            {
                "proposed.promised_ship_date": [
                    "“2026-13-45” value has the correct format (YYYY-MM-DD) but it is an "
                    "invalid date."
                ]
            },
        ),
    ],
)
def test_a_bad_order_change_is_refused_when_asked_naming_the_field(
    client, rep1, order, proposed, errors
):
    client.force_login(rep1)

    response = ask_api(client, order.customer, RequestKind.ORDER_CHANGE, proposed, order=order)

    assert response.status_code == 422
    assert response.json()["errors"] == errors
    assert not ApprovalRequest.objects.exists()


def test_a_refund_in_an_unknown_currency_is_refused_naming_the_currency(client, rep1, book):
    client.force_login(rep1)

    response = ask_api(client, book["rep1_owned"], "refund", {"amount": "10", "currency": "EUX"})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["proposed.currency"]
    assert not ApprovalRequest.objects.exists()


def test_an_approved_incoterm_change_is_applied(rep1, manager1, order):
    request = services.request_create(
        by=rep1,
        kind=RequestKind.ORDER_CHANGE,
        customer=order.customer,
        order=order,
        reason="They collect at the port now",
        proposed={"incoterm": "EXW", "promised_ship_date": "2026-9-15"},
    )

    services.request_decide(by=manager1, request=request, decision="approve")

    request.refresh_from_db()
    order = Order.objects.get(pk=order.pk)
    assert (request.state, order.incoterm, order.promised_ship_date) == (
        "applied",
        "EXW",
        date(2026, 9, 15),
    )
