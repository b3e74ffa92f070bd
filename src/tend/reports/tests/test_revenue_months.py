"""The stored revenue per customer and month equals a direct computation from the orders after
every kind of order write: create, edit, cancel, import, delete (and a raw bulk update)."""

from datetime import date
from decimal import Decimal

from tend.imports.orders import import_orders
from tend.imports.tests.sheets import write_csv
from tend.ops.portable import dumped_models
from tend.orders import services
from tend.orders.models import Order
from tend.orders.tests.factories import ProductFactory
from tend.reports.models import CustomerMonthRevenue, CustomerYearRevenue
from tend.reports.revenue_months import revenue_months_mismatches, revenue_months_rebuild
from tend.reports.revenue_years import revenue_years_mismatches

FEB, MAR = 2026 * 12 + 1, 2026 * 12 + 2


def stored() -> dict:
    return {
        (row.customer_id, row.month): (row.revenue_cents, row.orders)
        for row in CustomerMonthRevenue.objects.all()
    }


def line(product, quantity: str, **extra) -> dict:
    return {"product": product, "quantity": Decimal(quantity), "unit_price": Decimal("10"), **extra}


def test_the_stored_months_follow_every_kind_of_order_write(rep1, book, tmp_path):
    customer, other = book["rep1_owned"], book["pool"]
    product = ProductFactory(sku="KT-1")
    fields = {"currency": "USD", "order_date": date(2026, 2, 1)}

    # create: two orders in February, one a draft to edit
    services.order_create(
        by=rep1,
        customer=customer,
        fields={**fields, "number": "SO-1"},
        lines=[line(product, "100")],
    )
    draft = services.order_create(
        by=rep1,
        customer=customer,
        fields={**fields, "number": "SO-2", "status": "draft"},
        lines=[line(product, "5")],
    )
    assert stored() == {(customer.pk, FEB): (105000, 2)}
    assert revenue_months_mismatches() == []
    assert revenue_years_mismatches() == []

    # edit: the draft moves to March and shrinks
    services.order_edit(
        by=rep1,
        order=draft,
        fields={"order_date": date(2026, 3, 5)},
        lines=[line(product, "3", id=draft.lines.get().pk)],
    )
    assert stored() == {(customer.pk, FEB): (100000, 1), (customer.pk, MAR): (3000, 1)}
    assert revenue_months_mismatches() == []
    assert revenue_years_mismatches() == []

    # cancel: a cancelled order's month goes
    services.order_status_change(order=draft, status="cancelled", by=rep1)
    assert stored() == {(customer.pk, FEB): (100000, 1)}
    assert revenue_months_mismatches() == []
    assert revenue_years_mismatches() == []

    # import: two orders for the other customer in March
    path = write_csv(
        tmp_path / "orders.csv",
        [
            "Order number",
            "Customer",
            "Order date",
            "Currency",
            "Product SKU",
            "Quantity",
            "Unit price",
        ],
        [
            ["SO-3", other.name, "2026-03-02", "USD", "KT-1", "2", "10"],
            ["SO-4", other.name, "2026-03-20", "USD", "KT-1", "4", "10"],
        ],
    )
    result = import_orders(by=rep1, path=path, commit=True)
    assert result.committed, result.errors
    assert stored() == {(customer.pk, FEB): (100000, 1), (other.pk, MAR): (6000, 2)}
    assert revenue_months_mismatches() == []
    assert revenue_years_mismatches() == []

    # a bulk update no service sees (the demo builder's kind): the amount changes
    Order.objects.filter(number="SO-3").update(amount_base=Decimal("12.34"))
    assert stored()[(other.pk, MAR)] == (5234, 2)
    assert revenue_months_mismatches() == []
    assert revenue_years_mismatches() == []

    # delete: the cancelled draft and an imported order
    Order.objects.filter(number__in=["SO-2", "SO-4"]).delete()
    assert stored() == {(customer.pk, FEB): (100000, 1), (other.pk, MAR): (1234, 1)}
    assert revenue_months_mismatches() == []
    assert revenue_years_mismatches() == []


def test_a_damaged_table_is_found_and_rebuilt(rep1, book):
    product = ProductFactory(sku="KT-1")
    services.order_create(
        by=rep1,
        customer=book["rep1_owned"],
        fields={"currency": "USD", "order_date": date(2026, 2, 1), "number": "SO-1"},
        lines=[line(product, "1")],
    )
    CustomerMonthRevenue.objects.update(revenue_cents=1)
    CustomerMonthRevenue.objects.create(customer=book["pool"], month=FEB, revenue_cents=5, orders=1)
    assert len(revenue_months_mismatches()) == 2
    CustomerYearRevenue.objects.update(since_cents=7)
    revenue_months_rebuild()
    assert revenue_months_mismatches() == []
    assert revenue_years_mismatches() == []
    assert CustomerYearRevenue.objects.count() == 12
    assert revenue_years_mismatches() == []
    assert stored() == {(book["rep1_owned"].pk, FEB): (1000, 1)}


def test_the_portable_backup_leaves_the_derived_table_out(db):
    """Restoring a portable dump loads the orders, whose triggers refill the table: loading its
    rows as well would count every order twice."""
    models = dumped_models()
    assert Order in models
    assert CustomerMonthRevenue not in models


def years() -> dict:
    return {
        (row.customer_id, row.month): (row.start_cents, row.start_months, row.since_cents)
        for row in CustomerYearRevenue.objects.all()
    }


def test_the_stored_years_pair_each_month_end_with_the_year_before(rep1, book):
    """An order in February 2026 starts the rows of the month-ends February 2027 to January
    2028; a March 2027 order adds to their since-figure; moving or removing orders moves them."""
    customer = book["rep1_owned"]
    product = ProductFactory(sku="KT-1")
    first = services.order_create(
        by=rep1,
        customer=customer,
        fields={"currency": "USD", "order_date": date(2026, 2, 1), "number": "SO-1"},
        lines=[line(product, "10")],
    )
    assert years() == {(customer.pk, FEB + 12 + k): (10000, 1, 0) for k in range(12)}

    later = services.order_create(
        by=rep1,
        customer=customer,
        fields={"currency": "USD", "order_date": date(2027, 3, 1), "number": "SO-2"},
        lines=[line(product, "3")],
    )
    # since-figures of the month-ends whose last 12 months hold March 2027; new rows from
    # March 2028, whose starting year it is (February 2028's starting year holds no order)
    assert years() == {
        **{(customer.pk, FEB + 12 + k): (10000, 1, 3000 if k else 0) for k in range(12)},
        **{(customer.pk, MAR + 24 + k): (3000, 1, 0) for k in range(12)},
    }
    assert revenue_years_mismatches() == []

    # a second order in the same month adds to the start, not to the months counted
    services.order_create(
        by=rep1,
        customer=customer,
        fields={"currency": "USD", "order_date": date(2026, 2, 20), "number": "SO-3"},
        lines=[line(product, "1")],
    )
    assert years()[(customer.pk, FEB + 12)] == (11000, 1, 0)

    # the first order moved to January (a bulk update): January 2027's row starts, holding
    # February's 10 since
    Order.objects.filter(pk=first.pk).update(order_date=date(2026, 1, 5))
    assert years()[(customer.pk, FEB + 11)] == (10000, 1, 1000)
    assert years()[(customer.pk, FEB + 12)] == (11000, 2, 0)
    assert revenue_years_mismatches() == []

    later.delete()
    assert (customer.pk, MAR + 24) not in years()
    assert years()[(customer.pk, FEB + 13)] == (11000, 2, 0)
    assert revenue_years_mismatches() == []

    # the stored months themselves moved by hand (no order path does): the years follow
    CustomerMonthRevenue.objects.filter(customer=customer, month=FEB).update(month=FEB + 3)
    assert revenue_years_mismatches() == []
    CustomerMonthRevenue.objects.all().delete()
    assert years() == {}
