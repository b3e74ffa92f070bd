"""Placing and changing an order from its pages: lines, totals in the order's currency, the
customer's defaults, field errors that write nothing, and a confirmed order's terms going to
an approver."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tend.approvals.models import ApprovalRequest
from tend.core.guard import approval_applying
from tend.customers.tests.factories import CustomerFactory
from tend.orders import services
from tend.orders.models import Order, OrderLine
from tend.orders.tests.factories import ProductFactory, RateFactory, approve_terms


def new_order_data(kettle, toaster, **changes) -> dict:
    data = {
        "number": "SO-500",
        "order_date": "2026-03-02",
        "currency": "eur",
        "incoterm": "FOB",
        "payment_terms": "30% deposit",
        "port": "Ningbo",
        "promised_ship_date": "2026-04-15",
        "status": "confirmed",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-product": str(kettle.pk),
        "lines-0-quantity": "100",
        "lines-0-unit_price": "9.90",
        "lines-0-discount_pct": "5",
        "lines-0-batch_number": "L-1",
        "lines-1-product": str(toaster.pk),
        "lines-1-quantity": "20",
        "lines-1-unit_price": "15",
    }
    data.update(changes)
    return data


@pytest.fixture
def products(book):
    approve_terms(book["rep1_owned"], "30% deposit")
    RateFactory(currency="EUR", valid_from=date(2026, 1, 1), rate=Decimal("1.10"))
    return ProductFactory(sku="KT-1", list_price=Decimal("10")), ProductFactory(sku="TS-1")


def test_the_new_order_page_starts_from_the_customers_currency_and_terms(client, rep1, book):
    with approval_applying():  # the terms a customer has were approved
        customer = CustomerFactory(
            owner=rep1, currency="EUR", incoterm="CIF", payment_terms="60 days"
        )
    client.force_login(rep1)
    form = client.get(f"/orders/customers/{customer.pk}/new/").context["form"]
    assert (
        form["currency"].value(),
        form["incoterm"].value(),
        form["payment_terms"].value(),
        form["order_date"].value(),
    ) == ("EUR", "CIF", "60 days", timezone.localdate())


def test_an_order_with_two_lines_is_placed_with_its_totals(client, rep1, book, products):
    kettle, toaster = products
    client.force_login(rep1)
    response = client.post(
        f"/orders/customers/{book['rep1_owned'].pk}/new/", new_order_data(kettle, toaster)
    )
    order = Order.objects.get()
    assert response["Location"] == f"/orders/{order.pk}/"
    assert (order.number, order.currency, order.amount, order.amount_base, order.created_by) == (
        "SO-500",
        "EUR",
        Decimal("1240.50"),
        Decimal("1364.55"),
        rep1,
    )
    assert [
        (line.product.sku, line.quantity, line.unit_price, line.discount_pct, line.batch_number)
        for line in order.lines.order_by("pk")
    ] == [
        ("KT-1", Decimal("100"), Decimal("9.90"), Decimal("5"), "L-1"),
        ("TS-1", Decimal("20"), Decimal("15"), Decimal("0"), ""),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"lines-1-quantity": "-3"}, "lines-1-quantity", "greater than or equal to 0"),
        ({"lines-0-discount_pct": "120"}, "lines-0-discount_pct", "less than or equal to 100"),
        ({"lines-1-unit_price": ""}, "lines-1-unit_price", "This field is required."),
        ({"currency": "GBP"}, "currency", "No exchange rate for GBP on 2026-03-02"),
        ({"order_date": "2026-02-30"}, "order_date", "Enter a valid date."),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_saved(
    client, rep1, book, products, changes, field, message
):
    client.force_login(rep1)
    response = client.post(
        f"/orders/customers/{book['rep1_owned'].pk}/new/", new_order_data(*products, **changes)
    )
    assert response.status_code == 400
    html = response.content.decode()
    error_list = html[html.index(f'id="id_{field}_errors"') :][:300]
    assert message in error_list
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_an_order_without_lines_is_refused(client, rep1, book, products):
    client.force_login(rep1)
    data = new_order_data(*products)
    for key in [k for k in data if k.startswith("lines-") and k[6].isdigit()]:
        del data[key]
    response = client.post(f"/orders/customers/{book['rep1_owned'].pk}/new/", data)
    assert response.status_code == 400
    assert "An order needs at least one line." in response.content.decode()
    assert not Order.objects.exists()


def test_a_taken_order_number_is_named(client, rep1, book, products):
    client.force_login(rep1)
    url = f"/orders/customers/{book['rep1_owned'].pk}/new/"
    client.post(url, new_order_data(*products))
    response = client.post(url, new_order_data(*products))
    assert response.status_code == 400
    assert "Order with this Order number already exists." in response.content.decode()
    assert Order.objects.count() == 1


def test_orders_of_customers_the_user_may_not_see_are_404(client, rep1, book, products):
    client.force_login(rep1)
    other = book["rep2_owned"]
    assert client.get(f"/orders/customers/{other.pk}/new/").status_code == 404
    order = _draft(other, *products)
    assert client.get(f"/orders/{order.pk}/edit/").status_code == 404
    assert client.post(f"/orders/{order.pk}/edit/", {}).status_code == 404


def test_picking_the_customer_of_a_new_order_lists_only_visible_ones(client, rep1, book):
    client.force_login(rep1)
    response = client.get("/orders/new/", {"q": "a"})
    names = [customer.name for customer in response.context["customers"]]
    assert names == ["Al Noor Trading", "Hamburg Küchen AG", "Pool Imports"]


def _draft(customer, kettle, toaster, status="draft"):
    approve_terms(customer, "30% deposit")
    return services.order_create(
        by=None,
        customer=customer,
        fields={
            "number": "SO-9",
            "order_date": date(2026, 3, 2),
            "currency": "EUR",
            "promised_ship_date": date(2026, 4, 15),
            "incoterm": "FOB",
            "payment_terms": "30% deposit",
            "status": status,
        },
        lines=[
            {"product": kettle, "quantity": 100, "unit_price": Decimal("9.90")},
            {"product": toaster, "quantity": 20, "unit_price": Decimal("15"), "batch_number": "B"},
        ],
    )


def edit_data(order, **changes) -> dict:
    lines = list(order.lines.order_by("pk"))
    data = {
        "number": order.number,
        "order_date": order.order_date.isoformat(),
        "currency": order.currency,
        "incoterm": order.incoterm,
        "payment_terms": order.payment_terms,
        "port": order.port,
        "promised_ship_date": order.promised_ship_date.isoformat(),
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
    }
    for index, line in enumerate(lines):
        data.update(
            {
                f"lines-{index}-id": str(line.pk),
                f"lines-{index}-product": str(line.product_id),
                f"lines-{index}-quantity": str(line.quantity),
                f"lines-{index}-unit_price": str(line.unit_price),
                f"lines-{index}-discount_pct": str(line.discount_pct),
                f"lines-{index}-batch_number": line.batch_number,
            }
        )
    data.update(changes)
    return data


def test_a_draft_is_edited_freely_lines_changed_added_and_removed(client, rep1, book, products):
    kettle, toaster = products
    order = _draft(book["rep1_owned"], kettle, toaster)
    kettle_line = order.lines.get(product=kettle)
    client.force_login(rep1)
    data = edit_data(
        order,
        **{
            "port": "Shanghai",
            "lines-0-quantity": "50",
            "lines-1-DELETE": "on",
            "lines-TOTAL_FORMS": "3",
            "lines-2-product": str(toaster.pk),
            "lines-2-quantity": "2",
            "lines-2-unit_price": "20",
        },
    )
    response = client.post(f"/orders/{order.pk}/edit/", data)
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.port, order.amount, order.amount_base) == (
        "Shanghai",
        Decimal("535.00"),
        Decimal("588.50"),
    )
    assert [(line.pk == kettle_line.pk, line.quantity) for line in order.lines.order_by("pk")] == [
        (True, Decimal("50")),
        (False, Decimal("2")),
    ]


def test_a_confirmed_orders_free_fields_change_at_once(client, rep1, book, products):
    order = _draft(book["rep1_owned"], *products, status="confirmed")
    client.force_login(rep1)
    response = client.post(
        f"/orders/{order.pk}/edit/",
        edit_data(order, port="Shanghai", remarks="Pallets", **{"lines-1-batch_number": "B-2"}),
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.port, order.remarks, order.lines.get(batch_number="B-2").quantity) == (
        "Shanghai",
        "Pallets",
        Decimal("20"),
    )
    assert not ApprovalRequest.objects.exists()


def test_a_confirmed_orders_discount_beyond_policy_goes_to_an_approver_and_shows_pending(
    client, rep1, book, products
):
    order = _draft(book["rep1_owned"], *products, status="confirmed")
    client.force_login(rep1)
    url = f"/orders/{order.pk}/edit/"
    refused = client.post(url, edit_data(order, **{"lines-0-discount_pct": "20"}))
    assert refused.status_code == 400
    assert "Say why these terms should change" in refused.content.decode()
    assert not ApprovalRequest.objects.exists()

    response = client.post(
        url, edit_data(order, reason="Matches a rival quote", **{"lines-0-discount_pct": "20"})
    )
    assert response.status_code == 302
    request = ApprovalRequest.objects.get()
    line = order.lines.get(product=products[0])
    assert (request.kind, request.state, request.proposed, request.requested_by) == (
        "discount",
        "pending",
        {"lines": {str(line.pk): {"discount_pct": "20"}}},
        rep1,
    )
    assert line.discount_pct == Decimal("0")  # unchanged until approved
    page = client.get(url).content.decode()
    assert f'href="/approvals/{request.pk}/">Discount or price below list #{request.pk}' in page


def test_a_confirmed_orders_terms_and_quantities_go_as_one_order_change(
    client, rep1, book, products
):
    order = _draft(book["rep1_owned"], *products, status="confirmed")
    client.force_login(rep1)
    response = client.post(
        f"/orders/{order.pk}/edit/",
        edit_data(
            order,
            reason="Customer asked",
            incoterm="CIF",
            promised_ship_date="2026-05-01",
            **{"lines-1-quantity": "25"},
        ),
    )
    assert response.status_code == 302
    request = ApprovalRequest.objects.get()
    toaster_line = order.lines.get(product=products[1])
    assert (request.kind, request.proposed) == (
        "order_change",
        {
            "incoterm": "CIF",
            "promised_ship_date": "2026-05-01",
            "lines": {str(toaster_line.pk): {"quantity": "25"}},
        },
    )
    order.refresh_from_db()
    assert (order.incoterm, order.promised_ship_date) == ("FOB", date(2026, 4, 15))


def test_a_confirmed_orders_currency_date_and_lines_cannot_change_here(
    client, rep1, book, products
):
    order = _draft(book["rep1_owned"], *products, status="confirmed")
    before = list(OrderLine.objects.values_list("pk", "product_id", "quantity"))
    client.force_login(rep1)
    url = f"/orders/{order.pk}/edit/"
    # Disabled fields keep the stored values whatever is posted.
    client.post(url, edit_data(order, currency="USD", order_date="2026-01-01"))
    order.refresh_from_db()
    assert (order.currency, order.order_date) == ("EUR", date(2026, 3, 2))
    extra = edit_data(
        order,
        **{
            "lines-TOTAL_FORMS": "3",
            "lines-2-product": str(products[0].pk),
            "lines-2-quantity": "1",
            "lines-2-unit_price": "1",
        },
    )
    response = client.post(url, extra)
    assert response.status_code == 400
    assert "Lines are added or removed only on a draft" in response.content.decode()
    assert list(OrderLine.objects.values_list("pk", "product_id", "quantity")) == before
    assert not ApprovalRequest.objects.exists()


def test_the_service_refuses_a_confirmed_orders_currency_and_writes_nothing(rep1, book, products):
    order = _draft(book["rep1_owned"], *products, status="confirmed")
    lines = [
        {"id": line.pk, "product": line.product, "quantity": line.quantity,
         "unit_price": line.unit_price, "discount_pct": line.discount_pct,
         "batch_number": line.batch_number}
        for line in order.lines.order_by("pk")
    ]  # fmt: skip
    with pytest.raises(Exception) as caught:
        services.order_edit(
            by=rep1, order=order, fields={"currency": "USD", "port": "Xiamen"}, lines=lines
        )
    assert caught.value.message_dict == {"currency": ["Fixed once the order is confirmed."]}
    order.refresh_from_db()
    assert (order.currency, order.port) == ("EUR", "")


def test_an_edit_page_shows_line_amounts_and_the_total(client, rep1, book, products):
    order = _draft(book["rep1_owned"], *products)
    client.force_login(rep1)
    html = client.get(f"/orders/{order.pk}/edit/").content.decode()
    assert '<th class="num" id="order-total">1290.00 EUR</th>' in html


def status_buttons(html: str) -> list[str]:
    form = html[html.index('id="status-moves"') :]
    form = form[: form.index("</form>")]
    return [
        chunk.split(">", 1)[1].split("</button>")[0]
        for chunk in form.split('<button type="submit" name="status"')[1:]
    ]


def test_the_order_page_offers_the_declared_next_statuses(client, rep1, book, products):
    order = _draft(book["rep1_owned"], *products, status="confirmed")
    client.force_login(rep1)
    html = client.get(f"/orders/{order.pk}/").content.decode()
    assert status_buttons(html) == [
        "In production",
        "Ready",
        "Shipped",
        "Cancelled",
        "Draft (ask for approval)",
    ]


def test_a_status_button_moves_the_order(client, rep1, book, products):
    order = _draft(book["rep1_owned"], *products, status="confirmed")
    client.force_login(rep1)
    response = client.post(f"/orders/{order.pk}/status/", {"status": "in_production"})
    assert response["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == "in_production"


def test_a_move_the_table_does_not_declare_is_refused_and_nothing_changes(
    client, rep1, book, products
):
    order = _draft(book["rep1_owned"], *products, status="confirmed")
    client.force_login(rep1)
    response = client.post(f"/orders/{order.pk}/status/", {"status": "delivered"}, follow=True)
    assert "it can move to In production, Ready, Shipped, Cancelled, Draft, not to Delivered" in (
        response.content.decode()
    )
    order.refresh_from_db()
    assert order.status == "confirmed"


def test_shipping_needs_the_ship_date(client, rep1, book, products):
    order = _draft(book["rep1_owned"], *products, status="confirmed")
    client.force_login(rep1)
    url = f"/orders/{order.pk}/status/"
    refused = client.post(url, {"status": "shipped"}, follow=True)
    assert "When did it ship?" in refused.content.decode()
    order.refresh_from_db()
    assert (order.status, order.actual_ship_date) == ("confirmed", None)
    client.post(url, {"status": "shipped", "actual_ship_date": "2026-04-10"})
    order.refresh_from_db()
    assert (order.status, order.actual_ship_date) == ("shipped", date(2026, 4, 10))


def test_reopening_a_confirmed_order_asks_an_approver(client, rep1, book, products):
    order = _draft(book["rep1_owned"], *products, status="confirmed")
    client.force_login(rep1)
    url = f"/orders/{order.pk}/status/"
    refused = client.post(url, {"status": "draft"}, follow=True)
    assert "This move needs an approver: say why" in refused.content.decode()
    assert not ApprovalRequest.objects.exists()
    client.post(url, {"status": "draft", "reason": "Customer changes the colours"})
    request = ApprovalRequest.objects.get()
    assert (request.kind, request.proposed, request.state) == (
        "order_change",
        {"status": "draft"},
        "pending",
    )
    order.refresh_from_db()
    assert order.status == "confirmed"


def test_confirming_a_draft_priced_beyond_policy_asks_for_a_discount_approval(
    client, rep1, book, products
):
    kettle, toaster = products  # the kettle lists at 10 USD
    order = services.order_create(
        by=rep1,
        customer=book["rep1_owned"],
        fields={"number": "SO-7", "order_date": date(2026, 3, 2), "currency": "USD",
                "status": "draft"},
        lines=[{"product": kettle, "quantity": 10, "unit_price": Decimal("7")}],
    )  # fmt: skip
    client.force_login(rep1)
    html = client.get(f"/orders/{order.pk}/").content.decode()
    assert status_buttons(html) == ["Confirmed (ask for approval)", "Cancelled"]
    client.post(f"/orders/{order.pk}/status/", {"status": "confirmed", "reason": "Launch deal"})
    request = ApprovalRequest.objects.get()
    assert (request.kind, request.proposed) == ("discount", {"status": "confirmed"})
    order.refresh_from_db()
    assert order.status == "draft"


def test_an_unknown_status_or_an_invisible_order_changes_nothing(client, rep1, book, products):
    mine = _draft(book["rep1_owned"], *products, status="confirmed")
    client.force_login(rep1)
    refused = client.post(f"/orders/{mine.pk}/status/", {"status": "lost"}, follow=True)
    assert "Status: Select a valid choice." in refused.content.decode()
    other = services.order_create(
        by=None,
        customer=book["rep2_owned"],
        fields={"number": "SO-X", "order_date": date(2026, 3, 2), "currency": "USD"},
        lines=[{"product": products[1], "quantity": 1, "unit_price": Decimal("1")}],
    )
    assert client.post(f"/orders/{other.pk}/status/", {"status": "cancelled"}).status_code == 404
    assert list(Order.objects.order_by("pk").values_list("status", flat=True)) == [
        "confirmed",
        "confirmed",
    ]


def test_a_new_order_priced_beyond_policy_is_placed_as_a_draft_awaiting_approval(
    client, rep1, book, products
):
    kettle, toaster = products
    client.force_login(rep1)
    data = new_order_data(kettle, toaster, **{"lines-0-discount_pct": "40"})
    response = client.post(f"/orders/customers/{book['rep1_owned'].pk}/new/", data, follow=True)
    order = Order.objects.get()
    assert order.status == "draft"
    assert ApprovalRequest.objects.get().proposed == {"status": "confirmed"}
    assert "placed as a draft and confirmed when an approver agrees" in response.content.decode()


def test_an_order_on_time_offers_no_delay_letter_and_a_late_one_does(client, rep1, book, products):
    """The update drafted on the order page is a delay letter: an order on time (never told)
    shows why there is nothing to send instead of a letter saying it will not ship."""
    order = _draft(book["rep1_owned"], *products)
    later = timezone.localdate() + timedelta(days=30)
    Order.objects.filter(pk=order.pk).update(promised_ship_date=later, estimated_ship_date=later)
    client.force_login(rep1)

    html = client.get(f"/orders/{order.pk}/").content.decode()
    assert "On time: nothing to tell the customer." in html
    assert "Send or record the update" not in html and "will not ship" not in html

    Order.objects.filter(pk=order.pk).update(estimated_ship_date=later + timedelta(days=9))
    html = client.get(f"/orders/{order.pk}/").content.decode()
    assert "Send or record the update" in html and "will not ship" in html
    assert "On time: nothing to tell the customer." not in html
