"""How fast are the customer-voice pages and the voice health signals on a big book?

    .venv/bin/python bench/voice.py            # 20,000 customers, SQLite and PostgreSQL
    .venv/bin/python bench/voice.py --quick    # 1,000 customers (< 1 minute a database)

Each database gets one worker process that builds the demo book (with its year of survey
answers) and times, as the admin (the whole book) after a warm-up, in-process requests to
/voice/ (trends by month and by owner), /voice/imbalance/ and /voice/ask/, and one call of the
voice health provider over every customer. It prints the median and worst time and the query
count of each, then one line of JSON with every figure. PostgreSQL is created and dropped
(``--postgres-url``); an unreachable one is skipped with a note."""

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

PAGES = [
    ("trends by month", "/voice/"),
    ("trends by owner", "/voice/?by=owner"),
    ("imbalance", "/voice/imbalance/"),
    ("ask (page 1)", "/voice/ask/"),
]


def worker(args) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tend.accounts.models import User
    from tend.customers.models import Customer
    from tend.health.signals import ScoringContext
    from tend.voice.health import voice_signals
    from tend.voice.models import SurveyAnswer, SurveySend

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("demo", customers=args.customers, seed=7, stdout=io.StringIO())
    build = time.perf_counter() - started
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    cases = {}
    for label, url in PAGES:
        for _ in range(args.warmup):
            client.get(url)
        times = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        cases[label] = {
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "queries": len(queries),
        }
    ids = np.array(sorted(Customer.objects.values_list("pk", flat=True)))
    now = timezone.now()
    began = time.perf_counter()
    signals = voice_signals(ScoringContext(customer_ids=ids, now=now, today=now.date()))
    provider_ms = (time.perf_counter() - began) * 1000
    return {
        "database": connection.vendor,
        "customers": args.customers,
        "survey_sends": SurveySend.objects.count(),
        "survey_answers": SurveyAnswer.objects.count(),
        "demo_build_s": round(build, 1),
        "pages": cases,
        "health_provider_ms": round(provider_ms, 1),
        "customers_flagged": {s.code: int((s.weight > 0).sum()) for s in signals},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 customers, fewer requests")
    parser.add_argument("--customers", type=int, help="book size (default 20,000; quick 1,000)")
    parser.add_argument("--requests", type=int, help="timed requests per page (default 10)")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument(
        "--postgres-url", default="postgresql://postgres@127.0.0.1:5432/tend_bench_voice"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.customers = args.customers or (1_000 if args.quick else 20_000)
    args.requests = args.requests or (3 if args.quick else 10)
    if args.worker:
        report(worker(args))
        return
    argv = [
        f"--customers={args.customers}",
        f"--requests={args.requests}",
        f"--warmup={args.warmup}",
    ]
    results, notes = run_on_databases(
        __file__,
        argv,
        postgres_url=args.postgres_url,
        sqlite=not args.no_sqlite,
        postgres=not args.no_postgres,
        what=f"building {args.customers:,} customers and timing the voice pages",
    )
    for result in results:
        print(
            f"{result['database']}: {result['customers']:,} customers, "
            f"{result['survey_answers']:,} answers of {result['survey_sends']:,} sends "
            f"(demo built in {result['demo_build_s']} s)"
        )
        for label, figures in result["pages"].items():
            print(
                f"  {label:<18} median {figures['median_ms']:>8.1f} ms  "
                f"max {figures['max_ms']:>8.1f} ms  {figures['queries']} queries"
            )
        print(f"  voice health provider over the book: {result['health_provider_ms']} ms")
    for note in notes:
        print(note)
    print(json.dumps({"bench": "voice", "results": results, "notes": notes}))


if __name__ == "__main__":
    main()
