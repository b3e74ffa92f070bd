"""Benchmark: lot alerts over the whole book, and the case load and case queue pages.

Builds a synthetic book on SQLite in a temporary directory (customers, shipped orders with lots,
about two cases per customer, bulk-inserted), then times ``lot_alerts_compute`` and each page
(p95 over repeated requests as an admin, queries counted). ``--quick``: 5,000 customers and
10,000 cases; default: the issue's book, 100,000 customers (200,000 shipped order lines with
lots) and 200,000 cases. On PostgreSQL when ``DATABASE_URL`` names an empty database (it is
left filled). Prints figures and one JSON line."""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def build(customers: int, cases: int, seed: int = 7) -> None:
    from tend.accounts.models import Role, Team, User
    from tend.cases.models import Case, CaseLot
    from tend.customers.models import Customer, Territory
    from tend.orders.models import Order, OrderLine, Product

    rng = random.Random(seed)
    teams = [Team.objects.create(name=f"Team {i}") for i in range(4)]
    people = [
        User.objects.create(username=f"rep{i}", role=Role.REP, team=teams[i % 4]) for i in range(40)
    ]
    User.objects.create(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    territories = [Territory.objects.create(name=f"Region {i}") for i in range(8)]
    Customer.objects.bulk_create(
        [
            Customer(
                name=f"Importer {i}",
                country="AE",
                time_zone="Asia/Dubai",
                currency="USD",
                tier="ABC"[i % 3],
                owner=people[i % 40],
                territory=territories[i % 8],
                name_key=f"importer {i}",
                search_text=f"importer {i}",
            )
            for i in range(customers)
        ],
        batch_size=2000,
    )
    ids = list(Customer.objects.values_list("pk", flat=True))
    products = [Product.objects.create(sku=f"P{i}", name=f"Product {i}") for i in range(40)]
    from tend.demo.bulk import bulk_insert

    stamp = datetime.now(UTC)

    bulk_insert(
        Order,
        [
            "customer_id",
            "number",
            "order_date",
            "currency",
            "rate_to_base",
            "status",
            "actual_ship_date",
            "updated_at",
        ],
        [
            (
                ids[i % len(ids)],
                f"SO{i}",
                date(2026, 6, 1),
                "USD",
                Decimal(1),
                "shipped",
                date(2026, 6, 20),
                stamp,
            )
            for i in range(customers * 2)
        ],
    )
    order_ids = list(Order.objects.values_list("pk", flat=True))
    lines = []
    for pk in order_ids:
        product = rng.randrange(40)
        lines.append(
            (
                pk,
                products[product].pk,
                Decimal(rng.randint(50, 500)),
                Decimal(10),
                Decimal(0),
                f"L{product}-{rng.randrange(60)}",
            )
        )
    bulk_insert(
        OrderLine,
        ["order_id", "product_id", "quantity", "unit_price", "discount_pct", "batch_number"],
        lines,
    )
    now = datetime.now(UTC)
    case_rows = []
    for i in range(cases):
        opened = now - timedelta(days=rng.uniform(0, 200))
        open_ = rng.random() < 0.15
        case_rows.append(
            Case(
                customer_id=ids[rng.randrange(len(ids))],
                title=f"Complaint {i}",
                description="x",
                category=rng.choice(["quality", "delivery", "documents"]),
                severity="medium",
                channel="email",
                owner=people[rng.randrange(40)],
                status="in_progress" if open_ else "resolved",
                opened_at=opened,
                sla_response_hours=8,
                sla_resolution_hours=45,
                sla_used_pct=rng.randrange(150),
                sla_breached_at=opened if rng.random() < 0.1 else None,
            )
        )
    Case.objects.bulk_create(case_rows, batch_size=2000)
    line_lots = [(line[1], line[5]) for line in lines]
    lots = []
    for pk in Case.objects.filter(category="quality").values_list("pk", flat=True):
        product, lot = rng.choice(line_lots)
        lots.append(CaseLot(case_id=pk, product_id=product, lot=lot))
    unstable = line_lots[0]
    extra = Case.objects.filter(category="delivery").values_list("pk", flat=True)[:25]
    lots += [CaseLot(case_id=pk, product_id=unstable[0], lot=unstable[1]) for pk in extra]
    CaseLot.objects.bulk_create(lots, batch_size=2000, ignore_conflicts=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    customers, cases = (5000, 10000) if args.quick else (100_000, 200_000)
    data = tempfile.mkdtemp(prefix="bench-cases-")
    os.environ["TEND_DATA_DIR"] = data
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build(customers, cases)
    with connection.cursor() as cursor:  # what the daily core.database_optimize job does
        # (on PostgreSQL, what autovacuum does after a bulk load: statistics and visibility map)
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"book: {customers} customers, {cases} cases, built in "
        f"{time.perf_counter() - started:.1f} s"
    )

    from tend.accounts.models import User
    from tend.cases.services import lot_alerts_compute

    started = time.perf_counter()
    alerts = lot_alerts_compute()
    lot_alerts_s = time.perf_counter() - started
    print(f"lot alerts: {alerts} unstable lots in {lot_alerts_s:.2f} s")

    client = Client()
    client.force_login(User.objects.get(username="admin"))
    result = {
        "customers": customers,
        "cases": cases,
        "lot_alerts_s": round(lot_alerts_s, 3),
        "database": connection.vendor,
        "median_ms": {},
        "p95_ms": {},
        "queries": {},
    }
    for name, url in [
        ("case_queue", "/cases/"),
        ("case_load", "/cases/load/"),
        ("lot_alerts", "/cases/lots/"),
    ]:
        client.get(url)  # warm: templates compiled, caches filled, as on a running server
        timings = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        p95 = statistics.quantiles(timings, n=20)[-1]
        median = statistics.median(timings)
        result["median_ms"][name] = round(median, 1)
        result["p95_ms"][name] = round(p95, 1)
        result["queries"][name] = len(queries.captured_queries)
        print(
            f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms, "
            f"{len(queries.captured_queries)} queries"
        )
    print(json.dumps(result))
    import shutil

    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
