"""How fast is the customer list on a big book? Server time and queries per request.

    .venv/bin/python bench/customer_list.py            # 100,000 customers, SQLite and PostgreSQL
    .venv/bin/python bench/customer_list.py --quick    # 10,000 customers, fewer requests

For each database the script starts one worker process with that database in its environment
(Django's settings are read once per process). The worker builds the demo book
(``tend demo --customers N --seed 7 --only people,reference,customers``; ``--full-book`` for
every app's demo data) in a fresh database, then times in-process requests with
``django.test.Client`` (after a warm-up) for an admin, a manager and a rep:

    /customers/                     the list page
    /customers/?country=DE          filtered by country
    /customers/?q=trading           a search
    /api/v1/customers               the API's first page
    /api/v1/customers?country=DE    the API filtered by country

and counts the queries each one makes. For every request slower than the aim (p95 150 ms) it
shows the slowest SQL statement and its plan. The parent prints a table and, last, one line of
JSON with every figure.

SQLite lives in a temporary directory; PostgreSQL in a database the script creates and drops
(``--postgres-url``, default postgresql://postgres@127.0.0.1:5432/tend_bench); an unreachable
PostgreSQL is skipped with a note.
"""

import argparse
import io
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import report, run_on_databases  # noqa: E402

AIM_MS = 150.0
SEED = 7
ENDPOINTS = [
    ("list", "/customers/"),
    ("list country=DE", "/customers/?country=DE"),
    ("search q=trading", "/customers/?q=trading"),
    ("api", "/api/v1/customers"),
    ("api country=DE", "/api/v1/customers?country=DE"),
]
# The customer book alone; other apps' demo steps (interactions, orders, ...) do not change what
# the list reads and would multiply the build time. --full-book runs them all.
CORE_STEPS = "people,reference,customers"
COUNT_RE = re.compile(r'<p class="muted"[^>]*>(\d+) customers?')


# --- the worker: one database, one process ---------------------------------------------------


def _percentile(samples: list[float], pct: int) -> float:
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def _explain(connection, sql: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [" ".join(str(part) for part in row[1:]) for row in cursor.fetchall()]


def worker(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tend.accounts.models import User
    from tend.demo import data

    # No setup_test_environment(): its template instrumentation copies the context for every
    # template rendered (each <option> of a select) and would double the time of the pages.
    result = {"vendor": connection.vendor, "customers": args.customers}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    result["migrate_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    only = None if args.full_book else CORE_STEPS
    call_command("demo", customers=args.customers, seed=SEED, only=only, stdout=io.StringIO())
    result["demo_steps"] = only or "all"
    result["demo_s"] = round(time.perf_counter() - started, 2)
    if connection.vendor == "postgresql":
        # autovacuum would vacuum and analyze the freshly loaded tables within minutes (the
        # visibility map lets counts use index-only scans); do it now.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    people = {
        "admin": next(p.username for p in data.PEOPLE if p.role == "admin"),
        "manager": next(p.username for p in data.PEOPLE if p.role == "manager"),
        "rep": next(p.username for p in data.PEOPLE if p.role == "rep"),
    }
    rows = []
    for role, username in people.items():
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        for label, url in ENDPOINTS:
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
            slowest = max(queries, key=lambda q: float(q["time"]))
            row = {
                "user": role,
                "username": username,
                "endpoint": label,
                "url": url,
                "status": response.status_code,
                "p50_ms": round(_percentile(samples, 50), 1),
                "p95_ms": round(_percentile(samples, 95), 1),
                "max_ms": round(max(samples), 1),
                # CPU of this process (Python: views, ORM, templates; not PostgreSQL's server).
                "cpu_p50_ms": round(_percentile(cpu, 50), 1),
                "queries": len(queries),
                "slowest_query_ms": round(float(slowest["time"]) * 1000, 1),
            }
            if url.startswith("/api/"):
                row["count"] = response.json()["count"]
            else:
                found = COUNT_RE.search(response.content.decode())
                row["count"] = int(found.group(1)) if found else -1
            if row["p95_ms"] > AIM_MS:
                row["slowest_sql"] = slowest["sql"]
                row["plan"] = _explain(connection, slowest["sql"])
                row["query_ms"] = [
                    round(float(q["time"]) * 1000, 1) for q in queries
                ]  # each query of the request, in order
            rows.append(row)
            print(
                f"  {connection.vendor:<10} {role:<8} {label:<18} p50 {row['p50_ms']:7.1f} ms  "
                f"p95 {row['p95_ms']:7.1f} ms  {row['queries']:2d} queries",
                file=sys.stderr,
                flush=True,
            )
    result["rows"] = rows
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return result


# --- the parent: one worker per database -----------------------------------------------------


def print_table(results: list[dict]) -> None:
    print()
    for result in results:
        print(
            f"{result['vendor']}: {result['customers']:,} customers, demo built in "
            f"{result['demo_s']:.1f} s; load average after the run {result['load_average']} "
            f"on {os.cpu_count()} cores"
        )
    print()
    header = (
        f"{'database':<10} {'user':<8} {'endpoint':<18} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'cpu p50':>8} {'queries':>7} {'rows':>7}  aim"
    )
    print(header)
    print("-" * len(header))
    for result in results:
        for row in result["rows"]:
            verdict = "ok" if row["p95_ms"] <= AIM_MS else "SLOW"
            print(
                f"{result['vendor']:<10} {row['user']:<8} {row['endpoint']:<18} "
                f"{row['p50_ms']:8.1f} {row['p95_ms']:8.1f} {row['cpu_p50_ms']:8.1f} "
                f"{row['queries']:7d} "
                f"{row['count']:7,d}  {verdict}"
            )
    slow = [(r["vendor"], row) for r in results for row in r["rows"] if "slowest_sql" in row]
    for vendor, row in slow:
        print()
        print(
            f"{vendor} {row['user']} {row['endpoint']}: p95 {row['p95_ms']} ms; queries (ms) "
            f"{row['query_ms']}; slowest {row['slowest_query_ms']} ms:"
        )
        print("  " + row["slowest_sql"][:600])
        for line in row["plan"][:25]:
            print("    " + line)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 customers, fewer requests")
    parser.add_argument("--customers", type=int, help="book size (default 100,000; quick 10,000)")
    parser.add_argument("--requests", type=int, help="timed requests per case (default 30)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/tend_bench")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--full-book", action="store_true", help="run every demo step, not just the customers"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.customers = args.customers or (10_000 if args.quick else 100_000)
    args.requests = args.requests or (6 if args.quick else 30)
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
        *(["--full-book"] if args.full_book else []),
    ]
    results, notes = run_on_databases(
        __file__,
        argv,
        postgres_url=args.postgres_url,
        sqlite=True,
        postgres=not args.no_postgres,
        what=f"building {args.customers:,} customers and timing",
    )
    print_table(results)
    for note in notes:
        print(note)
    summary = {
        "benchmark": "customer_list",
        "aim_p95_ms": AIM_MS,
        "customers": args.customers,
        "requests_per_case": args.requests,
        "seconds": round(time.perf_counter() - started, 1),
        "notes": notes,
        "results": [
            {
                "database": result["vendor"],
                "demo_s": result["demo_s"],
                "load_average": result["load_average"],
                "cases": [
                    {key: row[key] for key in row if key not in ("plan", "slowest_sql")}
                    for row in result["rows"]
                ],
            }
            for result in results
        ],
    }
    print(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    main()
