"""Order import speed: order lines per minute for a dry run, a commit and a re-import.

    .venv/bin/python bench/import_orders.py            # 1,000,000 lines, about 4 per order
    .venv/bin/python bench/import_orders.py --quick    # 50,000 lines, under a minute

Generates a CSV of order lines as an ERP exports them (order header repeated on every line,
customers by external id or by name, EUR/GBP/CNY/USD orders over three years, discounts and
batch numbers), then imports it on SQLite (a fresh TEND_DATA_DIR, migrated first) and on
PostgreSQL (a database it creates and drops), one subprocess per database; each first creates
its customers, products and monthly exchange rates. The re-import moves every order's estimated
ship date. The aim is at least 250,000 lines per minute. The last line is JSON.
"""

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/")
PG_DATABASE = "tend_bench_orders"
AIM = 250_000
CUSTOMERS = 2000
PRODUCTS = 500
CURRENCIES = ["USD", "EUR", "GBP", "CNY"]
FIRST_DAY = date(2023, 1, 1)
HEADERS = [
    "Order number",
    "Customer",
    "Order date",
    "Currency",
    "Incoterm",
    "Payment terms",
    "Port",
    "Promised ship date",
    "Estimated ship date",
    "Status",
    "Essential",
    "Product SKU",
    "Quantity",
    "Unit price",
    "Discount %",
    "Batch",
]


def customer_name(n: int) -> str:
    return f"Bench Customer {n} Trading LLC"


def generate(lines: int, folder: Path, seed: int = 11) -> dict[str, Path]:
    rng = random.Random(seed)
    rows, edited = [], []
    n = 0
    order = 0
    while n < lines:
        order += 1
        count = min(rng.choice([1, 2, 3, 4, 5, 6, 7]), lines - n)
        c = rng.randrange(CUSTOMERS)
        customer = f"BC-{c:05d}" if rng.random() < 0.7 else customer_name(c)
        day = FIRST_DAY + timedelta(days=rng.randrange(3 * 365))
        promised = day + timedelta(days=rng.randrange(20, 60))
        head = [
            f"SO-{order:08d}",
            customer,
            day.isoformat(),
            CURRENCIES[c % len(CURRENCIES)],
            rng.choice(["FOB", "CIF", "EXW", "DDP"]),
            "30% deposit, 70% against B/L",
            rng.choice(["Ningbo", "Shanghai", "Shenzhen"]),
            promised.isoformat(),
            "",
            "confirmed",
            rng.choice(["yes", "no", ""]),
        ]
        for _line in range(count):
            row = head + [
                f"SKU-{rng.randrange(PRODUCTS):04d}",
                str(rng.randrange(1, 5000)),
                f"{rng.randrange(100, 100000) / 100:.2f}",
                rng.choice(["", "", "5", "2.5", "10"]),
                f"LOT-{rng.randrange(10000)}" if rng.random() < 0.5 else "",
            ]
            rows.append(row)
            moved = list(row)
            moved[8] = (promised + timedelta(days=7)).isoformat()
            edited.append(moved)
            n += 1
    paths = {"csv": folder / "orders.csv", "edited": folder / "orders-edited.csv"}
    for key, data in (("csv", rows), ("edited", edited)):
        with paths[key].open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(HEADERS)
            writer.writerows(data)
    return paths


# One database, in its own process --------------------------------------------------------


def worker(folder: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection

    from tend.accounts.models import Role, User
    from tend.customers.matching import name_key
    from tend.customers.models import Customer
    from tend.imports.orders import import_orders
    from tend.orders.models import ExchangeRate, Order, OrderLine, Product
    from tend.timeline.models import TimelineEntry

    call_command("migrate", verbosity=0, skip_checks=True)
    admin = User.objects.create(username="bench-admin", role=Role.ADMIN)
    Customer.objects.bulk_create(
        [
            Customer(
                name=customer_name(n),
                name_key=name_key(customer_name(n)),
                external_id=f"BC-{n:05d}",
                country="AE",
                currency=CURRENCIES[n % len(CURRENCIES)],
            )
            for n in range(CUSTOMERS)
        ],
        batch_size=500,
    )
    Product.objects.bulk_create(
        [Product(sku=f"SKU-{n:04d}", name=f"Bench product {n}") for n in range(PRODUCTS)],
        batch_size=500,
    )
    rates = []
    for currency, base in (("EUR", 1.08), ("GBP", 1.27), ("CNY", 0.139)):
        for month in range(40):
            rates.append(
                ExchangeRate(
                    currency=currency,
                    valid_from=date(2023 + month // 12, month % 12 + 1, 1),
                    rate=Decimal(f"{base * (1 + (month % 7 - 3) / 100):.10f}"),
                )
            )
    ExchangeRate.objects.bulk_create(rates)
    figures: dict = {"database": connection.vendor}

    def timed(label: str, path: Path, commit: bool) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        result = import_orders(by=admin, path=path, commit=commit)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if result.errors:
            raise SystemExit(f"{label}: {len(result.errors)} errors, first {result.errors[:3]}")
        figures[label] = {
            "lines": result.rows,
            "seconds": round(seconds, 2),
            "lines_per_second": round(result.rows / seconds),
            "lines_per_minute": round(result.rows / seconds * 60),
            "python_cpu_seconds": round(cpu, 2),
            "orders_created": result.orders_created,
            "orders_updated": result.orders_updated,
            "lines_created": result.lines_created,
        }
        print(
            f"  {connection.vendor:10} {label:16} {result.rows:>9} lines {seconds:7.2f} s "
            f"{result.rows / seconds:>9,.0f} lines/s {result.rows / seconds * 60:>11,.0f} "
            f"lines/min (Python CPU {cpu:.1f} s, load {os.getloadavg()[0]:.1f})",
            file=sys.stderr,
            flush=True,
        )

    timed("dry_run", folder / "orders.csv", commit=False)
    timed("commit", folder / "orders.csv", commit=True)
    timed("reimport_update", folder / "orders-edited.csv", commit=True)
    figures["after"] = {
        "orders": Order.objects.count(),
        "lines": OrderLine.objects.count(),
        "timeline_entries": TimelineEntry.objects.count(),
    }
    return figures


def run_worker(folder: Path, env: dict) -> dict | None:
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        print(f"  worker failed (exit {completed.returncode})", file=sys.stderr)
        return None
    return json.loads(completed.stdout.strip().splitlines()[-1])


def postgres_admin():
    import psycopg

    return psycopg.connect(PG_SERVER.rstrip("/") + "/postgres", autocommit=True, connect_timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50,000 lines")
    parser.add_argument("--lines", type=int, help="order lines in the file (default 1,000,000)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return

    wanted = args.lines or (50_000 if args.quick else 1_000_000)
    folder = Path(tempfile.mkdtemp(prefix="tend-bench-orders-"))
    try:
        started = time.perf_counter()
        paths = generate(wanted, folder)
        print(
            f"Generated {wanted:,} order lines ({paths['csv'].stat().st_size / 1e6:.1f} MB CSV) "
            f"in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        summary: dict = {"lines": wanted, "aim_lines_per_minute": AIM}
        data_dir = folder / "var"
        data_dir.mkdir()
        python_path = os.pathsep.join(
            filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
        )
        env = {
            **os.environ,
            "TEND_DATA_DIR": str(data_dir),
            "PYTHONPATH": python_path,
            "DEBUG": "false",
        }
        env.pop("DATABASE_URL", None)
        summary["sqlite"] = run_worker(folder, env)

        try:
            admin = postgres_admin()
        except Exception as exc:  # noqa: BLE001 - any reason means "no PostgreSQL here"
            print(
                f"  PostgreSQL at {PG_SERVER} unreachable ({exc.__class__.__name__}): skipped",
                file=sys.stderr,
            )
            summary["postgresql"] = None
        else:
            with admin:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
                admin.execute(f"CREATE DATABASE {PG_DATABASE}")
                try:
                    pg_env = {
                        **env,
                        "DATABASE_URL": PG_SERVER.rstrip("/") + "/" + PG_DATABASE,
                        "DB_CONN_MAX_AGE": "0",
                    }
                    summary["postgresql"] = run_worker(folder, pg_env)
                finally:
                    admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        for database in ("sqlite", "postgresql"):
            figures = summary.get(database)
            if figures:
                slowest = min(
                    figures[k]["lines_per_minute"] for k in ("dry_run", "commit", "reimport_update")
                )
                summary[f"{database}_meets_aim"] = slowest >= AIM
        print(json.dumps(summary))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
