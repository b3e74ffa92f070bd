"""How fast is the agenda page (/today/) on a big book? Server time and queries per request.

    .venv/bin/python bench/agenda.py            # 100,000 customers, SQLite and PostgreSQL
    .venv/bin/python bench/agenda.py --quick    # 1,000 customers, fewer requests (< 1 minute)

For each database the script starts one worker process with that database in its environment
(Django's settings are read once per process). The worker builds the demo book with its
interactions, promises and orders (``tend demo --customers N --seed 7``) in a fresh database.
The demo's six reps each own a sixth of the book (about 15,000 customers at 100,000), so the
worker adds one more rep, "bench", and hands them 400 of a demo rep's customers with the open
promises made on them: the agenda of a rep with ~400 customers. It then times in-process
requests with ``django.test.Client`` (after a warm-up):

    rep (400 customers)        /today/                      the bench rep's own agenda
    manager                    /today/                      a team manager's agenda
    manager -> that rep        /today/?person=<bench rep>   the manager looking at the rep's
    rep (N customers)          /today/                      the demo rep who owns the most
    rep: a section's page 2    /today/section/touches/?page=2  paging a collapsed section

and counts the queries each one makes (CaptureQueriesContext), the customers on the page's
"contact first" list and the size of the page. For every case slower than the aim
(p95 200 ms) it shows each query's time and the plan of the slowest ones (EXPLAIN). The parent
prints a table and, last, one line of JSON with every figure.

SQLite lives in a temporary directory; PostgreSQL in a database the script creates and drops
(``--postgres-url``, default postgresql://postgres@127.0.0.1:5432/tend_bench_agenda); an
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

AIM_MS = 200.0
SEED = 7
BENCH_REP = "bench"
BENCH_CUSTOMERS = 400


# --- the worker: one database, one process ---------------------------------------------------


def _percentile(samples: list[float], pct: int) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def _explain(connection, sql: str, params) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [" ".join(str(part) for part in row[1:]) for row in cursor.fetchall()]


def _bench_rep():
    """A rep with BENCH_CUSTOMERS customers: taken from the demo rep of the same team who owns
    the most, with the open promises made on them."""
    from django.db.models import Count

    from tend.accounts.models import Role, User
    from tend.customers.models import Customer
    from tend.engagement.models import Promise

    donor = (
        User.objects.filter(role=Role.REP)
        .annotate(owned=Count("owned_customers"))
        .order_by("-owned", "username")
        .first()
    )
    rep, _ = User.objects.get_or_create(
        username=BENCH_REP,
        defaults={
            "first_name": "Bench",
            "last_name": "Rep",
            "role": Role.REP,
            "team": donor.team,
            "time_zone": donor.time_zone,
        },
    )
    ids = list(
        Customer.objects.filter(owner=donor)
        .order_by("id")
        .values_list("id", flat=True)[:BENCH_CUSTOMERS]
    )
    Customer.objects.filter(pk__in=ids).update(owner=rep)
    Customer.objects.filter(pk__in=ids, backup_owner=rep).update(backup_owner=None)
    Promise.objects.filter(customer_id__in=ids, made_by=donor).update(made_by=rep)
    return rep


def worker(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tend.accounts.models import User
    from tend.customers.models import Customer
    from tend.demo import data
    from tend.engagement.models import Interaction, Promise
    from tend.orders.models import Order, OrderLine
    from tend.timeline.models import TimelineEntry

    # No setup_test_environment(): its template instrumentation copies the context for every
    # template rendered and would inflate the page times.
    result = {"vendor": connection.vendor, "customers": args.customers}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    result["migrate_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    out = io.StringIO()
    call_command("demo", customers=args.customers, seed=SEED, stdout=out)
    result["demo_s"] = round(time.perf_counter() - started, 2)
    result["demo_summary"] = out.getvalue().split("\n\n")[0]
    rep = _bench_rep()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    result["rows"] = {
        "customers": Customer.objects.count(),
        "interactions": Interaction.objects.count(),
        "promises": Promise.objects.count(),
        "orders": Order.objects.count(),
        "order_lines": OrderLine.objects.count(),
        "timeline_entries": TimelineEntry.objects.count(),
    }
    manager = User.objects.get(
        username=next(
            p.username for p in data.PEOPLE if p.role == "manager" and p.team == rep.team.name
        )
    )
    biggest = (
        User.objects.filter(role="rep")
        .exclude(pk=rep.pk)
        .annotate(owned=Count("owned_customers"))
        .order_by("-owned", "username")
        .first()
    )
    cases = [
        (f"rep ({rep.owned_customers.count():,} customers)", rep, "/today/"),
        ("manager", manager, "/today/"),
        ("manager -> that rep", manager, f"/today/?person={rep.pk}"),
        (f"rep ({biggest.owned:,} customers)", biggest, "/today/"),
        ("rep: touches page 2", rep, "/today/section/touches/?page=2"),
    ]
    rows = []
    for label, user, url in cases:
        client = Client()
        client.force_login(user)
        for _ in range(args.warmup):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        samples, cpu = [], []
        for _ in range(args.requests):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries = captured.captured_queries
        slowest = sorted(queries, key=lambda q: float(q["time"]), reverse=True)
        row = {
            "case": label,
            "username": user.username,
            "url": url,
            "status": response.status_code,
            "owned": user.owned_customers.count(),
            "p50_ms": round(_percentile(samples, 50), 1),
            "p95_ms": round(_percentile(samples, 95), 1),
            "max_ms": round(max(samples), 1),
            "cpu_p50_ms": round(_percentile(cpu, 50), 1),
            "queries": len(queries),
            "sql_ms": round(sum(float(q["time"]) for q in queries) * 1000, 1),
            "slowest_query_ms": round(float(slowest[0]["time"]) * 1000, 1),
            "contact_first": response.content.count(b'<tr id="first-'),
            "html_kb": round(len(response.content) / 1024, 1),
        }
        if row["p95_ms"] > AIM_MS or args.explain:
            row["query_ms"] = [round(float(q["time"]) * 1000, 1) for q in queries]
            row["slowest"] = []
            book_queries = [
                q for q in slowest if "django_session" not in q["sql"] and "accounts_" not in
                q["sql"].split(" FROM ", 1)[-1].split(" ", 1)[0]
            ]  # fmt: skip
            for query in book_queries[:3]:
                # Re-run the statement through the ORM's cursor to EXPLAIN it with parameters.
                row["slowest"].append(
                    {
                        "ms": round(float(query["time"]) * 1000, 1),
                        "sql": query["sql"][:700],
                        "plan": _explain_logged(connection, query["sql"]),
                    }
                )
        rows.append(row)
        print(
            f"  {connection.vendor:<10} {label:<26} p50 {row['p50_ms']:7.1f} ms  "
            f"p95 {row['p95_ms']:7.1f} ms  {row['queries']:2d} queries  "
            f"{row['contact_first']:2d} to contact first",
            file=sys.stderr,
            flush=True,
        )
    result["cases"] = rows
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return result


def _explain_logged(connection, sql: str) -> list[str]:
    """EXPLAIN a statement as logged (parameters already inlined by the backend's
    last_executed_query)."""
    try:
        return _explain(connection, sql, None)
    except Exception as exc:  # noqa: BLE001  (a plan is a nice-to-have)
        return [f"(no plan: {exc})"]


# --- the parent: one worker per database -----------------------------------------------------


def print_table(results: list[dict]) -> None:
    print()
    for result in results:
        rows = ", ".join(
            f"{value:,} {key.replace('_', ' ')}" for key, value in result["rows"].items()
        )
        print(
            f"{result['vendor']}: demo built in {result['demo_s']:.1f} s ({rows}); load average "
            f"after the run {result['load_average']} on {os.cpu_count()} cores"
        )
    for result in results:
        print()
        print(f"{result['vendor']}: {result['demo_summary']}")
    print()
    header = (
        f"{'database':<10} {'case':<26} {'owned':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'cpu p50':>8} {'SQL ms':>7} {'queries':>7} {'first':>5} {'KB':>6}  aim"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        for row in result["cases"]:
            verdict = "ok" if row["p95_ms"] <= AIM_MS else "SLOW"
            print(
                f"{result['vendor']:<10} {row['case']:<26} {row['owned']:7,d} "
                f"{row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['cpu_p50_ms']:8.1f} "
                f"{row['sql_ms']:7.1f} {row['queries']:7d} {row['contact_first']:5d} "
                f"{row['html_kb']:6.1f}  {verdict}"
            )
    for result in results:
        for row in result["cases"]:
            if "slowest" not in row:
                continue
            print()
            print(f"{result['vendor']} {row['case']}: p95 {row['p95_ms']} ms; queries (ms) "
                  f"{row['query_ms']}")  # fmt: skip
            for query in row["slowest"]:
                print(f"  {query['ms']} ms: {query['sql'][:400]}")
                for line in query["plan"][:20]:
                    print("    " + line)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 customers, fewer requests")
    parser.add_argument("--customers", type=int, help="book size (default 100,000; quick 1,000)")
    parser.add_argument("--requests", type=int, help="timed requests per case (default 30)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="plans even when fast enough")
    parser.add_argument(
        "--postgres-url", default="postgresql://postgres@127.0.0.1:5432/tend_bench_agenda"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.customers = args.customers or (1_000 if args.quick else 100_000)
    args.requests = args.requests or (5 if args.quick else 30)
    if args.quick:
        args.warmup = min(args.warmup, 1)

    if args.worker:
        report(worker(args))
        return

    started = time.perf_counter()
    argv = [
        f"--customers={args.customers}",
        f"--requests={args.requests}",
        f"--warmup={args.warmup}",
        *(["--explain"] if args.explain else []),
    ]
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
        "benchmark": "agenda",
        "aim_p95_ms": AIM_MS,
        "customers": args.customers,
        "requests_per_case": args.requests,
        "seconds": round(time.perf_counter() - started, 1),
        "notes": notes,
        "results": [
            {
                "database": result["vendor"],
                "demo_s": result["demo_s"],
                "rows": result["rows"],
                "load_average": result["load_average"],
                "cases": [
                    {key: row[key] for key in row if key != "slowest"} for row in result["cases"]
                ],
            }
            for result in results
        ],
    }
    print(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    main()
