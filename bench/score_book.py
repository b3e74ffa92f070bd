"""``tend score`` end to end: from the database to stored snapshots, on a demo book.

    .venv/bin/python bench/score_book.py            # 100,000 customers (~5M order lines)
    .venv/bin/python bench/score_book.py --quick    # 2,000 customers (under a minute)
    TEND_DATA_DIR=/tmp/copy .venv/bin/python bench/score_book.py --existing   # a book built

With ``--existing`` nothing is built: the database the environment names (``DATABASE_URL``,
else SQLite in ``TEND_DATA_DIR``; a copy, as scoring writes the day's snapshots) is scored as
it is, in this process, so before/after figures come from the same rows.

For each database a worker builds the demo book in a fresh database (``tend demo --customers N
--seed 7``), then scores the whole book ``--repeats`` times with ``score_book`` (the first run
also opens the playbooks' tasks; later runs replace the day's snapshots, and the cooldown keeps
the playbooks quiet), and reports the median and worst total and the split: read orders (one
SQL aggregate per customer and day), learn (both order models refitted one year back and the
risk combination learned from what followed), fit + predict (Pareto/NBD and MBG/CNBD-k, the
better held out; Gamma-Gamma, 12-month orders and value, discounted 36-month value), read
signals (products, engagement, people, approvals), assess (numpy), write (snapshots through
COPY / executemany), playbooks.

Aim (issue 19): under 10 s on 100,000 customers, SQLite within 1.5x of PostgreSQL. The last
line is JSON with every figure.
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

SEED = 7


def worker(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tend.customers.models import Customer
    from tend.health.models import HealthSnapshot
    from tend.health.services.scoring import score_book
    from tend.orders.models import Order, OrderLine

    demo_s = 0.0
    if not args.existing:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("demo", customers=args.customers, seed=SEED, stdout=io.StringIO())
        demo_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    runs = []
    for k in range(args.repeats):
        started = time.perf_counter()
        run = score_book()
        total = time.perf_counter() - started
        runs.append({"total_s": round(total, 2), **run.timings})
        split = ", ".join(f"{name} {seconds:.2f}" for name, seconds in run.timings.items())
        print(
            f"  {connection.vendor:<10} run {k + 1}: {total:6.2f} s ({split})",
            file=sys.stderr,
            flush=True,
        )
    totals = [r["total_s"] for r in runs]
    return {
        "vendor": connection.vendor,
        "customers": Customer.objects.count(),
        "orders": Order.objects.count(),
        "order_lines": OrderLine.objects.count(),
        "snapshots_per_day": HealthSnapshot.objects.filter(day=run.day).count(),
        "levels": run.parameters.get("levels", {}),
        "model": {
            k: run.parameters[k] for k in ("model", "models", "gamma_gamma") if k in run.parameters
        },
        "demo_s": round(demo_s, 1),
        "median_s": round(statistics.median(totals), 2),
        "max_s": round(max(totals), 2),
        "runs": runs,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 customers")
    parser.add_argument("--customers", type=int, help="book size (default 100,000; quick 2,000)")
    parser.add_argument("--repeats", type=int, default=3, help="scorings timed (default 3)")
    parser.add_argument(
        "--postgres-url", default="postgresql://postgres@127.0.0.1:5432/tend_bench_score"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--existing", action="store_true", help="score the database the environment names"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.customers = args.customers or (2_000 if args.quick else 100_000)
    if args.worker:
        report(worker(args))
        return

    argv = [f"--customers={args.customers}", f"--repeats={args.repeats}"]
    started = time.perf_counter()
    results, notes = existing_or_built(
        args,
        worker,
        __file__,
        argv,
        postgres_url=args.postgres_url,
        sqlite=not args.no_sqlite,
        postgres=not args.no_postgres,
        what=f"building {args.customers:,} customers, then scoring",
    )
    if args.existing:
        args.customers = results[0]["customers"]
    print()
    for r in results:
        print(
            f"{r['vendor']}: {r['customers']:,} customers, {r['orders']:,} orders, "
            f"{r['order_lines']:,} order lines (demo built in {r['demo_s']} s); "
            f"levels {r['levels']}; load average {r['load_average']} on {os.cpu_count()} cores"
        )
    print()
    names = [n for n in results[0]["runs"][0] if n != "total_s"] if results else []
    header = f"{'database':<10} {'median s':>9} {'max s':>7}  " + "  ".join(
        f"{n:>12}" for n in names
    )
    print(header)
    print("-" * len(header))
    for r in results:
        fastest = min(r["runs"], key=lambda run: run["total_s"])
        print(
            f"{r['vendor']:<10} {r['median_s']:9.2f} {r['max_s']:7.2f}  "
            + "  ".join(f"{fastest.get(n, 0):12.2f}" for n in names)
        )
    print("(split of the fastest run, seconds; aim: under 10 s at 100,000 customers)")
    for note in notes:
        print(note)
    print(
        json.dumps(
            {
                "benchmark": "score_book",
                "customers": args.customers,
                "seconds": round(time.perf_counter() - started, 1),
                "notes": notes,
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
