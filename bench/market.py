"""How long do the market's nightly tiers and its pages take on a big book?

    .venv/bin/python bench/market.py            # 100,000 customers, SQLite and PostgreSQL
    .venv/bin/python bench/market.py --quick    # 1,000 customers, fewer repeats (< 1 minute)

For each database one worker process builds the demo book (``tend demo --customers N --seed 7``)
in a fresh database, then times, each repeated (median and worst):

    tiers_compute        the nightly job: revenue, margin, ABC, RFM and proposed tier for every
                         customer, and the profiles written
    tier proposals       the tiers page's diff (count and first 100 rows) for a manager
    old-price lines      the orders placed at the old price after a price notice (count)
    referral report      the referral ledger grouped by referrer, with revenue since
    notice counts        told / read / acknowledged of the demo's price notice

The parent prints a table and, last, one line of JSON with every figure. PostgreSQL lives in a
database the script creates and drops (``--postgres-url``); unreachable, it is skipped.
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


def _timed(function, repeats: int) -> tuple[float, float, object]:
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
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tend.accounts.models import User
    from tend.customers.models import Customer
    from tend.market import selectors
    from tend.market.models import Notice
    from tend.market.services import notices, tiers

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("demo", customers=args.customers, seed=SEED, stdout=io.StringIO())
    demo_s = time.perf_counter() - started
    manager = User.objects.filter(role="manager").order_by("pk").first()
    admin = User.objects.filter(role="admin").order_by("pk").first()
    notice = Notice.objects.order_by("pk").first()
    now = timezone.now()
    cases = []

    def case(label, function):
        with CaptureQueriesContext(connection) as queries:
            median, worst, result = _timed(function, args.repeats)
        cases.append(
            {
                "case": label,
                "median_ms": median,
                "max_ms": worst,
                "queries": len(queries) // args.repeats,
                "result": result,
            }
        )

    case("tiers_compute", lambda: tiers.tiers_compute(now=now))
    case(
        "tier proposals (manager)",
        lambda: (lambda qs: (qs.count(), len(list(qs[:100]))))(
            selectors.tier_proposals(user=manager)
        ),
    )
    case("old-price lines (admin)", lambda: selectors.old_price_lines(user=admin).count())
    case("referral report (admin)", lambda: len(selectors.referral_report(user=admin)["top"]))
    if notice is not None:
        case("notice counts", lambda: notices.notice_ack_counts(notice=notice))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "vendor": connection.vendor,
        "customers": Customer.objects.count(),
        "demo_s": round(demo_s, 1),
        "load_average": round(load, 2) if load is not None else None,
        "cases": cases,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 customers, fewer repeats")
    parser.add_argument("--customers", type=int, help="book size (default 100,000; quick 1,000)")
    parser.add_argument("--repeats", type=int, help="timed runs per case (default 5)")
    parser.add_argument(
        "--postgres-url", default="postgresql://postgres@127.0.0.1:5432/tend_bench_market"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.customers = args.customers or (1_000 if args.quick else 100_000)
    args.repeats = args.repeats or (3 if args.quick else 5)

    if args.worker:
        report(worker(args))
        return

    started = time.perf_counter()
    results, notes = run_on_databases(
        __file__,
        [f"--customers={args.customers}", f"--repeats={args.repeats}"],
        postgres_url=args.postgres_url,
        sqlite=not args.no_sqlite,
        postgres=not args.no_postgres,
        what=f"building {args.customers:,} customers and timing",
    )
    print()
    header = f"{'database':<10} {'case':<28} {'median ms':>10} {'max ms':>9} {'queries':>8}  result"
    print(header)
    print("-" * len(header))
    for result in results:
        print(
            f"{result['vendor']}: {result['customers']:,} customers, demo {result['demo_s']} s, "
            f"load {result['load_average']}"
        )
        for row in result["cases"]:
            print(
                f"{result['vendor']:<10} {row['case']:<28} {row['median_ms']:10.1f} "
                f"{row['max_ms']:9.1f} {row['queries']:8d}  {row['result']}"
            )
    for note in notes:
        print(note)
    print(
        json.dumps(
            {
                "benchmark": "market",
                "customers": args.customers,
                "repeats": args.repeats,
                "seconds": round(time.perf_counter() - started, 1),
                "notes": notes,
                "results": results,
            },
            default=str,
        )
    )


if __name__ == "__main__":
    main()
