"""The stored revenue per customer and month (``CustomerMonthRevenue``), kept by triggers.

Why triggers: orders are written by services, the order pages, the API, imports (bulk), the
admin, the demo builder and approved changes; a hook in each would miss the next path. A trigger
on ``orders_order`` sees every insert, update and delete, in the same transaction, so the
stored figures are never stale and the report need not say "as of". ``revenue_months_rebuild``
recomputes the table from the orders (after restoring a backup made without triggers, say), and
``revenue_months_mismatches`` lists where it disagrees with a direct computation."""

from django.db import connection, transaction

from tend.orders.models import Order, OrderStatus

from . import revenue_years
from .models import CustomerMonthRevenue

YEARS = revenue_years.YEARS
TABLE = CustomerMonthRevenue._meta.db_table
ORDERS = Order._meta.db_table
CANCELLED = OrderStatus.CANCELLED.value


def _month(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"(EXTRACT(YEAR FROM {column})::int * 12 + EXTRACT(MONTH FROM {column})::int - 1)"
    return (
        f"(CAST(strftime('%Y', {column}) AS INTEGER) * 12"
        f" + CAST(strftime('%m', {column}) AS INTEGER) - 1)"
    )


def _cents(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"ROUND(COALESCE({column}, 0) * 100)::bigint"
    return f"CAST(ROUND(COALESCE({column}, 0) * 100) AS INTEGER)"


def _add(vendor: str, row: str) -> str:
    return (
        f"INSERT INTO {TABLE} (customer_id, month, revenue_cents, orders) "
        f"VALUES ({row}.customer_id, {_month(vendor, row + '.order_date')}, "
        f"{_cents(vendor, row + '.amount_base')}, 1) "
        f"ON CONFLICT (customer_id, month) DO UPDATE SET "
        f"revenue_cents = {TABLE}.revenue_cents + excluded.revenue_cents, "
        f"orders = {TABLE}.orders + 1"
    )


def _remove(vendor: str, row: str) -> list[str]:
    where = f"customer_id = {row}.customer_id AND month = {_month(vendor, row + '.order_date')}"
    return [
        f"UPDATE {TABLE} SET revenue_cents = revenue_cents - "
        f"{_cents(vendor, row + '.amount_base')}, orders = orders - 1 WHERE {where}",
        f"DELETE FROM {TABLE} WHERE {where} AND orders <= 0",
    ]


def trigger_sql(vendor: str) -> list[str]:
    """The statements creating the triggers for ``vendor`` (dropping any old ones first)."""
    kept = f"'{CANCELLED}'"
    if vendor == "postgresql":
        remove = ";\n    ".join(_remove(vendor, "OLD"))
        return [
            f"""CREATE OR REPLACE FUNCTION reports_month_revenue_keep() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> {kept} THEN
    {remove};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> {kept} THEN
    {_add(vendor, "NEW")};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS reports_month_revenue ON {ORDERS}",
            f"""CREATE TRIGGER reports_month_revenue
AFTER INSERT OR DELETE OR UPDATE OF customer_id, order_date, amount_base, status ON {ORDERS}
FOR EACH ROW EXECUTE FUNCTION reports_month_revenue_keep()""",
        ]
    remove = ";\n  ".join(_remove(vendor, "OLD"))
    columns = "customer_id, order_date, amount_base, status"
    return [
        *(
            f"DROP TRIGGER IF EXISTS reports_month_revenue_{name}"
            for name in ("insert", "delete", "update_old", "update_new")
        ),
        f"""CREATE TRIGGER reports_month_revenue_insert AFTER INSERT ON {ORDERS}
FOR EACH ROW WHEN NEW.status <> {kept} BEGIN
  {_add(vendor, "NEW")};
END""",
        f"""CREATE TRIGGER reports_month_revenue_delete AFTER DELETE ON {ORDERS}
FOR EACH ROW WHEN OLD.status <> {kept} BEGIN
  {remove};
END""",
        f"""CREATE TRIGGER reports_month_revenue_update_old AFTER UPDATE OF {columns} ON {ORDERS}
FOR EACH ROW WHEN OLD.status <> {kept} BEGIN
  {remove};
END""",
        f"""CREATE TRIGGER reports_month_revenue_update_new AFTER UPDATE OF {columns} ON {ORDERS}
FOR EACH ROW WHEN NEW.status <> {kept} BEGIN
  {_add(vendor, "NEW")};
END""",
    ]


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS reports_month_revenue ON {ORDERS}",
            "DROP FUNCTION IF EXISTS reports_month_revenue_keep()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS reports_month_revenue_{name}"
        for name in ("insert", "delete", "update_old", "update_new")
    ]


def triggers_drop(conn) -> None:
    """Both layers' triggers off (the months', the years'): for a bulk load of orders, after
    which ``install`` fills both tables in one statement each and puts the triggers back."""
    with conn.cursor() as cursor:
        for statement in revenue_years.drop_sql(conn.vendor) + drop_sql(conn.vendor):
            cursor.execute(statement)


def _direct_sql(vendor: str) -> str:
    """Each customer's months computed from the orders themselves."""
    return (
        f"SELECT customer_id, {_month(vendor, 'order_date')} AS month, "
        f"SUM({_cents(vendor, 'amount_base')}) AS revenue_cents, COUNT(*) AS orders "
        f"FROM {ORDERS} WHERE status <> '{CANCELLED}' GROUP BY 1, 2"
    )


def install(connection_=None) -> None:
    """Create the triggers and fill the table from the orders (the migration calls this)."""
    conn = connection_ or connection
    # The stored years follow the months by triggers; refilled in one statement instead.
    years = YEARS in conn.introspection.table_names()
    with conn.cursor() as cursor:
        if years:
            for statement in revenue_years.drop_sql(conn.vendor):
                cursor.execute(statement)
        for statement in trigger_sql(conn.vendor):
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} (customer_id, month, revenue_cents, orders) "
            + _direct_sql(conn.vendor)
        )
    if years:
        revenue_years.fill(conn)


def revenue_months_rebuild() -> None:
    """Recompute every row from the orders (and the stored years from them), in one
    transaction (idempotent)."""
    with transaction.atomic():
        install()


def revenue_months_mismatches(limit: int = 20) -> list[tuple]:
    """Rows where the stored table and the orders disagree: ``(customer, month, stored cents,
    stored orders, direct cents, direct orders)``; empty when they agree."""
    direct = _direct_sql(connection.vendor)
    sql = f"""
        SELECT COALESCE(s.customer_id, d.customer_id), COALESCE(s.month, d.month),
               s.revenue_cents, s.orders, d.revenue_cents, d.orders
        FROM {TABLE} s LEFT JOIN ({direct}) d
          ON d.customer_id = s.customer_id AND d.month = s.month
        WHERE d.customer_id IS NULL OR d.revenue_cents <> s.revenue_cents
           OR d.orders <> s.orders
        UNION ALL
        SELECT d.customer_id, d.month, NULL, NULL, d.revenue_cents, d.orders
        FROM ({direct}) d LEFT JOIN {TABLE} s
          ON d.customer_id = s.customer_id AND d.month = s.month
        WHERE s.customer_id IS NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchmany(limit)
