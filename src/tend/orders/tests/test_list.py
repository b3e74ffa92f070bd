"""The orders list: what each person sees, the filters, paging with a fixed query count, the
export, and the customer page's way to all of a customer's orders."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tend.customers.panels import panel_url
from tend.orders import services
from tend.orders.models import Order
from tend.orders.tests.factories import ProductFactory

URL = "/orders/"


def place(
    customer,
    number,
    *,
    by=None,
    days_ago=10,
    promised_in=20,
    status="confirmed",
    product=None,
    lot="",
    quantity="10",
    price="5.00",
    **fields,
):
    today = timezone.localdate()
    return services.order_create(
        by=by,
        customer=customer,
        fields={
            "number": number,
            "order_date": today - timedelta(days=days_ago),
            "currency": "USD",
            "promised_ship_date": today + timedelta(days=promised_in),
            "status": status,
            **fields,
        },
        lines=[
            {
                "product": product or ProductFactory(sku="KT-100"),
                "quantity": Decimal(quantity),
                "unit_price": Decimal(price),
                "batch_number": lot,
            }
        ],
    )


def numbers(response) -> list[str]:
    return [order.number for order, _days in response.context["rows"]]


@pytest.fixture
def orders(book):
    return {
        "rep1": place(book["rep1_owned"], "SO-R1", days_ago=5),
        "rep2": place(book["rep2_owned"], "SO-R2", days_ago=6),
        "backup": place(book["rep1_backup"], "SO-BK", days_ago=7),
        "pool": place(book["pool"], "SO-PL", days_ago=8),
    }


def test_a_rep_sees_the_orders_of_customers_they_own_back_up_or_in_the_pool(client, rep1, orders):
    client.force_login(rep1)
    response = client.get(URL)
    assert response.status_code == 200
    assert numbers(response) == ["SO-R1", "SO-BK", "SO-PL"]


def test_a_manager_sees_their_teams_orders_backups_included_and_the_pool(client, manager1, orders):
    client.force_login(manager1)
    assert numbers(client.get(URL)) == ["SO-R1", "SO-BK", "SO-PL"]


def test_an_admin_sees_every_order(client, admin_user, orders):
    client.force_login(admin_user)
    assert numbers(client.get(URL)) == ["SO-R1", "SO-R2", "SO-BK", "SO-PL"]


def test_filtering_by_a_customer_the_user_may_not_see_is_a_404(client, rep1, book, orders):
    client.force_login(rep1)
    assert client.get(URL, {"customer": book["rep2_owned"].pk}).status_code == 404
    assert client.get("/orders/export/", {"customer": book["rep2_owned"].pk}).status_code == 404


def test_filtering_by_customer_shows_only_that_customers_orders(client, rep1, book, orders):
    client.force_login(rep1)
    response = client.get(URL, {"customer": book["rep1_backup"].pk})
    assert numbers(response) == ["SO-BK"]
    assert "Orders of Hamburg Küchen AG" in response.content.decode()


def test_late_uses_the_agendas_definition(client, admin_user, book):
    place(book["rep1_owned"], "SO-ONTIME", promised_in=3)
    place(book["rep1_owned"], "SO-PASSED", promised_in=-2)
    moved = place(book["rep1_owned"], "SO-MOVED", promised_in=5)
    services.order_set_estimate(
        by=admin_user, order=moved, new_date=timezone.localdate() + timedelta(days=9), reason="Port"
    )
    place(
        book["rep1_owned"],
        "SO-SHIPPED",
        promised_in=-2,
        status="shipped",
        actual_ship_date=timezone.localdate(),
    )
    client.force_login(admin_user)
    late = client.get(URL, {"late": "yes", "sort": "number"})
    assert numbers(late) == ["SO-MOVED", "SO-PASSED"]
    today = timezone.localdate()
    assert sorted(numbers(late)) == sorted(
        Order.objects.late(today=today).values_list("number", flat=True)
    )
    assert [days for _order, days in late.context["rows"]] == [4, 2]
    assert numbers(client.get(URL, {"late": "no", "sort": "number"})) == ["SO-ONTIME", "SO-SHIPPED"]


def test_filters_status_product_lot_dates_and_number(client, admin_user, book):
    kettle, toaster = ProductFactory(sku="KT-1"), ProductFactory(sku="TS-1")
    place(book["rep1_owned"], "SO-1001", product=kettle, lot="L-7", days_ago=40, promised_in=10)
    place(book["rep1_owned"], "SO-1002", product=toaster, days_ago=20, promised_in=30)
    place(book["rep2_owned"], "PO-77", product=kettle, status="draft", days_ago=2, promised_in=60)
    client.force_login(admin_user)
    today = timezone.localdate()
    assert numbers(client.get(URL, {"status": "draft"})) == ["PO-77"]
    assert numbers(client.get(URL, {"product": kettle.pk})) == ["PO-77", "SO-1001"]
    assert numbers(client.get(URL, {"lot": "L-7"})) == ["SO-1001"]
    assert numbers(client.get(URL, {"q": "so-10"})) == ["SO-1002", "SO-1001"]
    ordered = {"ordered_from": today - timedelta(days=30), "ordered_to": today - timedelta(days=3)}
    assert numbers(client.get(URL, ordered)) == ["SO-1002"]
    promised = {"promised_from": today + timedelta(days=25), "sort": "promised"}
    assert numbers(client.get(URL, promised)) == ["SO-1002", "PO-77"]


def test_a_bad_filter_value_is_a_400_naming_it_and_the_export_refuses_it(client, admin_user, book):
    place(book["rep1_owned"], "SO-1", status="draft")
    place(book["rep1_owned"], "SO-2")
    client.force_login(admin_user)
    response = client.get(URL, {"status": "draft", "ordered_from": "2026-02-30"})
    assert response.status_code == 400
    assert numbers(response) == ["SO-1"]
    assert "ordered_from: Enter a valid date." in response.content.decode()
    export = client.get("/orders/export/", {"format": "csv", "ordered_from": "2026-02-30"})
    assert (export.status_code, export.content.decode()) == (
        400,
        "ordered_from: Enter a valid date.",
    )


def test_the_query_count_is_fixed_whatever_the_number_of_rows(
    client, admin_user, book, django_assert_max_num_queries, settings
):
    settings.TEND_PAGE_SIZE = 200
    client.force_login(admin_user)
    place(book["rep1_owned"], "SO-0")
    with django_assert_max_num_queries(12) as few:
        client.get(URL, {"late": "no"})
    for index in range(1, 40):
        place(book["rep1_owned" if index % 2 else "rep2_owned"], f"SO-{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"late": "no"})
    assert len(response.context["rows"]) == 40


def test_pages_of_the_list(client, admin_user, book, settings):
    settings.TEND_PAGE_SIZE = 2
    for index in range(5):
        place(book["rep1_owned"], f"SO-{index}", days_ago=index)
    client.force_login(admin_user)
    response = client.get(URL, {"page": 3, "status": "confirmed"})
    assert numbers(response) == ["SO-4"]
    assert 'href="?status=confirmed&amp;page=2"' in response.content.decode()


def test_the_htmx_request_gets_the_results_only(client, admin_user, orders):
    client.force_login(admin_user)
    response = client.get(URL, headers={"HX-Request": "true"})
    assert [t.name for t in response.templates][0] == "orders/_list_results.html"


def test_export_as_csv_and_excel_holds_the_filtered_orders_the_user_may_see(
    client, rep1, book, orders
):
    place(book["rep1_owned"], "SO-NEW", days_ago=1, quantity="3", price="2.50")
    client.force_login(rep1)
    response = client.get("/orders/export/", {"format": "csv", "customer": book["rep1_owned"].pk})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == [
        "number", "customer", "order_date", "status", "currency", "amount", "amount_base",
        "incoterm", "payment_terms", "promised_ship_date", "estimated_ship_date",
        "actual_ship_date", "days_late",
    ]  # fmt: skip
    order = orders["rep1"]
    assert [row[0] for row in rows[1:]] == ["SO-NEW", "SO-R1"]
    assert rows[2][1:7] == [
        "Al Noor Trading",
        str(order.order_date),
        "confirmed",
        "USD",
        "50.00",
        "50.00",
    ]
    xlsx = client.get("/orders/export/", {"format": "xlsx", "sort": "number"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "SO-BK",
        "SO-NEW",
        "SO-PL",
        "SO-R1",
    ]
    assert client.get("/orders/export/", {"format": "pdf"}).status_code == 400


def test_the_customer_page_links_to_all_its_orders(client, rep1, book):
    customer = book["rep1_owned"]
    for index in range(12):
        place(customer, f"SO-{index:02}", days_ago=index)
    client.force_login(rep1)
    html = client.get(panel_url(customer.pk, "orders")).content.decode()
    assert f'href="/orders/?customer={customer.pk}" id="all-orders">All 12 orders' in html
    assert f'href="/orders/customers/{customer.pk}/new/"' in html
    assert len(numbers(client.get(URL, {"customer": customer.pk}))) == 12


def test_the_navigation_links_to_the_orders(client, rep1):
    client.force_login(rep1)
    assert '<a href="/orders/">Orders</a>' in client.get(URL).content.decode()


def test_an_unknown_status_or_a_huge_customer_id_is_a_named_400_not_a_500(client, rep1, orders):
    client.force_login(rep1)
    response = client.get(URL, {"status": "lost", "customer": "9" * 30})
    assert response.status_code == 400
    html = response.content.decode()
    assert "status: Select a valid choice. lost is not one of the available choices." in html
    assert "customer: Ensure this value is less than or equal to" in html
    assert numbers(response) == ["SO-R1", "SO-BK", "SO-PL"]


def test_the_api_lists_orders_with_the_same_filters(client, rep1, book):
    kettle = ProductFactory(sku="KT-1")
    place(book["rep1_owned"], "SO-1", product=kettle, lot="L-1", promised_in=-3)
    place(book["rep1_owned"], "SO-2", product=kettle, promised_in=10)
    place(book["rep2_owned"], "SO-3", product=kettle, lot="L-1", promised_in=-3)
    client.force_login(rep1)
    response = client.get(
        "/api/v1/orders", {"product": kettle.pk, "lot": "L-1", "late": "true", "q": "so"}
    )
    assert [row["number"] for row in response.json()["results"]] == ["SO-1"]
    assert response.json()["results"][0]["days_late"] == 3
