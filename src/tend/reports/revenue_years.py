"""The stored revenue retention inputs per customer and month-end (``CustomerYearRevenue``):
what the customer bought in the 12 months before the last 12 (``start_cents``) and in the last
12 (``since_cents``), for every month-end whose starting year holds an order.

Kept by triggers on ``reports.CustomerMonthRevenue`` (itself kept by the orders' triggers), so
every path that writes an order keeps it current in the same transaction; revenue retention is
then one small aggregate over 12 rows a customer instead of 34 months of rows each summed 24
ways. A month's row at month ``m`` changes the since-figure of month-ends ``m .. m+11`` and the
start-figure of ``m+12 .. m+23``. ``revenue_years_mismatches`` checks it against the months."""

from django.db import connection

from .models import CustomerMonthRevenue, CustomerYearRevenue

MONTHS = CustomerMonthRevenue._meta.db_table
YEARS = CustomerYearRevenue._meta.db_table
NAMES = ("insert", "delete", "update_same", "update_moved_old", "update_moved_new")


def _offsets(first: int, last: int) -> str:
    """A derived table of the integers first..last in column ``k`` (no CTE: SQLite's triggers
    take none)."""
    return "(" + " UNION ALL ".join(f"SELECT {k} AS k" for k in range(first, last + 1)) + ")"


def _since_sum(customer: str, month: str) -> str:
    return (
        f"COALESCE((SELECT SUM(x.revenue_cents) FROM {MONTHS} x WHERE x.customer_id = {customer}"
        f" AND x.month BETWEEN {month} - 11 AND {month}), 0)"
    )


def _add(row: str) -> list[str]:
    """A month row appears: it adds to the since-figure of the rows already there, and starts
    (or adds to) the rows of the 12 month-ends it is a starting month of."""
    return [
        f"UPDATE {YEARS} SET since_cents = since_cents + {row}.revenue_cents"
        f" WHERE customer_id = {row}.customer_id"
        f" AND month BETWEEN {row}.month AND {row}.month + 11",
        f"INSERT INTO {YEARS} (customer_id, month, start_cents, start_months, since_cents)"
        f" SELECT {row}.customer_id, {row}.month + o.k, {row}.revenue_cents, 1,"
        f" {_since_sum(row + '.customer_id', row + '.month + o.k')}"
        f" FROM {_offsets(12, 23)} o WHERE 1 = 1"
        f" ON CONFLICT (customer_id, month) DO UPDATE SET"
        f" start_cents = {YEARS}.start_cents + excluded.start_cents,"
        f" start_months = {YEARS}.start_months + 1",
    ]


def _remove(row: str) -> list[str]:
    where = f"customer_id = {row}.customer_id AND month BETWEEN {row}.month"
    return [
        f"UPDATE {YEARS} SET since_cents = since_cents - {row}.revenue_cents"
        f" WHERE {where} AND {row}.month + 11",
        f"UPDATE {YEARS} SET start_cents = start_cents - {row}.revenue_cents,"
        f" start_months = start_months - 1 WHERE {where} + 12 AND {row}.month + 23",
        f"DELETE FROM {YEARS} WHERE {where} + 12 AND {row}.month + 23 AND start_months <= 0",
    ]


def _change() -> list[str]:
    """The same row's revenue changes (an order added to or taken from the month)."""
    where = "customer_id = NEW.customer_id AND month BETWEEN NEW.month"
    delta = "(NEW.revenue_cents - OLD.revenue_cents)"
    return [
        f"UPDATE {YEARS} SET since_cents = since_cents + {delta} WHERE {where} AND NEW.month + 11",
        f"UPDATE {YEARS} SET start_cents = start_cents + {delta}"
        f" WHERE {where} + 12 AND NEW.month + 23",
    ]


def trigger_sql(vendor: str) -> list[str]:
    """The statements creating the triggers for ``vendor`` (dropping any old ones first)."""
    same = "OLD.customer_id = NEW.customer_id AND OLD.month = NEW.month"
    if vendor == "postgresql":

        def block(statements):
            return ";\n    ".join(statements)

        return [
            f"""CREATE OR REPLACE FUNCTION reports_year_revenue_keep() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND {same} THEN
    IF NEW.revenue_cents <> OLD.revenue_cents THEN
      {block(_change())};
    END IF;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {block(_remove("OLD"))};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {block(_add("NEW"))};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS reports_year_revenue ON {MONTHS}",
            f"""CREATE TRIGGER reports_year_revenue
AFTER INSERT OR DELETE OR UPDATE ON {MONTHS}
FOR EACH ROW EXECUTE FUNCTION reports_year_revenue_keep()""",
        ]

    def body(statements):
        return "BEGIN\n  " + ";\n  ".join(statements) + ";\nEND"

    return [
        *(f"DROP TRIGGER IF EXISTS reports_year_revenue_{name}" for name in NAMES),
        f"CREATE TRIGGER reports_year_revenue_insert AFTER INSERT ON {MONTHS}\n"
        f"FOR EACH ROW {body(_add('NEW'))}",
        f"CREATE TRIGGER reports_year_revenue_delete AFTER DELETE ON {MONTHS}\n"
        f"FOR EACH ROW {body(_remove('OLD'))}",
        f"CREATE TRIGGER reports_year_revenue_update_same AFTER UPDATE ON {MONTHS}\n"
        f"FOR EACH ROW WHEN {same} AND NEW.revenue_cents <> OLD.revenue_cents {body(_change())}",
        f"CREATE TRIGGER reports_year_revenue_update_moved_old AFTER UPDATE ON {MONTHS}\n"
        f"FOR EACH ROW WHEN NOT ({same}) {body(_remove('OLD'))}",
        f"CREATE TRIGGER reports_year_revenue_update_moved_new AFTER UPDATE ON {MONTHS}\n"
        f"FOR EACH ROW WHEN NOT ({same}) {body(_add('NEW'))}",
    ]


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS reports_year_revenue ON {MONTHS}",
            "DROP FUNCTION IF EXISTS reports_year_revenue_keep()",
        ]
    return [f"DROP TRIGGER IF EXISTS reports_year_revenue_{name}" for name in NAMES]


def _direct_sql() -> str:
    """Each customer's rows computed from the stored months: the trailing 12 months' revenue
    at every month-end, paired with the same a year before where that year holds an order."""
    trailing = (
        f"SELECT r.customer_id, r.month + o.k AS month, SUM(r.revenue_cents) AS cents,"
        f" COUNT(*) AS months FROM {MONTHS} r CROSS JOIN {_offsets(0, 11)} o GROUP BY 1, 2"
    )
    # One common table read twice: the trailing sums are computed once (about 40% less time
    # on a 100,000-customer book, on both databases).
    return (
        f"WITH last_year AS ({trailing})"
        f" SELECT s.customer_id, s.month + 12 AS month, s.cents AS start_cents,"
        f" s.months AS start_months, COALESCE(e.cents, 0) AS since_cents"
        f" FROM last_year s LEFT JOIN last_year e"
        f" ON e.customer_id = s.customer_id AND e.month = s.month + 12"
    )


def fill(conn) -> None:
    """Recompute every row from the stored months, with the triggers off meanwhile (the caller
    holds the transaction)."""
    with conn.cursor() as cursor:
        for statement in drop_sql(conn.vendor):
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {YEARS}")
        cursor.execute(
            f"INSERT INTO {YEARS} (customer_id, month, start_cents, start_months, since_cents) "
            + _direct_sql()
        )
        for statement in trigger_sql(conn.vendor):
            cursor.execute(statement)


def revenue_years_mismatches(limit: int = 20) -> list[tuple]:
    """Rows where the stored table and the stored months disagree: ``(customer, month-end,
    stored start, stored since, direct start, direct since)``; empty when they agree."""
    direct = _direct_sql()
    sql = f"""
        SELECT COALESCE(s.customer_id, d.customer_id), COALESCE(s.month, d.month),
               s.start_cents, s.since_cents, d.start_cents, d.since_cents
        FROM {YEARS} s LEFT JOIN ({direct}) d
          ON d.customer_id = s.customer_id AND d.month = s.month
        WHERE d.customer_id IS NULL OR d.start_cents <> s.start_cents
           OR d.since_cents <> s.since_cents OR d.start_months <> s.start_months
        UNION ALL
        SELECT d.customer_id, d.month, NULL, NULL, d.start_cents, d.since_cents
        FROM ({direct}) d LEFT JOIN {YEARS} s
          ON d.customer_id = s.customer_id AND d.month = s.month
        WHERE s.customer_id IS NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchmany(limit)
