"""The approvals API: ask, list mine and those waiting for me, read one (with the customer's
concessions for its approvers), decide and withdraw, with the services' rules: never your own,
never twice, nothing about what you may not see. A refusal changes nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tend.approvals import services
from tend.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    CreditNote,
    RequestKind,
)
from tend.customers.models import Customer
from tend.orders import services as order_services
from tend.orders.models import OrderLine
from tend.orders.tests.factories import ProductFactory

URL = "/api/v1/approval-requests"


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def place(by, customer, number="SO-2026-0401"):
    """A confirmed order of one line, 100 kettles at 10.00 USD (the list price), placed today."""
    return order_services.order_create(
        by=by,
        customer=customer,
        fields={
            "number": number,
            "order_date": timezone.localdate(),
            "currency": "USD",
            "incoterm": "FOB",
            "promised_ship_date": date(2026, 9, 1),
        },
        lines=[
            {
                "product": ProductFactory(sku=f"KT-{number}", list_price=Decimal("10.00")),
                "quantity": Decimal("100"),
                "unit_price": Decimal("10"),
            }
        ],
    )


def ask(by, customer, kind=RequestKind.CREDIT_TERMS, proposed=None, order=None):
    return services.request_create(
        by=by,
        kind=kind,
        customer=customer,
        order=order,
        reason="They say a competitor offers 60 days.",
        proposed=proposed or {"payment_terms": "60 days net"},
    )


def snapshot():
    return (
        list(ApprovalRequest.objects.values_list("pk", "state").order_by("pk")),
        ApprovalDecision.objects.count(),
        list(Customer.objects.values_list("pk", "payment_terms", "credit_limit").order_by("pk")),
        list(OrderLine.objects.values_list("pk", "quantity", "unit_price", "discount_pct")),
    )


@pytest.fixture
def order(rep1, book):
    return place(rep1, book["rep1_owned"])


def test_a_rep_asks_for_a_discount_and_reads_it_back(client, rep1, order):
    line = order.lines.get()
    client.force_login(rep1)
    response = post(
        client,
        URL,
        {
            "kind": "discount",
            "customer_id": order.customer_id,
            "order_id": order.pk,
            "reason": "Matches the offer they have from Ningbo.",
            "proposed": {"lines": {str(line.pk): {"discount_pct": "10"}}},
        },
    )
    assert response.status_code == 201
    body = response.json()
    request = ApprovalRequest.objects.get()
    assert body["id"] == request.pk
    assert {key: body[key] for key in ("kind", "state", "order_id", "order_number")} == {
        "kind": "discount",
        "state": "pending",
        "order_id": order.pk,
        "order_number": order.number,
    }
    assert body["amount_base"] == "100.00" and body["base_currency"] == "USD"
    assert body["changes"] == [
        {"what": f"{line.product.sku} {line.product.name}: discount", "old": "0%", "new": "10%"}
    ]
    assert body["decisions"] == [] and body["may_decide"] is False
    assert body["customer_record"] is None  # the requester is not an approver


@pytest.mark.parametrize(
    ("kind", "proposed", "amount"),
    [
        ("refund", {"kind": "credit_note", "amount": "250", "currency": "USD"}, "250.00"),
        ("accommodation", {"description": "Free freight", "value": "800"}, "800.00"),
        ("credit_terms", {"payment_terms": "60 days net", "credit_limit": "20000"}, "20000.00"),
    ],
)
def test_a_rep_asks_for_each_kind_of_customer_terms(client, rep1, book, kind, proposed, amount):
    client.force_login(rep1)
    response = post(
        client,
        URL,
        {
            "kind": kind,
            "customer_id": book["rep1_owned"].pk,
            "reason": "A loyal customer with a problem.",
            "proposed": proposed,
        },
    )
    assert response.status_code == 201
    assert response.json()["amount_base"] == amount
    assert ApprovalRequest.objects.get().proposed == proposed


def test_an_invalid_request_is_refused_field_by_field_and_nothing_is_written(
    client, rep1, rep2, book
):
    client.force_login(rep1)
    base = {"kind": "refund", "customer_id": book["rep1_owned"].pk, "reason": "Broken lids."}
    response = post(client, URL, {**base, "proposed": {"amount": "-5"}})
    assert response.status_code == 422
    assert response.json() == {
        "message": "The request has invalid fields.",
        "errors": {"proposed.amount": ["A refund or credit is a positive amount."]},
    }
    response = post(client, URL, {**base, "reason": " ", "proposed": {"amount": "5"}})
    assert response.json()["errors"] == {"reason": ["Say why: the approver decides on it."]}
    response = post(client, URL, {**base, "kind": "bribe", "proposed": {}})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["kind"]
    # A customer the rep cannot see is as unknown as one that does not exist.
    hidden = {**base, "customer_id": book["rep2_owned"].pk, "proposed": {"amount": "5"}}
    response = post(client, URL, hidden)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "customer_id": [f"No customer with id {book['rep2_owned'].pk}."]
    }
    assert ApprovalRequest.objects.count() == 0


def test_mine_and_waiting_list_the_right_requests(client, rep1, rep2, manager1, book):
    now = timezone.now()
    newer = ask(rep1, book["rep1_owned"])
    older = ask(rep1, book["rep1_backup"])
    ApprovalRequest.objects.filter(pk=older.pk).update(created_at=now - timedelta(days=2))
    ask(rep2, book["rep2_owned"])
    own = ask(manager1, book["rep1_owned"])

    client.force_login(manager1)
    waiting = client.get(f"{URL}/waiting").json()
    assert [r["id"] for r in waiting] == [older.pk, newer.pk]
    assert waiting[0]["customer_name"] == "Hamburg Küchen AG"
    assert [r["id"] for r in client.get(f"{URL}/mine").json()] == [own.pk]

    client.force_login(rep1)
    assert client.get(f"{URL}/waiting").json() == []
    assert [r["id"] for r in client.get(f"{URL}/mine").json()] == [newer.pk, older.pk]


def test_an_approver_reads_the_customers_concessions_and_value(client, rep1, manager1, order):
    customer = order.customer
    credit = ask(
        rep1,
        customer,
        RequestKind.REFUND,
        proposed={"kind": "credit_note", "amount": "300", "currency": "USD"},
    )
    services.request_decide(by=manager1, request=credit, decision="approve")
    pending = ask(rep1, customer)

    client.force_login(manager1)
    body = client.get(f"{URL}/{pending.pk}").json()
    assert body["may_decide"] is True
    record = body["customer_record"]
    assert record["customer_value_12m"] == "1000.00"
    assert record["margin"] is None and record["complaints"] == 0
    assert record["concessions_total"] == "300.00"
    assert [(c["id"], c["kind"], c["amount_base"], c["state"]) for c in record["concessions"]] == [
        (credit.pk, "refund", "300.00", "applied")
    ]
    assert record["refused_or_withdrawn"] == 0


def test_an_approver_decides_once_and_the_change_is_applied(client, rep1, manager1, book):
    customer = book["rep1_owned"]
    request = ask(rep1, customer, RequestKind.REFUND, proposed={"amount": "120"})
    client.force_login(manager1)
    response = post(client, f"{URL}/{request.pk}/decide", {"decision": "approve", "comment": "OK"})
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "applied" and body["may_decide"] is False
    assert [(d["by_id"], d["decision"], d["comment"]) for d in body["decisions"]] == [
        (manager1.pk, "approve", "OK")
    ]
    assert CreditNote.objects.get().amount == Decimal("120.00")

    before = snapshot()
    again = post(client, f"{URL}/{request.pk}/decide", {"decision": "approve"})
    assert again.status_code == 422
    assert again.json()["errors"] == {"__all__": ["This request is already Applied."]}
    assert snapshot() == before and CreditNote.objects.count() == 1


def test_the_requester_cannot_decide_their_own_request(client, manager1, book):
    request = ask(manager1, book["rep1_owned"])
    before = snapshot()
    client.force_login(manager1)
    response = post(client, f"{URL}/{request.pk}/decide", {"decision": "approve"})
    assert response.status_code == 403
    assert response.json() == {"message": "You cannot decide your own request."}
    assert snapshot() == before


def test_a_rep_may_see_a_request_but_not_decide_it(client, rep1, manager1, book):
    request = ask(manager1, book["rep1_owned"])
    before = snapshot()
    client.force_login(rep1)
    assert client.get(f"{URL}/{request.pk}").json()["may_decide"] is False
    response = post(client, f"{URL}/{request.pk}/decide", {"decision": "approve"})
    assert response.status_code == 403
    assert snapshot() == before


def test_rejecting_needs_a_comment(client, rep1, manager1, book):
    request = ask(rep1, book["rep1_owned"])
    before = snapshot()
    client.force_login(manager1)
    response = post(client, f"{URL}/{request.pk}/decide", {"decision": "reject"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"comment": ["Say why you reject it."]}
    assert snapshot() == before
    response = post(client, f"{URL}/{request.pk}/decide", {"decision": "maybe"})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["decision"]

    response = post(client, f"{URL}/{request.pk}/decide", {"decision": "reject", "comment": "No."})
    assert response.json()["state"] == "rejected"


def test_unknown_or_invisible_requests_are_not_found(client, rep1, rep2, book):
    request = ask(rep1, book["rep1_owned"])
    before = snapshot()
    client.force_login(rep2)
    assert client.get(f"{URL}/{request.pk}").status_code == 404
    assert post(client, f"{URL}/{request.pk}/decide", {"decision": "approve"}).status_code == 404
    assert post(client, f"{URL}/{request.pk}/withdraw").status_code == 404
    assert client.get(f"{URL}/{request.pk + 1000}").json() == {"message": "Not found."}
    assert snapshot() == before


def test_only_the_requester_withdraws_and_only_while_pending(client, rep1, manager1, book):
    request = ask(rep1, book["rep1_owned"])
    client.force_login(manager1)
    assert post(client, f"{URL}/{request.pk}/withdraw").status_code == 403
    client.force_login(rep1)
    response = post(client, f"{URL}/{request.pk}/withdraw")
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    again = post(client, f"{URL}/{request.pk}/withdraw")
    assert again.status_code == 422
    assert again.json()["errors"] == {"__all__": ["This request is already Withdrawn."]}


def test_every_operation_is_documented_under_approvals(client, admin_user):
    client.force_login(admin_user)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    operations = [
        ("post", "/api/v1/approval-requests"),
        ("get", "/api/v1/approval-requests/mine"),
        ("get", "/api/v1/approval-requests/waiting"),
        ("get", "/api/v1/approval-requests/{request_id}"),
        ("post", "/api/v1/approval-requests/{request_id}/decide"),
        ("post", "/api/v1/approval-requests/{request_id}/withdraw"),
    ]
    for method, path in operations:
        assert paths[path][method]["tags"] == ["approvals"], path
        assert paths[path][method]["summary"], path
