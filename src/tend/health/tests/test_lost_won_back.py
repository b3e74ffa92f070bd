"""A lost customer who orders again is won back, however the order comes in: through the orders
service (the API uses it) or in an order import, where one query finds the lost customers
among all the rows."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tend.audit.models import AuditEntry
from tend.customers.models import CustomerStatus
from tend.customers.tests.factories import CustomerFactory
from tend.health.causes import LostReason
from tend.health.models import LostRecord
from tend.health.services.lost import mark_lost, record_won_back
from tend.imports.tests.sheets import write_csv
from tend.orders.models import Order, OrderStatus
from tend.orders.tests.factories import ProductFactory
from tend.tasks.models import Task, TaskStatus
from tend.timeline.models import TimelineEntry

from .test_lost import place

LOST_AT = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def lost(book, rep1):
    """rep1's customer, lost to a competitor on 10 January with a win-back task for rep1."""
    customer = book["rep1_owned"]
    customer.status = CustomerStatus.ACTIVE
    customer.save()
    mark_lost(
        customer,
        by=rep1,
        reason=LostReason.COMPETITION,
        competitor="Shenzhen Kettle Co",
        win_back_on=date(2026, 6, 1),
        now=LOST_AT,
    )
    customer.refresh_from_db()
    return customer


def assert_won_back(customer, order, *, by) -> None:
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.WON_BACK
    record = LostRecord.objects.get(customer=customer)
    assert record.won_back_order == order
    assert record.won_back_at is not None
    entry = TimelineEntry.objects.get(customer=customer, kind="won_back")
    assert entry.title == (
        f"Won back with order {order.number} (lost on 2026-01-10: Went to a competitor)"
    )
    assert (entry.actor, entry.source_type, entry.source_id) == (by, "orders.order", order.pk)
    task = Task.objects.get(dedupe_key=f"win_back:{customer.pk}")
    assert (task.status, task.outcome) == (TaskStatus.DONE, f"Ordered again: order {order.number}")
    audit = AuditEntry.objects.filter(customer_id=customer.pk).order_by("-id").first()
    assert audit.changes == {
        "status": ["lost", "won_back"],
        "won_back_order": [None, order.number],
    }


def test_an_order_placed_through_the_service_wins_back_a_lost_customer(lost, rep1):
    order = place(lost, "SO-9", date(2026, 3, 2), "5000.00", by=rep1)

    assert_won_back(lost, order, by=rep1)


def test_an_order_placed_through_the_api_wins_back_a_lost_customer(lost, rep1, client):
    ProductFactory(sku="KT-1")
    client.force_login(rep1)

    response = client.post(
        f"/api/v1/customers/{lost.pk}/orders",
        {
            "number": "SO-10",
            "order_date": "2026-03-02",
            "currency": "USD",
            "lines": [
                {"product_id": ProductFactory(sku="KT-1").pk, "quantity": 5, "unit_price": 10}
            ],
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    assert_won_back(lost, Order.objects.get(number="SO-10"), by=rep1)


def test_the_manager_entering_the_order_closes_the_reps_win_back_task(lost, manager1):
    order = place(lost, "SO-11", date(2026, 3, 2), "10.00", by=manager1)

    assert_won_back(lost, order, by=manager1)
    assert Task.objects.get().closed_by == manager1


def test_an_order_entered_by_the_system_closes_the_task_as_its_assignee(lost, rep1):
    order = place(lost, "SO-12", date(2026, 3, 2), "10.00", by=None)

    assert_won_back(lost, order, by=None)
    assert Task.objects.get().closed_by == rep1


def test_a_cancelled_order_does_not_win_a_customer_back(lost, rep1):
    place(lost, "SO-13", date(2026, 3, 2), "10.00", by=rep1, status=OrderStatus.CANCELLED)

    lost.refresh_from_db()
    assert lost.status == CustomerStatus.LOST
    assert LostRecord.objects.get().won_back_at is None
    assert Task.objects.get().status == TaskStatus.OPEN
    assert not TimelineEntry.objects.filter(kind="won_back").exists()


def test_an_order_for_a_customer_not_lost_changes_nothing_and_asks_one_query(
    book, rep1, django_assert_num_queries
):
    customer = book["rep1_owned"]
    customer.status = CustomerStatus.ACTIVE
    customer.save()
    order = place(customer, "SO-14", date(2026, 3, 2), "10.00", by=rep1)

    with django_assert_num_queries(1):
        assert record_won_back(order) is False

    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ACTIVE
    assert not TimelineEntry.objects.filter(kind="won_back").exists()


def test_a_customer_set_lost_by_hand_without_a_record_is_won_back_all_the_same(book, rep1):
    customer = book["rep1_owned"]
    customer.status = CustomerStatus.LOST
    customer.save()

    order = place(customer, "SO-15", date(2026, 3, 2), "10.00", by=rep1)

    customer.refresh_from_db()
    assert customer.status == CustomerStatus.WON_BACK
    entry = TimelineEntry.objects.get(customer=customer, kind="won_back")
    assert entry.title == "Won back with order SO-15"
    assert entry.source_id == order.pk


def test_a_customer_won_back_can_be_lost_again_and_won_back_again(lost, rep1):
    place(lost, "SO-16", date(2026, 3, 2), "10.00", by=rep1)
    lost.refresh_from_db()
    mark_lost(lost, by=rep1, reason=LostReason.QUALITY, win_back_on=date(2027, 1, 4))
    second = place(lost, "SO-17", date(2026, 3, 3), "10.00", by=rep1)

    lost.refresh_from_db()
    assert lost.status == CustomerStatus.WON_BACK
    records = list(LostRecord.objects.order_by("marked_at"))
    assert [r.won_back_order.number for r in records] == ["SO-16", "SO-17"]
    assert records[1].previous_status == CustomerStatus.WON_BACK
    assert Task.objects.filter(status=TaskStatus.DONE).count() == 2
    assert second.customer.status == CustomerStatus.WON_BACK


# -- the order import ----------------------------------------------------------------------

HEADERS = ["Order number", "Customer", "Order date", "Currency", "Product SKU", "Quantity",
           "Unit price"]  # fmt: skip


def import_file(tmp_path, rows, name="orders.csv") -> str:
    path = write_csv(tmp_path / name, HEADERS, rows)
    out = io.StringIO()
    call_command("import", "orders", str(path), "--as", "root", stdout=out)
    return out.getvalue()


def lost_customer_queries(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if 'FROM "customers_customer"' in q["sql"] and "'lost'" in q["sql"]
    ]


@pytest.fixture
def import_book(lost, admin_user):
    ProductFactory(sku="KT-1")
    lost.external_id = "ERP-LOST"
    lost.save()
    for n in range(30):
        CustomerFactory(name=f"Gulf Buyer {n}", external_id=f"ERP-{n}")
    return lost


def test_an_import_wins_back_the_lost_customers_among_its_rows(import_book, admin_user, tmp_path):
    rows = [[f"IM-{n}", f"ERP-{n}", "2026-03-02", "USD", "KT-1", "1", "10"] for n in range(5)]
    rows += [
        ["IM-LOST-2", "ERP-LOST", "2026-03-05", "USD", "KT-1", "2", "10"],
        ["IM-LOST-1", "ERP-LOST", "2026-03-04", "USD", "KT-1", "1", "10"],
    ]

    import_file(tmp_path, rows)

    first = Order.objects.get(number="IM-LOST-1")  # the earliest of its orders wins it back
    assert_won_back(import_book, first, by=admin_user)
    assert TimelineEntry.objects.filter(kind="won_back").count() == 1


def test_an_import_finds_the_lost_customers_in_one_query_however_many_rows(import_book, tmp_path):
    def run(count: int, name: str) -> tuple[int, list[str]]:
        rows = [
            [f"{name}-{n}", f"ERP-{n}", "2026-03-02", "USD", "KT-1", "1", "10"]
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            import_file(tmp_path, rows, name=f"{name}.csv")
        return len(queries), lost_customer_queries(queries.captured_queries)

    few_queries, few_lost = run(3, "A")
    many_queries, many_lost = run(30, "B")

    assert len(few_lost) == len(many_lost) == 1
    assert many_queries == few_queries
    assert Order.objects.count() == 33
    assert not TimelineEntry.objects.filter(kind="won_back").exists()


def test_a_dry_run_import_wins_back_no_one(import_book, tmp_path):
    path = write_csv(
        tmp_path / "orders.csv",
        HEADERS,
        [["IM-1", "ERP-LOST", "2026-03-02", "USD", "KT-1", "1", "1"]],
    )
    call_command("import", "orders", str(path), "--dry-run", "--as", "root", stdout=io.StringIO())

    import_book.refresh_from_db()
    assert import_book.status == CustomerStatus.LOST
    assert LostRecord.objects.get().won_back_at is None


def test_the_value_of_the_winning_order_is_in_base_currency(import_book, tmp_path):
    import_file(tmp_path, [["IM-1", "ERP-LOST", "2026-03-02", "USD", "KT-1", "3", "12.50"]])

    assert LostRecord.objects.get().won_back_order.amount_base == Decimal("37.50")
