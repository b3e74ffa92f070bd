"""Importing orders from an ERP export: every bad row reported, all or nothing, re-imports
update the allowed fields and refuse guarded changes."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from tend.imports.customers import RowError
from tend.imports.orders import import_orders
from tend.orders.models import EstimateChange, Order, OrderLine
from tend.orders.tests.factories import ProductFactory, RateFactory
from tend.timeline.models import TimelineEntry

from .sheets import write_csv

HEADERS = [
    "Order number",
    "Customer",
    "Order date",
    "Currency",
    "Incoterm",
    "Promised ship date",
    "Estimated ship date",
    "Product SKU",
    "Quantity",
    "Unit price",
    "Discount %",
    "Batch",
]


def cells(text: str) -> list[str]:
    """A row written as 'a|b||d'."""
    return text.split("|")


def good_rows() -> list[list[str]]:
    return [
        cells("SO-1001|ERP-1|2025-03-03|EUR|FOB|2025-04-30||KT-1|100|12.345|5|B1"),
        cells("SO-1001|ERP-1|2025-03-03|EUR|FOB|2025-04-30||KT-2|3|9.99||"),
        cells(
            "SO-1002|Al Noor Trading|2025-03-20|USD|CIF|2025-05-15|2025-05-20|KT-2|1000|7.5|10|L-77"
        ),
    ]


@pytest.fixture
def catalogue(book, rep1):
    book["rep1_owned"].external_id = "ERP-1"
    book["rep1_owned"].save()
    ProductFactory(sku="KT-1")
    ProductFactory(sku="KT-2", list_price=Decimal("7.00"))  # SO-1002 sells within policy
    RateFactory(currency="EUR", valid_from=date(2025, 1, 1), rate=Decimal("1.0800000000"))
    RateFactory(currency="EUR", valid_from=date(2025, 3, 1), rate=Decimal("1.0912345678"))
    RateFactory(currency="EUR", valid_from=date(2025, 4, 1), rate=Decimal("1.2000000000"))
    return book


def counts():
    return Order.objects.count(), OrderLine.objects.count(), TimelineEntry.objects.count()


def test_bad_rows_are_each_reported_with_row_column_and_message_and_nothing_is_written(
    catalogue, rep1, tmp_path
):
    rows = good_rows()
    rows[0][1] = rows[1][1] = "Atlantis Imports"  # row 2 (row 3 repeats the order's customer)
    rows[1][7] = "KT-999"  # row 3
    rows[2][3] = "XYZ"  # row 4
    rows.append(cells("SO-1003|ERP-1|2024-06-01|EUR||||KT-1|1|1||"))
    rows.append(cells("SO-1004|ERP-1|2025-06-01|GBP||||KT-1|1|1||"))
    rows.append(cells("SO-1005|Berlin Haushalt GmbH|2025-06-01|USD||||KT-1|1|1||"))
    rows.append(cells("SO-1006|ERP-1|31/02/2025|USD||||KT-1|many|1||"))
    path = write_csv(tmp_path / "orders.csv", HEADERS, rows)

    result = import_orders(by=rep1, path=path, commit=True)

    assert result.errors == [
        RowError(2, "Customer", "No customer with external id or name “Atlantis Imports”."),
        RowError(3, "Product SKU", "No product with SKU “KT-999”."),
        RowError(4, "Currency", "“XYZ” is not an ISO 4217 currency code (USD, EUR, CNY…)."),
        RowError(
            5,
            "Currency",
            "No exchange rate for EUR on 2024-06-01: add one (EUR → USD, valid from that day "
            "or earlier).",
        ),
        RowError(
            6,
            "Currency",
            "No exchange rate for GBP on 2025-06-01: add one (GBP → USD, valid from that day "
            "or earlier).",
        ),
        RowError(
            7,
            "Customer",
            "Customer “Berlin Haushalt GmbH” is not one of yours; ask its owner or a manager.",
        ),
        RowError(8, "Order date", "“31/02/2025” is not a date: write it as 2025-03-31."),
        RowError(8, "Quantity", "“many” is not a number."),
    ]
    assert (result.rows, result.good_rows, result.committed) == (7, 0, False)
    assert counts() == (0, 0, 0)


def test_a_good_file_imports_its_orders_lines_and_exact_amounts(catalogue, rep1, tmp_path):
    path = write_csv(tmp_path / "orders.csv", HEADERS, good_rows())

    dry = import_orders(by=rep1, path=path, commit=False)
    assert (dry.errors, dry.committed, dry.orders_created, dry.lines_created) == ([], False, 2, 3)
    assert counts() == (0, 0, 0)

    result = import_orders(by=rep1, path=path, commit=True)

    assert (result.errors, result.committed, result.orders_created, result.lines_created) == (
        [],
        True,
        2,
        3,
    )
    assert counts() == (2, 3, 2)
    first = Order.objects.get(number="SO-1001")
    # 100 × 12.345 × 0.95 = 1172.775 -> 1172.78; 3 × 9.99 = 29.97
    assert (first.customer, first.currency, first.incoterm, first.status) == (
        catalogue["rep1_owned"],
        "EUR",
        "FOB",
        "confirmed",
    )
    # 1202.75 × 1.0912345678 = 1312.4823... -> 1312.48
    assert (first.rate_to_base, first.amount, first.amount_base) == (
        Decimal("1.0912345678"),
        Decimal("1202.75"),
        Decimal("1312.48"),
    )
    assert (first.promised_ship_date, first.estimated_ship_date, first.created_by) == (
        date(2025, 4, 30),
        date(2025, 4, 30),
        rep1,
    )
    assert [
        (line.product.sku, line.quantity, line.unit_price, line.discount_pct, line.batch_number)
        for line in first.lines.all()
    ] == [
        ("KT-1", Decimal("100.000"), Decimal("12.3450"), Decimal("5.00"), "B1"),
        ("KT-2", Decimal("3.000"), Decimal("9.9900"), Decimal("0.00"), ""),
    ]
    second = Order.objects.get(number="SO-1002")
    assert (second.customer, second.amount, second.rate_to_base, second.amount_base) == (
        catalogue["rep1_owned"],
        Decimal("6750.00"),
        Decimal("1"),
        Decimal("6750.00"),
    )
    entry = TimelineEntry.objects.get(source_id=first.pk, kind="order")
    assert entry.title == "Order SO-1001: 1,202.75 EUR, ship by 2025-04-30"


def test_a_reimport_updates_the_estimate_and_batch_and_creates_no_duplicates(
    catalogue, rep1, tmp_path
):
    import_orders(by=rep1, path=write_csv(tmp_path / "a.csv", HEADERS, good_rows()), commit=True)
    rows = good_rows()
    rows[0][6] = "2025-05-10"
    rows[1][6] = "2025-05-10"
    rows[1][11] = "B2"

    result = import_orders(by=rep1, path=write_csv(tmp_path / "b.csv", HEADERS, rows), commit=True)

    assert (result.errors, result.orders_created, result.orders_updated) == ([], 0, 1)
    assert (result.orders_unchanged, result.lines_updated) == (1, 1)
    assert counts() == (2, 3, 2)
    order = Order.objects.get(number="SO-1001")
    assert (order.estimated_ship_date, order.promised_ship_date) == (
        date(2025, 5, 10),
        date(2025, 4, 30),
    )
    assert [line.batch_number for line in order.lines.all()] == ["B1", "B2"]
    change = EstimateChange.objects.get(order=order)
    assert (change.old_date, change.new_date, change.by) == (
        date(2025, 4, 30),
        date(2025, 5, 10),
        rep1,
    )


def test_a_guarded_change_on_reimport_is_refused_as_a_row_error_and_nothing_changes(
    catalogue, rep1, tmp_path
):
    import_orders(by=rep1, path=write_csv(tmp_path / "a.csv", HEADERS, good_rows()), commit=True)
    rows = good_rows()
    rows[0][6] = "2025-05-10"  # allowed, but the file has errors: not applied either
    rows[1][9] = "8.99"  # row 3: a confirmed order's unit price
    rows[2][5] = "2025-06-30"  # row 4: a confirmed order's promised ship date

    result = import_orders(by=rep1, path=write_csv(tmp_path / "b.csv", HEADERS, rows), commit=True)

    assert result.errors == [
        RowError(
            3,
            "Unit price",
            "Order SO-1001 is confirmed: its unit price changes only by an approved request "
            "(“9.9900” in Tend, “8.9900” in the file).",
        ),
        RowError(
            4,
            "Promised ship date",
            "Order SO-1002 is confirmed: its promised ship date changes only by an approved "
            "request (“2025-05-15” in Tend, “2025-06-30” in the file).",
        ),
    ]
    assert result.committed is False
    first = Order.objects.get(number="SO-1001")
    assert first.estimated_ship_date == date(2025, 4, 30)
    assert first.lines.last().unit_price == Decimal("9.9900")
    assert Order.objects.get(number="SO-1002").promised_ship_date == date(2025, 5, 15)
    assert EstimateChange.objects.count() == 0


def test_a_chinese_header_gbk_csv_imports(catalogue, rep1, tmp_path):
    headers = cells("订单号|客户|订单日期|币种|贸易术语|交货期|产品编号|数量|单价|折扣|批号")
    rows = [
        cells("CN-1|ERP-1|2025年3月5日|欧元|FOB|2025-04-30|KT-1|10|2.5||批A"),
        cells("CN-1|ERP-1|2025年3月5日|欧元|FOB|2025-04-30|KT-2|1,000|1|2|"),
    ]
    path = write_csv(tmp_path / "订单.csv", headers, rows, encoding="gb18030")

    result = import_orders(by=rep1, path=path, commit=True)

    assert result.mapping == [
        "number",
        "customer",
        "order_date",
        "currency",
        "incoterm",
        "promised_ship_date",
        "sku",
        "quantity",
        "unit_price",
        "discount_pct",
        "batch_number",
    ]
    assert (result.errors, result.orders_created, result.lines_created) == ([], 1, 2)
    order = Order.objects.get(number="CN-1")
    # 10 × 2.5 = 25.00; 1000 × 1 × 0.98 = 980.00; × 1.0912345678 = 1096.690... -> 1096.69
    assert (order.order_date, order.currency, order.amount, order.amount_base) == (
        date(2025, 3, 5),
        "EUR",
        Decimal("1005.00"),
        Decimal("1096.69"),
    )
    assert [line.batch_number for line in order.lines.all()] == ["批A", ""]


def test_the_command_imports_orders_and_a_dry_run_writes_nothing(catalogue, rep1, tmp_path, capsys):
    path = write_csv(tmp_path / "orders.csv", HEADERS, good_rows())

    call_command("import", "orders", str(path), "--dry-run", "--as", "alice")
    assert counts() == (0, 0, 0)
    call_command("import", "orders", str(path), "--as", "alice")

    out = capsys.readouterr().out
    assert "Dry run, all 3 rows good: 2 orders new (3 lines)" in out
    assert "Imported: 2 orders new (3 lines), 0 updated, 0 unchanged" in out
    assert counts() == (2, 3, 2)
