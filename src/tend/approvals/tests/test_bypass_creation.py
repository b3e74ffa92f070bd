"""Four eyes with no back door: a guarded value is *given* to a new record, or a status moves
an order out of the guard, on every path (service, page, API, bulk, import, admin).

Creating holds the terms back and makes the request (the order stays a draft, the customer
gets no terms) until it is approved; moving a status out of policy is refused and names the
request to make. Each refusal leaves the database as it was."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tend.approvals import services
from tend.approvals.models import ApprovalPolicy, ApprovalRequest, RequestKind
from tend.approvals.views import Change, change_lines
from tend.core.guard import GuardedChange
from tend.customers import services as customer_services
from tend.customers.models import Customer
from tend.imports.customers import import_customers
from tend.imports.orders import import_orders
from tend.imports.tests.sheets import write_csv
from tend.orders import services as order_services
from tend.orders.models import Order, OrderLine
from tend.orders.tests.factories import ProductFactory, approve_terms


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def kettle(db):
    return ProductFactory(sku="KT-500", list_price=Decimal("10.00"))


def place(by, customer, *, unit_price="10", discount="0", status="confirmed", number="SO-1"):
    approve_terms(customer, "T/T 30/70")
    return order_services.order_create(
        by=by,
        customer=customer,
        fields={
            "number": number,
            "order_date": date(2026, 3, 2),
            "currency": "USD",
            "payment_terms": "T/T 30/70",
            "status": status,
        },
        lines=[
            {
                "product": ProductFactory(sku="KT-500", list_price=Decimal("10.00")),
                "quantity": Decimal("100"),
                "unit_price": Decimal(unit_price),
                "discount_pct": Decimal(discount),
            }
        ],
    )


def orders_state():
    return (
        list(Order.objects.values_list("number", "status").order_by("number")),
        list(OrderLine.objects.values_list("unit_price", "discount_pct").order_by("pk")),
        list(ApprovalRequest.objects.values_list("kind", "state", "proposed").order_by("pk")),
    )


def customers_state():
    return (
        list(Customer.objects.values_list("name", "payment_terms", "credit_limit").order_by("pk")),
        list(ApprovalRequest.objects.values_list("kind", "state", "proposed").order_by("pk")),
    )


# --- Orders: placed confirmed beyond the discount policy --------------------------------------


def test_an_order_placed_confirmed_at_90_percent_off_is_a_draft_waiting_for_two_approvers(
    rep1, manager1, admin_user, book
):
    order = place(rep1, book["rep1_owned"], discount="90")

    request = ApprovalRequest.objects.get()
    assert Order.objects.get(pk=order.pk).status == "draft"
    assert (request.kind, request.order_id, request.proposed, request.measure_value) == (
        "discount",
        order.pk,
        {"status": "confirmed"},
        Decimal("90.00"),
    )
    assert (request.state, request.approvals_needed, request.admin_required) == (
        "pending",
        2,
        True,
    )
    services.request_decide(by=manager1, request=request, decision="approve")
    assert Order.objects.get(pk=order.pk).status == "draft"
    services.request_decide(by=admin_user, request=request, decision="approve")
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    assert ApprovalRequest.objects.get().state == "applied"


def test_a_unit_price_far_below_list_counts_as_a_discount(rep1, book):
    order = place(rep1, book["rep1_owned"], unit_price="1.00")

    assert Order.objects.get(pk=order.pk).status == "draft"
    assert ApprovalRequest.objects.values_list("kind", "measure_value").get() == (
        "discount",
        Decimal("90.00"),
    )


def test_an_order_within_policy_is_confirmed_with_no_request(rep1, book):
    order = place(rep1, book["rep1_owned"], unit_price="9.60")

    assert Order.objects.get(pk=order.pk).status == "confirmed"
    assert not ApprovalRequest.objects.exists()


def test_without_a_discount_policy_an_order_at_list_is_confirmed_and_one_below_waits(rep1, book):
    """Deleting the discount policy (Settings) makes every discount need one approver; an
    order at list price has no discount, so it is confirmed like before."""
    ApprovalPolicy.objects.filter(kind=RequestKind.DISCOUNT).delete()

    at_list = place(rep1, book["rep1_owned"], number="SO-1")
    below = place(rep1, book["rep1_owned"], number="SO-2", unit_price="9.90")

    assert Order.objects.get(pk=at_list.pk).status == "confirmed"
    assert Order.objects.get(pk=below.pk).status == "draft"
    assert list(ApprovalRequest.objects.values_list("order__number", "approvals_needed")) == [
        ("SO-2", 1)
    ]


def test_an_order_beyond_policy_with_no_one_to_ask_is_refused(book):
    with pytest.raises(ValidationError) as caught:
        place(None, book["rep1_owned"], discount="100")
    assert list(caught.value.message_dict) == ["status"]
    assert orders_state() == ([], [], [])


def test_the_api_places_it_as_a_draft_waiting_for_approval(client, rep1, book, kettle):
    client.force_login(rep1)
    response = post(
        client,
        f"/api/v1/customers/{book['rep1_owned'].pk}/orders",
        {
            "number": "SO-API-1",
            "order_date": "2026-03-02",
            "currency": "USD",
            "status": "confirmed",
            "lines": [
                {
                    "product_id": kettle.pk,
                    "quantity": "100",
                    "unit_price": "10",
                    "discount_pct": "90",
                }
            ],
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "draft"
    assert orders_state()[2] == [("discount", "pending", {"status": "confirmed"})]


# --- Orders: status moves ----------------------------------------------------------------------


def test_confirming_a_draft_beyond_policy_is_refused_and_names_the_request(rep1, book):
    order = place(rep1, book["rep1_owned"], discount="90", status="draft")
    before = orders_state()

    with pytest.raises(ValidationError) as caught:
        order_services.order_status_change(order=order, status="confirmed", by=rep1)

    assert caught.value.message_dict == {
        "status": [
            "Order SO-1 sells up to 90.00% below list, beyond what may be confirmed without "
            "approval: ask for a discount approval on it, proposing the status “confirmed”; it "
            "is confirmed when approved."
        ]
    }
    assert orders_state() == before


def test_confirming_a_draft_beyond_policy_through_the_api_is_refused(client, rep1, book):
    order = place(rep1, book["rep1_owned"], discount="90", status="draft")
    before = orders_state()
    client.force_login(rep1)

    response = post(client, f"/api/v1/orders/{order.pk}/status", {"status": "confirmed"})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["status"]
    assert orders_state() == before


def test_the_model_refuses_to_confirm_a_draft_beyond_policy(rep1, book):
    order = place(rep1, book["rep1_owned"], discount="90", status="draft")
    before = orders_state()
    order.status = "confirmed"
    with pytest.raises(GuardedChange):
        order.save()
    order.status = "confirmed"
    with pytest.raises(GuardedChange):
        Order.objects.bulk_update([order], ["status"])
    with pytest.raises(GuardedChange):
        Order.objects.filter(pk=order.pk).update(status="confirmed")
    assert orders_state() == before


def test_a_rep_cannot_move_a_confirmed_order_back_to_draft_through_the_api(client, rep1, book):
    order = place(rep1, book["rep1_owned"])
    before = orders_state()
    client.force_login(rep1)

    response = post(client, f"/api/v1/orders/{order.pk}/status", {"status": "draft"})

    assert response.status_code == 422
    assert "needs an approved request" in response.json()["errors"]["status"][0]
    assert orders_state() == before


def test_an_approved_change_reopens_a_confirmed_order_to_draft(rep1, manager1, book):
    order = place(rep1, book["rep1_owned"])
    request = services.request_create(
        by=rep1,
        kind=RequestKind.ORDER_CHANGE,
        customer=order.customer,
        order=order,
        reason="The customer wants to rework the whole order.",
        proposed={"status": "draft"},
    )
    assert (request.state, request.measure_value) == ("pending", Decimal("1000.00"))
    assert Order.objects.get(pk=order.pk).status == "confirmed"

    services.request_decide(by=manager1, request=request, decision="approve")

    assert Order.objects.get(pk=order.pk).status == "draft"


def test_a_status_request_for_a_move_that_needs_none_is_refused(rep1, book):
    order = place(rep1, book["rep1_owned"])
    with pytest.raises(ValidationError) as caught:
        services.request_create(
            by=rep1,
            kind=RequestKind.ORDER_CHANGE,
            customer=order.customer,
            order=order,
            reason="Ship it",
            proposed={"status": "in_production"},
        )
    assert list(caught.value.message_dict) == ["proposed"]
    assert not ApprovalRequest.objects.exists()


# --- Orders: import and admin ----------------------------------------------------------------

ORDER_HEADERS = ["Order number", "Customer", "Order date", "Currency", "Product SKU", "Quantity",
                 "Unit price", "Discount %", "Status"]  # fmt: skip


def test_an_import_places_an_order_beyond_policy_as_a_draft_waiting_for_approval(
    rep1, book, kettle, tmp_path
):
    path = write_csv(
        tmp_path / "orders.csv",
        ORDER_HEADERS,
        [
            [
                "SO-IM-1",
                book["rep1_owned"].name,
                "2026-03-02",
                "USD",
                "KT-500",
                "100",
                "10",
                "90",
                "confirmed",
            ],
            [
                "SO-IM-2",
                book["rep1_owned"].name,
                "2026-03-02",
                "USD",
                "KT-500",
                "100",
                "10",
                "2",
                "confirmed",
            ],
        ],  # fmt: skip
    )
    result = import_orders(by=rep1, path=path, commit=True)

    assert (result.errors, result.committed, result.orders_held_for_approval) == ([], True, 1)
    assert orders_state()[0] == [("SO-IM-1", "draft"), ("SO-IM-2", "confirmed")]
    request = ApprovalRequest.objects.get()
    assert (request.kind, request.order.number, request.state, request.requested_by) == (
        "discount",
        "SO-IM-1",
        "pending",
        rep1,
    )


def test_a_reimport_cannot_confirm_a_draft_beyond_policy_nor_reopen_a_confirmed_order(
    rep1, book, kettle, tmp_path
):
    place(rep1, book["rep1_owned"], discount="90", status="draft", number="SO-IM-3")
    ApprovalRequest.objects.all().delete()
    place(rep1, book["rep1_owned"], number="SO-IM-4")
    before = orders_state()
    name = book["rep1_owned"].name
    path = write_csv(
        tmp_path / "orders.csv",
        ORDER_HEADERS,
        [
            ["SO-IM-3", name, "2026-03-02", "USD", "KT-500", "100", "10", "90", "confirmed"],
            ["SO-IM-4", name, "2026-03-02", "USD", "KT-500", "100", "10", "0", "draft"],
        ],
    )
    result = import_orders(by=rep1, path=path, commit=True)

    assert [(error.row, error.column) for error in result.errors] == [
        (2, "Status"),
        (3, "Status"),
    ]
    assert "ask for a discount approval" in result.errors[0].message
    assert "needs an approved request" in result.errors[1].message
    assert result.committed is False
    assert orders_state() == before


def test_the_django_admin_neither_places_orders_nor_moves_their_status_or_terms(
    client, admin_user, rep1, book
):
    draft = place(rep1, book["rep1_owned"], discount="90", status="draft")
    ApprovalRequest.objects.all().delete()
    before = orders_state()
    client.force_login(admin_user)

    add = client.get("/admin/orders/order/add/")
    client.post(
        f"/admin/orders/order/{draft.pk}/change/",
        {
            "customer": draft.customer_id,
            "number": draft.number,
            "order_date": "2026-03-02",
            "currency": "EUR",
            "payment_terms": "O/A 365",
            "status": "confirmed",
        },
    )

    assert add.status_code == 403
    draft.refresh_from_db()
    assert (draft.status, draft.currency, draft.payment_terms) == ("draft", "USD", "T/T 30/70")
    assert orders_state() == before


# --- Customers: created with credit terms ------------------------------------------------------


def test_a_customer_created_with_a_huge_credit_limit_gets_it_only_when_approved(
    rep1, manager1, admin_user
):
    customer = customer_services.customer_create(
        by=rep1,
        fields={
            "name": "Lagos Appliances Ltd",
            "country": "NG",
            "payment_terms": "Net 365",
            "credit_limit": Decimal("9999999"),
        },
    )

    customer.refresh_from_db()
    assert (customer.payment_terms, customer.credit_limit) == ("", None)
    request = ApprovalRequest.objects.get()
    assert (request.kind, request.customer_id, request.proposed, request.requested_by) == (
        "credit_terms",
        customer.pk,
        {"payment_terms": "Net 365", "credit_limit": "9999999"},
        rep1,
    )
    assert (request.state, request.admin_required) == ("pending", True)
    services.request_decide(by=admin_user, request=request, decision="approve")
    customer.refresh_from_db()
    assert (customer.payment_terms, customer.credit_limit) == ("Net 365", Decimal("9999999.00"))


def test_the_customer_page_creates_the_customer_and_asks_for_its_terms(
    client, rep1, manager1, admin_user
):
    client.force_login(rep1)
    response = client.post(
        "/customers/new/",
        {
            "name": "Lagos Appliances Ltd",
            "country": "NG",
            "currency": "USD",
            "type": "importer",
            "tier": "C",
            "status": "prospect",
            "owner": rep1.pk,
            "payment_terms": "Net 365",
            "credit_limit": "9999999",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert customers_state() == (
        [("Lagos Appliances Ltd", "", None)],
        [
            (
                "credit_terms",
                "pending",
                {"payment_terms": "Net 365", "credit_limit": "9999999"},
            )
        ],
    )
    assert "wait for approval" in response.content.decode()


def test_the_api_creates_the_customer_and_asks_for_its_terms(client, rep1, admin_user):
    client.force_login(rep1)
    response = post(
        client,
        "/api/v1/customers",
        {
            "name": "Lagos Appliances Ltd",
            "country": "NG",
            "payment_terms": "Net 365",
            "credit_limit": "9999999",
        },  # fmt: skip
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["payment_terms"], response.json()["credit_limit"]) == ("", None)
    assert customers_state()[1] == [
        ("credit_terms", "pending", {"payment_terms": "Net 365", "credit_limit": "9999999"})
    ]


def test_a_customer_import_creates_customers_and_asks_for_their_terms(
    manager1, admin_user, tmp_path
):
    path = write_csv(
        tmp_path / "book.csv",
        ["Company", "Country", "Payment terms", "Credit limit"],
        [["Lagos Appliances Ltd", "NG", "Net 365", "9999999"], ["Accra Homes", "GH", "", ""]],
    )
    result = import_customers(by=manager1, path=path, commit=True)

    assert (result.errors, result.committed, result.terms_held_for_approval) == ([], True, 1)
    assert customers_state() == (
        [("Lagos Appliances Ltd", "", None), ("Accra Homes", "", None)],
        [
            (
                "credit_terms",
                "pending",
                {"payment_terms": "Net 365", "credit_limit": "9999999.00"},
            )
        ],
    )


def test_customers_cannot_be_added_or_changed_in_the_django_admin(client, admin_user, book):
    """The admin lists customers (view only): no add, no change, no delete."""
    client.force_login(admin_user)
    customer = book["rep1_owned"]
    before = customers_state()
    assert client.get("/admin/customers/customer/add/").status_code == 403
    assert client.post("/admin/customers/customer/add/", {"name": "X"}).status_code == 403
    change = f"/admin/customers/customer/{customer.pk}/change/"
    assert client.post(change, {"credit_limit": "9999999"}).status_code == 403
    assert client.post(f"/admin/customers/customer/{customer.pk}/delete/").status_code == 403
    assert customers_state() == before


def test_a_bulk_action_cannot_set_terms_on_customers(manager1, book):
    before = customers_state()
    with pytest.raises(ValidationError):
        customer_services.customers_bulk_update(
            by=manager1,
            customers=[book["rep1_owned"]],
            fields={"payment_terms": "Net 365", "credit_limit": Decimal("9999999")},
        )
    with pytest.raises(GuardedChange):
        Customer.objects.filter(pk=book["rep1_owned"].pk).update(credit_limit=Decimal("9999999"))
    assert customers_state() == before


# --- The request page offers the two status requests ------------------------------------------


def test_the_request_page_asks_to_confirm_a_draft_priced_beyond_policy(client, rep1, book):
    order = place(rep1, book["rep1_owned"], discount="90", status="draft")
    client.force_login(rep1)
    url = f"/approvals/orders/{order.pk}/new/"
    assert 'name="confirm"' in client.get(url, {"kind": "discount"}).content.decode()

    client.post(url, {"kind": "discount", "confirm": "on", "reason": "Clearance of old stock."})

    assert orders_state()[2] == [("discount", "pending", {"status": "confirmed"})]
    assert Order.objects.get(pk=order.pk).status == "draft"
    assert change_lines(ApprovalRequest.objects.get()) == [Change("Status", "Draft", "Confirmed")]


def test_the_request_page_asks_to_reopen_a_confirmed_order(client, rep1, book):
    order = place(rep1, book["rep1_owned"])
    client.force_login(rep1)
    url = f"/approvals/orders/{order.pk}/new/"
    assert 'name="reopen"' in client.get(url, {"kind": "order_change"}).content.decode()

    client.post(url, {"kind": "order_change", "reopen": "on", "reason": "They redo the order."})

    assert orders_state()[2] == [("order_change", "pending", {"status": "draft"})]
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    assert change_lines(ApprovalRequest.objects.get()) == [Change("Status", "Confirmed", "Draft")]


def test_the_api_asks_to_confirm_a_draft_and_the_approval_confirms_it(client, rep1, manager1, book):
    order = place(rep1, book["rep1_owned"], unit_price="8.50", status="draft")
    client.force_login(rep1)

    response = post(
        client,
        "/api/v1/approval-requests",
        {
            "kind": "discount",
            "customer_id": order.customer_id,
            "order_id": order.pk,
            "reason": "Launch price for their first container.",
            "proposed": {"status": "confirmed"},
        },
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["state"], response.json()["approvals_needed"]) == ("pending", 1)
    services.request_decide(by=manager1, request=ApprovalRequest.objects.get(), decision="approve")
    assert Order.objects.get(pk=order.pk).status == "confirmed"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (["draft"], "Unknown status."),
        ("shipped-ish", "Unknown status."),
        (
            "delivered",
            "Order SO-1 is Confirmed: it can move to In production, Ready, Shipped, "
            "Cancelled, Draft, not to Delivered.",
        ),
    ],  # fmt: skip
)
def test_a_status_request_for_an_unknown_or_undeclared_status_is_refused(
    rep1, book, status, message
):
    order = place(rep1, book["rep1_owned"])
    with pytest.raises(ValidationError) as caught:
        services.request_create(
            by=rep1,
            kind=RequestKind.ORDER_CHANGE,
            customer=order.customer,
            order=order,
            reason="Typo",
            proposed={"status": status},
        )
    assert caught.value.message_dict == {"proposed": [message]}
    assert not ApprovalRequest.objects.exists()
