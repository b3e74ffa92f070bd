"""Imported numbers fit their columns on both databases (tend.core.decimals): a cell too large is
reported with its row and column, and nothing is written."""

from decimal import Decimal

from tend.approvals.models import ApprovalRequest
from tend.approvals.services import request_decide
from tend.customers.models import Customer
from tend.imports.customers import RowError, import_customers
from tend.imports.orders import import_orders
from tend.orders.models import Order
from tend.orders.tests.factories import ProductFactory

from .sheets import write_csv

ORDER_HEADERS = ["Order number", "Customer", "Order date", "Currency", "Product SKU", "Quantity"]


def test_an_order_cell_or_total_too_large_is_reported_and_nothing_is_written(rep1, book, tmp_path):
    ProductFactory(sku="KT-1")
    customer = book["rep1_owned"].name
    rows = [
        ["SO-1", customer, "2026-02-01", "USD", "KT-1", "1", "100000000000000000"],
        ["SO-2", customer, "2026-02-01", "USD", "KT-1", "200", "90000000000"],
        ["SO-3", customer, "2026-02-01", "USD", "KT-1", "1", "10"],
    ]
    path = write_csv(tmp_path / "orders.csv", [*ORDER_HEADERS, "Unit price"], rows)

    result = import_orders(by=rep1, path=path, commit=True)

    assert result.errors == [
        RowError(2, "Unit price", "Too large: at most 99,999,999,999.9999."),
        RowError(
            3,
            "Unit price",
            "Order SO-2 comes to 18,000,000,000,000.00: too large, at most 9,999,999,999,999.99.",
        ),
    ]
    assert (result.committed, Order.objects.count()) == (False, 0)


def test_a_credit_limit_too_large_is_reported_and_nothing_is_written(manager1, tmp_path):
    path = write_csv(
        tmp_path / "customers.csv",
        ["Company", "Country", "Credit limit"],
        [["Muscat Lamps", "OM", "100,000,000,000,000,000"], ["Doha Lights", "QA", "250000"]],
    )

    result = import_customers(by=manager1, path=path, commit=True)

    assert result.errors == [
        RowError(2, "Credit limit", "Too large: at most 9,999,999,999,999.99.")
    ]
    assert (result.committed, Customer.objects.count()) == (False, 0)


def test_a_good_credit_limit_is_kept_to_the_cent(manager1, admin_user, tmp_path):
    path = write_csv(
        tmp_path / "customers.csv",
        ["Company", "Country", "Credit limit"],
        [["Muscat Lamps", "OM", "9,999,999,999,999.99"]],
    )

    result = import_customers(by=manager1, path=path, commit=True)

    assert result.errors == []
    request = ApprovalRequest.objects.get(customer=Customer.objects.get())
    assert request.proposed["credit_limit"] == "9999999999999.99"  # asked for, to the cent
    request_decide(by=admin_user, request=request, decision="approve")
    assert Customer.objects.get().credit_limit == Decimal("9999999999999.99")
