"""How fast is each report section on a big book? Seconds per section, per database.

    .venv/bin/python bench/reports.py            # 100,000 customers, SQLite and PostgreSQL
    .venv/bin/python bench/reports.py --quick    # 400 customers (< 1 minute)
    .venv/bin/python bench/reports.py --customers 20000
    TEND_DATA_DIR=/tmp/copy .venv/bin/python bench/reports.py --existing   # a book already built

For each database a worker process builds the demo book (``tend demo --customers N --seed 7``)
in a fresh database, then computes every registered report section for an admin (the whole
book) and for a team manager, for the 12 months to the last complete month (``--repeat`` times
after a warm-up; the best and median are kept), renders each chart to SVG and the whole report
to PDF. The aim is each section under 1 s. The parent prints a table and, last, one line of
JSON whose ``sections_s`` holds each section's seconds per database.

With ``--existing`` nothing is built: the database the environment names (``DATABASE_URL``, else
SQLite in ``TEND_DATA_DIR``) is migrated and timed as it is, in this process (a copy of a big
book, so before/after figures come from the same rows).

A year of nightly scoring. A big demo book is scored today only, which would leave the value-at-
risk section nothing to read. A built book (and an existing one with ``--history``: it writes,
so give it a copy) gets the snapshots a year of scoring leaves on the days that section reads:
the latest day's snapshots copied to the last day of each month of the report's window, values
scaled a little month by month, with their scoring runs. The other 350 days of a real year are
not written: the section reads one day a month through the ``(day, ...)`` indexes.

SQLite lives in a temporary directory; PostgreSQL in a database the script creates and drops
(``--postgres-url``); an unreachable PostgreSQL is skipped with a note.
"""

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import existing_or_built, report  # noqa: E402

AIM_S = 1.0
SEED = 7


def _stored_months_ready() -> None:
    """On an existing book (whose migration history may come from another branch, so
    ``migrate`` can refuse it): create the stored revenue months and years and their triggers
    if this code has them and the database does not yet."""
    from django.db import connection

    try:
        from tend.reports.models import CustomerMonthRevenue
        from tend.reports.revenue_months import install
    except ImportError:
        return  # code from before the stored months
    tables = connection.introspection.table_names()
    started = time.perf_counter()
    if CustomerMonthRevenue._meta.db_table not in tables:
        with connection.schema_editor() as editor:
            editor.create_model(CustomerMonthRevenue)
        install()
        print(
            f"  stored revenue months built in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    try:
        from tend.reports.models import CustomerYearRevenue
        from tend.reports.revenue_years import fill
    except ImportError:
        return  # code from before the stored years
    if CustomerYearRevenue._meta.db_table not in tables:
        started = time.perf_counter()
        with connection.schema_editor() as editor:
            editor.create_model(CustomerYearRevenue)
            fill(connection)
        print(
            f"  stored revenue years built in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )


def _year_of_scoring(months: list[int]) -> int:
    """Snapshots and scoring runs on the last day of each month in ``months`` (month numbers)
    that has no scoring yet, copied from the latest scoring day in one INSERT ... SELECT a
    month. Returns the rows written."""
    from calendar import monthrange
    from datetime import date

    from django.db import connection, transaction

    from tend.health.models import HealthSnapshot, ScoreRun

    try:  # code from before the day totals has none to keep
        from tend.health.services.day_totals import risk_day_totals_write
    except ImportError:
        risk_day_totals_write = None
    latest = HealthSnapshot.objects.order_by("-day").values_list("day", flat=True).first()
    if latest is None:
        return 0
    scored = {d.year * 12 + d.month - 1 for d in ScoreRun.objects.values_list("day", flat=True)}
    table = HealthSnapshot._meta.db_table
    columns = [f.column for f in HealthSnapshot._meta.concrete_fields if not f.primary_key]
    scaled = {"value_at_risk", "annual_value", "expected_value_12m"}
    written = 0
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for k, month in enumerate(sorted(m for m in months if m not in scored)):
            year, number = divmod(month, 12)
            day = date(year, number + 1, monthrange(year, number + 1)[1])
            if day >= latest:
                continue
            factor = round(0.75 + 0.02 * k, 2)  # value at risk grows over the year
            chosen = [
                "%s" if c == "day" else f"ROUND({c} * {factor}, 2)" if c in scaled else c
                for c in columns
            ]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT {', '.join(chosen)} FROM {table} WHERE day = %s",
                [day, latest],
            )
            written += cursor.rowcount
            ScoreRun.objects.create(day=day, customers=cursor.rowcount)
            if risk_day_totals_write is not None:
                risk_day_totals_write(day)
    print(
        f"  a year of scoring: {written:,} snapshots written in "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return written


def worker(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import DatabaseError, connection
    from django.test.utils import CaptureQueriesContext

    from tend.accounts.models import Role, User
    from tend.customers.models import Customer
    from tend.health.models import HealthSnapshot, LostRecord
    from tend.orders.models import Order, OrderLine
    from tend.reports import charts, registry
    from tend.reports.forms import last_complete_month
    from tend.reports.pdf import report_pdf

    result = {"vendor": connection.vendor, "customers": args.customers}
    started = time.perf_counter()
    out = io.StringIO()
    if args.existing:
        _stored_months_ready()
    else:
        call_command("migrate", verbosity=0)
        call_command("demo", customers=args.customers, seed=SEED, stdout=out)
    result["demo_s"] = round(time.perf_counter() - started, 1)
    filters = registry.ReportFilters(end=last_complete_month())
    if args.history or not args.existing:
        end = filters.end.year * 12 + filters.end.month - 1
        result["history_snapshots"] = _year_of_scoring(list(range(end - 11, end + 1)))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    result["rows"] = {
        "customers": Customer.objects.count(),
        "orders": Order.objects.count(),
        "order_lines": OrderLine.objects.count(),
        "health_snapshots": HealthSnapshot.objects.count(),
        "lost_records": LostRecord.objects.count(),
    }
    admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    manager = User.objects.filter(role=Role.MANAGER).order_by("pk").first()
    rows = []
    for who, user in (("admin", admin), ("manager", manager)):
        for section in registry.sections(user):
            try:
                section.compute(filters, user)  # warm-up
            except DatabaseError as error:
                if not args.existing:
                    raise
                # An existing book built by older code may lack a newer section's tables.
                print(f"  {section.key} skipped: {error}".splitlines()[0], file=sys.stderr)
                continue
            samples = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                section.compute(filters, user)
                samples.append(time.perf_counter() - start)
            with CaptureQueriesContext(connection) as captured:
                computed = section.compute(filters, user)
            start = time.perf_counter()
            charts.svg(computed.chart)
            svg_s = time.perf_counter() - start
            row = {
                "who": who,
                "section": section.key,
                "best_s": round(min(samples), 3),
                "median_s": round(statistics.median(samples), 3),
                "queries": len(captured.captured_queries),
                "svg_s": round(svg_s, 3),
                "sample": computed.sample,
            }
            rows.append(row)
            print(
                f"  {connection.vendor:<10} {who:<8} {section.key:<18} "
                f"median {row['median_s']:6.3f} s  {row['queries']:2d} queries",
                file=sys.stderr,
                flush=True,
            )
    start = time.perf_counter()
    try:
        pdf = report_pdf(user=manager, filters=filters)
    except DatabaseError:
        if not args.existing:
            raise
        pdf = b""  # an older book lacking a section's tables: no PDF timing
    result["pdf_s"] = round(time.perf_counter() - start, 2)
    result["pdf_kb"] = round(len(pdf) / 1024, 1)
    result["sections"] = rows
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return result


def print_table(results: list[dict]) -> None:
    print()
    for result in results:
        rows = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in result["rows"].items())
        print(f"{result['vendor']}: demo built in {result['demo_s']} s ({rows})")
    print()
    header = (
        f"{'database':<10} {'who':<8} {'section':<18} {'best s':>7} {'median s':>9} "
        f"{'queries':>7}  aim"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        for row in result["sections"]:
            verdict = "ok" if row["median_s"] <= AIM_S else "SLOW"
            print(
                f"{result['vendor']:<10} {row['who']:<8} {row['section']:<18} "
                f"{row['best_s']:7.3f} {row['median_s']:9.3f} {row['queries']:7d}  {verdict}"
            )
        pdf = f"{result['pdf_s']} s, {result['pdf_kb']} KB"
        print(f"{result['vendor']:<10} whole report as PDF: {pdf}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="400 customers, 2 runs (< 1 minute)")
    parser.add_argument("--customers", type=int, help="book size (default 100,000; quick 400)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per section")
    parser.add_argument(
        "--postgres-url", default="postgresql://postgres@127.0.0.1:5432/tend_bench_reports"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--existing", action="store_true", help="time the database the environment names as it is"
    )
    parser.add_argument(
        "--history",
        action="store_true",
        help="with --existing: write a year of monthly scoring days first (use a copy)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.customers = args.customers or (400 if args.quick else 100_000)
    if args.quick:
        args.repeat = min(args.repeat, 2)
    if args.worker:
        report(worker(args))
        return
    started = time.perf_counter()
    results, notes = existing_or_built(
        args,
        worker,
        __file__,
        [f"--customers={args.customers}", f"--repeat={args.repeat}"],
        postgres_url=args.postgres_url,
        sqlite=not args.no_sqlite,
        postgres=not args.no_postgres,
        what=f"building {args.customers:,} customers and timing the report",
    )
    if args.existing:
        args.customers = results[0]["rows"]["customers"]
    print_table(results)
    for note in notes:
        print(note)
    summary = {
        "benchmark": "reports",
        "aim_section_s": AIM_S,
        "customers": args.customers,
        "seconds": round(time.perf_counter() - started, 1),
        "notes": notes,
        "sections_s": {
            result["vendor"]: {
                f"{row['who']}:{row['section']}": row["median_s"] for row in result["sections"]
            }
            for result in results
        },
        "results": [
            {
                "database": result["vendor"],
                "demo_s": result["demo_s"],
                "rows": result["rows"],
                "pdf_s": result["pdf_s"],
                "sections": result["sections"],
                "load_average": result["load_average"],
            }
            for result in results
        ],
    }
    print(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    main()
