"""An order's payment terms are its customer's approved terms: other terms are a credit
decision made by four eyes, so no path that places an order (or edits a draft) takes them. They
reach an order only by an approved change to it. Each refusal names ``payment_terms`` and writes
nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tend.approvals import services as approvals
from tend.approvals.models import ApprovalRequest
from tend.core.guard import GuardedChange, approval_applying
from tend.customers.tests.factories import CustomerFactory
from tend.imports.orders import import_orders
from tend.imports.tests.sheets import write_csv
from tend.orders import services
from tend.orders.models import Order
from tend.orders.tests.factories import ProductFactory

APPROVED = "L/C at sight"


@pytest.fixture
def customer(rep1, book):
    with approval_applying():  # the terms a customer has were approved
        return CustomerFactory(
            name="Gulf Kitchens LLC", owner=rep1, currency="USD", payment_terms=APPROVED
        )


@pytest.fixture
def kettle(db):
    return ProductFactory(sku="KT-7", list_price=Decimal("10.00"))


def place(customer, kettle, *, by=None, terms="", status="confirmed", number="SO-77"):
    return services.order_create(
        by=by,
        customer=customer,
        fields={
            "number": number,
            "order_date": date(2026, 3, 2),
            "currency": "USD",
            "payment_terms": terms,
            "status": status,
        },
        lines=[{"product": kettle, "quantity": Decimal("10"), "unit_price": Decimal("10")}],
    )


def written():
    return (
        list(Order.objects.values_list("number", "payment_terms").order_by("number")),
        ApprovalRequest.objects.count(),
    )


def test_an_order_is_placed_on_the_customers_approved_terms(rep1, customer, kettle):
    assert place(customer, kettle, by=rep1).payment_terms == APPROVED
    # The same terms typed differently are the same terms, kept as approved.
    assert place(customer, kettle, terms=" l/c  AT sight", number="SO-78").payment_terms == (
        APPROVED
    )


@pytest.mark.parametrize("status", ["draft", "confirmed"])
def test_an_order_on_other_terms_is_refused_naming_payment_terms(rep1, customer, kettle, status):
    with pytest.raises(ValidationError) as refused:
        place(customer, kettle, by=rep1, terms="O/A 180 days", status=status)
    (message,) = refused.value.message_dict["payment_terms"]
    assert "“L/C at sight”" in message and "ask for a change to its payment terms" in message
    assert written() == ([], 0)


def test_a_customer_without_approved_terms_gets_orders_without_terms(rep1, book, kettle):
    customer = book["rep1_owned"]
    assert customer.payment_terms == ""
    with pytest.raises(ValidationError) as refused:
        place(customer, kettle, by=rep1, terms="O/A 180 days")
    assert "no approved payment terms" in refused.value.message_dict["payment_terms"][0]
    assert place(customer, kettle, by=rep1).payment_terms == ""


def test_other_terms_reach_a_confirmed_order_by_an_approved_change(
    rep1, manager1, customer, kettle
):
    order = place(customer, kettle, by=rep1)
    request = approvals.request_create(
        by=rep1,
        kind="order_change",
        customer=customer,
        order=order,
        reason="Long-standing buyer; the bank confirmed the line",
        proposed={"payment_terms": "O/A 180 days"},
    )
    approvals.request_decide(by=manager1, request=request, decision="approve")
    order.refresh_from_db()
    assert order.payment_terms == "O/A 180 days"


def test_the_new_order_page_shows_the_refusal_on_the_field(client, rep1, customer, kettle):
    client.force_login(rep1)
    data = {
        "number": "SO-77",
        "order_date": "2026-03-02",
        "currency": "USD",
        "payment_terms": "O/A 180 days",
        "status": "confirmed",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-product": str(kettle.pk),
        "lines-0-quantity": "10",
        "lines-0-unit_price": "10",
    }
    response = client.post(f"/orders/customers/{customer.pk}/new/", data)
    assert response.status_code == 400
    assert (
        "approved payment terms are “L/C at sight”"
        in response.context["form"].errors["payment_terms"][0]
    )
    assert "approved payment terms are “L/C at sight”" in response.content.decode()
    assert written() == ([], 0)

    data["payment_terms"] = APPROVED
    assert client.post(f"/orders/customers/{customer.pk}/new/", data).status_code == 302
    assert written() == ([("SO-77", APPROVED)], 0)


def test_the_api_refuses_other_terms_naming_the_field(client, rep1, customer, kettle):
    client.force_login(rep1)
    payload = {
        "number": "SO-77",
        "order_date": "2026-03-02",
        "payment_terms": "O/A 180 days",
        "lines": [{"product_id": kettle.pk, "quantity": "10", "unit_price": "10"}],
    }
    url = f"/api/v1/customers/{customer.pk}/orders"
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["payment_terms"]
    assert written() == ([], 0)

    del payload["payment_terms"]
    response = client.post(url, payload, content_type="application/json")
    assert (response.status_code, response.json()["payment_terms"]) == (201, APPROVED)


def test_a_drafts_terms_are_not_edited_to_other_terms(client, rep1, customer, kettle):
    order = place(customer, kettle, by=rep1, status="draft")
    with pytest.raises(ValidationError) as refused:
        services.order_edit(
            by=rep1,
            order=order,
            fields={"payment_terms": "O/A 180 days"},
            lines=[
                {"id": line.pk, "product": kettle, "quantity": 10, "unit_price": 10}
                for line in order.lines.all()
            ],  # fmt: skip
        )
    assert list(refused.value.message_dict) == ["payment_terms"]

    client.force_login(rep1)
    line = order.lines.get()
    response = client.post(
        f"/orders/{order.pk}/edit/",
        {
            "number": order.number,
            "order_date": "2026-03-02",
            "currency": "USD",
            "payment_terms": "O/A 180 days",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "200",
            "lines-0-id": str(line.pk),
            "lines-0-product": str(kettle.pk),
            "lines-0-quantity": "10",
            "lines-0-unit_price": "10",
        },
    )
    assert response.status_code == 400
    assert "payment_terms" in response.context["form"].errors
    assert written() == ([("SO-77", APPROVED)], 0)


def test_the_django_admin_cannot_give_a_draft_other_terms(client, admin_user, customer, kettle):
    order = place(customer, kettle, status="draft")
    client.force_login(admin_user)
    assert client.get("/admin/orders/order/add/").status_code == 403
    client.post(
        f"/admin/orders/order/{order.pk}/change/",
        {
            "customer": customer.pk,
            "number": order.number,
            "order_date": "2026-03-02",
            "currency": "USD",
            "payment_terms": "O/A 180 days",
            "status": "draft",
        },
    )
    assert written() == ([("SO-77", APPROVED)], 0)


def test_an_import_refuses_a_new_order_on_other_terms(rep1, customer, kettle, tmp_path):
    headers = ["Order number", "Customer", "Order date", "Product SKU", "Quantity",
               "Unit price", "Payment terms"]  # fmt: skip
    rows = [
        ["SO-IM-1", customer.name, "2026-03-02", "KT-7", "10", "10", ""],
        ["SO-IM-2", customer.name, "2026-03-02", "KT-7", "10", "10", "O/A 180 days"],
    ]
    result = import_orders(by=rep1, path=write_csv(tmp_path / "o.csv", headers, rows), commit=True)
    assert [(error.row, error.column) for error in result.errors] == [(3, "Payment terms")]
    assert "“L/C at sight”" in result.errors[0].message
    assert (result.committed, written()) == (False, ([], 0))

    rows[1][-1] = APPROVED.upper()
    result = import_orders(by=rep1, path=write_csv(tmp_path / "o.csv", headers, rows), commit=True)
    assert (result.errors, result.committed) == ([], True)
    assert written() == ([("SO-IM-1", APPROVED), ("SO-IM-2", APPROVED)], 0)


def _customer_terms_changed(customer, terms):
    with approval_applying():  # as an approved credit terms request applies them
        customer.payment_terms = terms
        customer.save(update_fields=["payment_terms"])


def test_a_draft_made_before_the_customers_terms_changed_is_not_confirmed_on_the_old_ones(
    rep1, customer, kettle
):
    draft = place(customer, kettle, by=rep1, status="draft")
    _customer_terms_changed(customer, "CAD")
    with pytest.raises(ValidationError) as refused:
        services.order_status_change(order=draft, status="confirmed", by=rep1)
    (message,) = refused.value.message_dict["status"]
    assert "“L/C at sight”" in message and "“CAD”" in message
    draft.refresh_from_db()
    assert draft.status == "draft"
    # The model's last check holds on any other path (a bulk action, the admin, a script).
    draft.status = "confirmed"
    with pytest.raises(GuardedChange):
        draft.save()
    # Saved with its old terms, it keeps them; with the field left empty, as the refusal says,
    # it takes the customer's approved terms and is confirmed.
    for terms, stored in (("L/C at sight", "L/C at sight"), ("", "CAD")):
        services.order_edit(
            by=rep1,
            order=draft,
            fields={"payment_terms": terms},
            lines=[
                {"id": line.pk, "product": kettle, "quantity": 10, "unit_price": 10}
                for line in draft.lines.all()
            ],  # fmt: skip
        )
        draft.refresh_from_db()
        assert draft.payment_terms == stored
    services.order_status_change(order=draft, status="confirmed", by=rep1)
    draft.refresh_from_db()
    assert draft.status == "confirmed"


def test_terms_an_approved_request_gave_the_order_stand_when_it_is_confirmed_again(
    rep1, manager1, customer, kettle
):
    order = place(customer, kettle, by=rep1)
    for proposed in ({"payment_terms": "O/A 180 days"}, {"status": "draft"}):
        request = approvals.request_create(
            by=rep1,
            kind="order_change",
            customer=customer,
            order=order,
            reason="The bank confirmed the line; the buyer then changed the quantities",
            proposed=proposed,
        )
        approvals.request_decide(by=manager1, request=request, decision="approve")
        order.refresh_from_db()
    assert (order.status, order.payment_terms) == ("draft", "O/A 180 days")
    services.order_status_change(order=order, status="confirmed", by=rep1)
    order.refresh_from_db()
    assert (order.status, order.payment_terms) == ("confirmed", "O/A 180 days")
