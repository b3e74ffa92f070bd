"""One oversized number must not break the approval pages: a proposed amount that does not fit
its column is refused before anything is written, naming the field, on the page and in the API;
and a value already stored too large still renders everywhere."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from tend.approvals import services
from tend.approvals.models import ApprovalRequest, Notification, RequestKind
from tend.audit.models import AuditEntry
from tend.orders import services as order_services
from tend.orders.tests.factories import ProductFactory, RateFactory
from tend.timeline.models import TimelineEntry

HUGE = "100000000000000000"
TOO_LARGE = "Too large: at most 9,999,999,999,999.99."
URL = "/api/v1/approval-requests"


def nothing_written():
    return (
        ApprovalRequest.objects.count(),
        Notification.objects.count(),
        AuditEntry.objects.filter(entity="approvalrequest").count(),
        TimelineEntry.objects.filter(kind="approval").count(),
    ) == (0, 0, 0, 0)


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


@pytest.fixture
def order(rep1, book):
    return order_services.order_create(
        by=rep1,
        customer=book["rep1_owned"],
        fields={
            "number": "SO-777",
            "order_date": date(2026, 2, 1),
            "currency": "USD",
            "incoterm": "FOB",
            "promised_ship_date": date(2026, 9, 1),
        },
        lines=[
            {
                "product": ProductFactory(sku="KT-777", list_price=Decimal("10.00")),
                "quantity": Decimal("100"),
                "unit_price": Decimal("10"),
            }
        ],
    )


def test_a_refund_of_1e17_through_the_api_is_refused_naming_the_amount(client, rep1, book):
    client.force_login(rep1)

    response = ask_api(
        client, book["rep1_owned"], "refund", {"kind": "refund", "amount": HUGE, "currency": "USD"}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"proposed.amount": [TOO_LARGE]}
    assert nothing_written()


def test_a_refund_of_1e17_through_the_page_is_refused_naming_the_amount(client, rep1, book):
    customer = book["rep1_owned"]
    client.force_login(rep1)

    response = client.post(
        f"/approvals/customers/{customer.pk}/new/",
        {
            "kind": "refund",
            "refund_kind": "refund",
            "amount": HUGE,
            "currency": "USD",
            "reason": "The customer asks",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [TOO_LARGE]
    assert nothing_written()


@pytest.mark.parametrize(
    ("kind", "proposed", "field"),
    [
        (RequestKind.ACCOMMODATION, {"description": "Free", "value": HUGE}, "proposed.value"),
        (RequestKind.CREDIT_TERMS, {"credit_limit": HUGE}, "proposed.credit_limit"),
        (RequestKind.REFUND, {"amount": "12.345"}, "proposed.amount"),
        (RequestKind.REFUND, {"amount": "NaN"}, "proposed.amount"),
    ],
)
def test_every_proposed_amount_is_bounded(client, rep1, book, kind, proposed, field):
    client.force_login(rep1)

    response = ask_api(client, book["rep1_owned"], kind, proposed)

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert nothing_written()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"unit_price": HUGE}, "proposed.unit_price", "Too large: at most 99,999,999,999.9999."),
        ({"quantity": HUGE}, "proposed.quantity", "Too large: at most 99,999,999,999.999."),
        ({"discount_pct": "1e17"}, "proposed.discount_pct", "Too large: at most 100."),
        (
            {"quantity": "99999999999", "unit_price": "99999999999"},
            "proposed",
            "The order's new amount is too large: at most 9,999,999,999,999.99.",
        ),
    ],
)
def test_a_change_to_an_orders_lines_is_bounded(client, rep1, order, changes, field, message):
    line = order.lines.get()
    client.force_login(rep1)

    response = ask_api(
        client,
        order.customer,
        RequestKind.ORDER_CHANGE,
        {"lines": {str(line.pk): changes}},
        order=order,
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {field: [message]}
    assert nothing_written()


def test_a_refund_too_large_once_in_the_base_currency_is_refused(rep1, book):
    RateFactory(currency="EUR", valid_from=date(2020, 1, 1), rate=Decimal("1.10"))
    customer = book["rep1_owned"]

    with pytest.raises(Exception) as refused:
        services.request_create(
            by=rep1,
            kind=RequestKind.REFUND,
            customer=customer,
            reason="Damaged",
            proposed={"kind": "refund", "amount": "9999999999999", "currency": "EUR"},
        )

    assert refused.value.message_dict == {
        "amount": ["Too large in USD (10,999,999,999,998.90): at most 9,999,999,999,999.99."]
    }
    assert nothing_written()


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="only SQLite can hold a value too large for its column"
)
def test_a_value_already_stored_too_large_still_renders_and_can_be_withdrawn(
    client, rep1, manager1, admin_user, book
):
    customer = book["rep1_owned"]
    request = services.request_create(
        by=rep1,
        kind=RequestKind.REFUND,
        customer=customer,
        reason="Damaged",
        proposed={"kind": "refund", "amount": "100", "currency": "USD"},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE approvals_approvalrequest SET amount_base = %s, measure_value = %s "
            "WHERE id = %s",
            [HUGE, HUGE, request.pk],
        )

    for person in (rep1, manager1, admin_user):
        client.force_login(person)
        for url in (
            "/approvals/",
            "/today/",
            f"/customers/{customer.pk}/",
            f"/approvals/{request.pk}/",
            f"{URL}/{request.pk}",
            f"{URL}/mine",
            f"{URL}/waiting",
        ):
            assert (person.username, url, client.get(url).status_code) == (
                person.username,
                url,
                200,
            )
    client.force_login(rep1)
    client.post(f"/approvals/{request.pk}/withdraw/")
    request.refresh_from_db()
    assert (request.state, request.amount_base) == ("withdrawn", Decimal(HUGE))
