"""Helpers the kill tests run in their own processes, against the database the killed worker
used: ``python -m tend.ops.tests.killkit ACTION[:ARG]...`` prints the last one's result as one
JSON line; ``python -m tend.ops.tests.killkit --serve`` stays up and answers one JSON line of
steps per request, so a test pays Django's start-up once per site, not once per look."""

import json
import os
import sys
import traceback
from datetime import timedelta


def run(steps: list[str]):
    """Several actions in one go (each ``name`` or ``name:argument``); the last one's result."""
    from django.db import connections

    results = []
    try:
        for step in steps:
            action, _colon, argument = step.partition(":")
            results.append(ACTIONS[action](*([argument] if argument else [])))
    finally:
        # No connection held between requests: a restore may replace the database meanwhile.
        connections.close_all()
    return results[-1]


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    if argv != ["--serve"]:
        print(json.dumps(run(argv)))
        return
    answers = sys.stdout
    sys.stdout = sys.stderr  # what actions print must not mix with the answers
    for request in sys.stdin:
        try:
            answer = {"result": run(json.loads(request))}
        except Exception:
            answer = {"error": traceback.format_exc()}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def seed() -> dict:
    """A rep with something on today's agenda (a digest to send) and a small book to score."""
    from django.utils import timezone

    from tend.accounts.models import Role
    from tend.accounts.tests.factories import TeamFactory, UserFactory
    from tend.customers.tests.factories import CustomerFactory
    from tend.tasks.tests.factories import TaskFactory

    team = TeamFactory(name="Kill test")
    # Wherever it is about noon now: her digest is due whenever the test runs.
    offset = 12 - timezone.now().hour  # -11..12
    zone = f"Etc/GMT{-offset:+d}" if offset else "UTC"  # Etc/GMT-3 is UTC+3
    rep = UserFactory(
        username="rita", role=Role.REP, team=team, email="rita@exporter.example", time_zone=zone
    )
    UserFactory(username="root", role=Role.ADMIN, team=None, email="root@exporter.example")
    customers = [CustomerFactory(owner=rep) for _ in range(12)]
    TaskFactory(
        customer=customers[0],
        assignee=rep,
        created_by=rep,
        due_at=timezone.now() - timedelta(hours=2),
    )
    return {"rep": rep.pk, "customers": len(customers)}


def only_due(name: str) -> dict:
    """Every periodic job far in the future except ``name``, due now."""
    from django.utils import timezone

    from tend.jobs.models import PeriodicJobRun
    from tend.jobs.services import periodic_jobs_ensure

    now = timezone.now()
    periodic_jobs_ensure(now=now)
    PeriodicJobRun.objects.update(next_run_at=now + timedelta(days=30))
    PeriodicJobRun.objects.filter(name=name).update(next_run_at=now - timedelta(seconds=1))
    return {"due": name}


def queue_import(rows: str) -> dict:
    """A background customer import of ``rows`` new customers, committed, waiting for a worker."""
    import secrets

    from django.conf import settings

    from tend.accounts.models import User
    from tend.imports.runs import import_run_start, upload_path

    token = secrets.token_hex(8)
    path = upload_path(token=token, kind="csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["name,country"] + [f"Kill Import {token} {n},DE" for n in range(int(rows))]
    path.write_text("\n".join(lines) + "\n")
    from django.db import transaction

    with transaction.atomic():
        run = import_run_start(
            by=User.objects.get(username="root"),
            what="customers",
            pending={"token": token, "kind": "csv", "name": "kill.csv"},
            mapping=["name", "country"],
            commit=True,
        )
    return {"run": run.pk, "token": token, "data_dir": str(settings.DATA_DIR)}


def state() -> dict:
    from tend.agenda.models import DigestSent
    from tend.customers.models import Customer
    from tend.health.models import HealthSnapshot, ScoreRun
    from tend.imports.models import ImportRun
    from tend.ops.models import WorkerHeartbeat

    return {
        "digests": [
            [items, sent is not None]
            for items, sent in DigestSent.objects.values_list("items", "sent_at").order_by("pk")
        ],
        "customers": Customer.objects.count(),
        "imported": Customer.objects.filter(name__startswith="Kill Import").count(),
        "snapshots": HealthSnapshot.objects.count(),
        "snapshot_customers": HealthSnapshot.objects.values("customer").distinct().count(),
        "score_runs": ScoreRun.objects.count(),
        "import_runs": list(ImportRun.objects.values_list("state", flat=True).order_by("pk")),
        "heartbeats": WorkerHeartbeat.objects.count(),
    }


def migrate() -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {"migrated": True}


def checksums() -> dict:
    from tend.ops.portable import checksums

    return checksums()


def write_orders(folder: str) -> dict:
    """Orders of three lines each, one transaction per order, until ``folder/stop`` appears;
    ``folder/written`` holds how many have committed."""
    from decimal import Decimal
    from pathlib import Path

    from django.db import transaction
    from django.utils import timezone

    from tend.customers.models import Customer
    from tend.imports import bulk
    from tend.orders.models import Order, OrderLine, Product

    folder_path = Path(folder)
    customer_id = Customer.objects.order_by("pk").values_list("pk", flat=True).first()
    product_id = Product.objects.order_by("pk").values_list("pk", flat=True).first()
    written = 0
    while not (folder_path / "stop").exists():
        now = timezone.now()
        with transaction.atomic():
            (order_id,) = bulk.insert(
                Order,
                ["customer_id", "number", "order_date", "currency", "rate_to_base", "amount"],
                [(customer_id, f"W-{now.timestamp()}-{written}", "2026-12-01", "USD", "1", "30")],
                now=now,
            )
            bulk.insert(
                OrderLine,
                ["order_id", "product_id", "quantity", "unit_price"],
                [(order_id, product_id, "1", str(Decimal(10)))] * 3,
                now=now,
            )
        written += 1
        (folder_path / "written").write_text(str(written))
    return {"written": written}


def consistency() -> dict:
    from django.db.models import Count

    from tend.orders.models import Order, OrderLine

    orders = Order.objects.filter(number__startswith="W-").annotate(n=Count("lines"))
    return {
        "orders": orders.count(),
        "orders_without_three_lines": orders.exclude(n=3).count(),
        "lines_without_order": OrderLine.objects.exclude(
            order_id__in=Order.objects.values("pk")
        ).count(),
    }


def derived() -> dict:
    """The tables the database derives by triggers: their rows, and where they disagree with
    the orders and interactions they come from."""
    from tend.engagement.contact_threads import contact_threads_mismatches
    from tend.engagement.models import ContactThread
    from tend.reports.models import CustomerMonthRevenue, CustomerYearRevenue
    from tend.reports.revenue_months import revenue_months_mismatches
    from tend.reports.revenue_years import revenue_years_mismatches

    return {
        "month_rows": CustomerMonthRevenue.objects.count(),
        "year_rows": CustomerYearRevenue.objects.count(),
        "thread_rows": ContactThread.objects.count(),
        "mismatches": [list(row) for row in revenue_months_mismatches()]
        + [list(row) for row in revenue_years_mismatches()]
        + [list(row) for row in contact_threads_mismatches()],
    }


def clear_digests() -> dict:
    from tend.agenda.models import DigestSent

    return {"deleted": DigestSent.objects.all().delete()[0]}


ACTIONS = {
    "checksums": checksums,
    "consistency": consistency,
    "derived": derived,
    "write_orders": write_orders,
    "clear_digests": clear_digests,
    "migrate": migrate,
    "seed": seed,
    "only_due": only_due,
    "queue_import": queue_import,
    "state": state,
}

if __name__ == "__main__":
    main(sys.argv[1:])
