"""How long does it take to find the late orders of a big book and refresh everyone's agenda
items for them?

    .venv/bin/python bench/late_orders.py            # 100,000 customers, SQLite and PostgreSQL
    .venv/bin/python bench/late_orders.py --quick    # 1,000 customers, fewer repeats (< 1 minute)

For each database the script starts one worker process with that database in its environment.
The worker builds the demo book (``tend demo --customers N --seed 7``: about a million orders at
100,000 customers, a few percent of them open, some late, a port closure) in a fresh database,
then times, each repeated (median and worst of the repeats):

    late count            Order.objects.late(today=...).count()
    needing update        Order.objects.needing_update(today, now, every_days).count()
    needing, per owner    the same, grouped by the customer's owner (one query for everyone)
    late_orders section   the agenda's "Late orders: tell the customer" section (count and first
                          rows, with each customer's local time) for every rep and manager: the
                          total, and the slowest person
    whole agenda          every section of every rep's and manager's agenda (what the daily
                          digest computes), total

with the plans (EXPLAIN) of the late-order queries. The parent prints a table and, last, one line
of JSON with every figure.

SQLite lives in a temporary directory; PostgreSQL in a database the script creates and drops
(``--postgres-url``, default postgresql://postgres@127.0.0.1:5432/tend_bench_late); an
unreachable PostgreSQL is skipped with a note.
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
from _harness import report, run_on_databases  # noqa: E402

SEED = 7


# --- the worker: one database, one process ---------------------------------------------------


def _explain(connection, queryset) -> list[str]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [" ".join(str(part) for part in row[1:]) for row in cursor.fetchall()]


def _timed(function, repeats: int) -> tuple[float, float, object]:
    """(median ms, worst ms, last result) of ``repeats`` calls."""
    samples, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = function()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1), round(max(samples), 1), value


def worker(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tend.accounts.models import User
    from tend.agenda.views import agenda_context, agenda_sections
    from tend.orders import selectors
    from tend.orders.agenda_sections import late_rows
    from tend.orders.models import Order, OrderLine

    result = {"vendor": connection.vendor, "customers": args.customers}
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("demo", customers=args.customers, seed=SEED, stdout=io.StringIO())
    result["demo_s"] = round(time.perf_counter() - started, 2)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    now = timezone.now()
    today = timezone.localdate(now)
    every = settings.TEND_DELAY_UPDATE_EVERY_DAYS
    people = list(User.objects.filter(role__in=["rep", "manager"], is_active=True).order_by("id"))
    contexts = [agenda_context(user=person, viewer=person, now=now) for person in people]
    limit = settings.TEND_AGENDA_ROWS
    result["rows"] = {
        "orders": Order.objects.count(),
        "order_lines": OrderLine.objects.count(),
        "open_orders": Order.objects.open().count(),
    }
    repeats = args.repeats
    cases = []

    def case(label: str, function, count=None, queryset=None):
        with CaptureQueriesContext(connection) as captured:
            function()
        median, worst, value = _timed(function, repeats)
        row = {
            "case": label,
            "median_ms": median,
            "max_ms": worst,
            "queries": len(captured.captured_queries),
            "result": count(value) if count else value,
        }
        if queryset is not None:
            row["plan"] = _explain(connection, queryset)
        cases.append(row)
        print(
            f"  {connection.vendor:<10} {label:<30} {median:9.1f} ms  ({row['result']})",
            file=sys.stderr,
            flush=True,
        )

    late = Order.objects.late(today=today)
    needing = Order.objects.needing_update(today=today, now=now, every_days=every)
    case("late count", late.count, queryset=late.values("id"))
    case("needing update count", needing.count, queryset=needing.values("id"))
    per_owner = needing.values("customer__owner").annotate(n=Count("id")).order_by()
    case(
        "needing update, per owner",
        lambda: list(per_owner.all()),  # .all(): a fresh query each time, not the cache
        count=lambda rows: f"{len(rows)} owners",
        queryset=per_owner,
    )
    per_person: dict[str, list[float]] = {}

    def sections_for_everyone():
        total = 0
        for context in contexts:
            start = time.perf_counter()
            total += late_rows(context, limit).total
            per_person.setdefault(context.user.username, []).append(
                (time.perf_counter() - start) * 1000
            )
        return total

    heaviest = max(
        people, key=lambda p: selectors.orders_needing_update(user=p, today=today, now=now).count()
    )
    case(
        f"late_orders section, {len(people)} people",
        sections_for_everyone,
        count=lambda total: f"{total} rows in all",
        queryset=selectors.orders_needing_update(user=heaviest, today=today, now=now),
    )
    # Each person's median over the timed runs (the first, untimed run warmed the caches).
    medians = {name: statistics.median(times[1:] or times) for name, times in per_person.items()}
    name = max(medians, key=medians.get)
    cases[-1]["slowest_person"] = {"username": name, "ms": round(medians[name], 1)}
    case(
        f"whole agenda, {len(people)} people",
        lambda: sum(
            sum(result.total for _, result in agenda_sections(context, limit))
            for context in contexts
        ),
        count=lambda total: f"{total} items",
    )
    result["cases"] = cases
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return result


# --- the parent: one worker per database -----------------------------------------------------


def print_table(results: list[dict]) -> None:
    print()
    for result in results:
        rows = ", ".join(
            f"{value:,} {key.replace('_', ' ')}" for key, value in result["rows"].items()
        )
        print(
            f"{result['vendor']}: {result['customers']:,} customers ({rows}), demo built in "
            f"{result['demo_s']:.1f} s; load average after the run {result['load_average']} "
            f"on {os.cpu_count()} cores"
        )
    print()
    header = f"{'database':<10} {'case':<30} {'median ms':>10} {'max ms':>9} {'queries':>8}  result"
    print(header)
    print("-" * len(header))
    for result in results:
        for row in result["cases"]:
            extra = ""
            if "slowest_person" in row:
                person = row["slowest_person"]
                extra = f"; slowest: {person['username']} {person['ms']} ms"
            print(
                f"{result['vendor']:<10} {row['case']:<30} {row['median_ms']:10.1f} "
                f"{row['max_ms']:9.1f} {row['queries']:8d}  {row['result']}{extra}"
            )
    for result in results:
        for row in result["cases"]:
            if row.get("plan"):
                print()
                print(f"{result['vendor']} {row['case']}:")
                for line in row["plan"][:25]:
                    print("    " + line)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 customers, fewer repeats")
    parser.add_argument("--customers", type=int, help="book size (default 100,000; quick 1,000)")
    parser.add_argument("--repeats", type=int, help="timed runs per case (default 10)")
    parser.add_argument(
        "--postgres-url", default="postgresql://postgres@127.0.0.1:5432/tend_bench_late"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.customers = args.customers or (1_000 if args.quick else 100_000)
    args.repeats = args.repeats or (3 if args.quick else 10)

    if args.worker:
        report(worker(args))
        return

    started = time.perf_counter()
    argv = [f"--customers={args.customers}", f"--repeats={args.repeats}"]
    results, notes = run_on_databases(
        __file__,
        argv,
        postgres_url=args.postgres_url,
        sqlite=not args.no_sqlite,
        postgres=not args.no_postgres,
        what=f"building {args.customers:,} customers and timing",
    )
    print_table(results)
    for note in notes:
        print(note)
    summary = {
        "benchmark": "late_orders",
        "customers": args.customers,
        "repeats": args.repeats,
        "seconds": round(time.perf_counter() - started, 1),
        "notes": notes,
        "results": [
            {
                "database": result["vendor"],
                "demo_s": result["demo_s"],
                "rows": result["rows"],
                "load_average": result["load_average"],
                "cases": [
                    {key: row[key] for key in row if key != "plan"} for row in result["cases"]
                ],
            }
            for result in results
        ],
    }
    print(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    main()
