"""Where one page's time goes, in process, on an existing book: p50 per page, its queries
(count, SQL time, the slowest with their plans) and, with ``--profile``, cProfile's top calls.

    PYTHONPATH=src TEND_DATA_DIR=/tmp/book .venv/bin/python bench/pages.py
    DATABASE_URL=postgresql://postgres@127.0.0.1/book PYTHONPATH=src \\
        .venv/bin/python bench/pages.py --rep jason --manager helen --explain 3 --profile today

It reads the book only (GET requests through Django's test client, signed in with
``force_login``, the session in a signed cookie and no last-login time written). Pages: Today
(rep, manager), customer list (rep, manager), a customer page, at-risk (rep, manager),
approvals (manager), the API customer list (rep), and each panel the customer page loads on
demand (``panel_<slug>``, as htmx asks for it). The last line is JSON.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time


def _explain(connection, sql: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [" ".join(str(part) for part in row[1:]) for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rep", default="jason")
    parser.add_argument("--manager", default="helen")
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--explain", type=int, default=0, help="plans of the N slowest queries")
    parser.add_argument("--queries", action="store_true", help="every query's time and SQL")
    parser.add_argument("--profile", default="", help="cProfile this page (a page name)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tend.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import update_last_login
    from django.contrib.auth.signals import user_logged_in
    from django.db import connection

    # Read the book only: no session row and no last-login time written to it (the shared
    # books must not change). The session then lives in a signed cookie, so each page makes
    # one query less than behind a browser (the session read, well under a millisecond).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tend.accounts.models import User
    from tend.customers.models import Customer

    rep = User.objects.get(username=args.rep)
    manager = User.objects.get(username=args.manager)
    customer = Customer.objects.filter(owner=rep).order_by("-id").first()
    pages = [
        ("today_rep", rep, "/today/"),
        ("today_manager", manager, "/today/"),
        ("customer_list_rep", rep, "/customers/?page=3"),
        ("customer_list_manager", manager, "/customers/?page=3"),
        ("customer_page", rep, f"/customers/{customer.pk}/"),
        ("at_risk_rep", rep, "/health/at-risk/"),
        ("at_risk_manager", manager, "/health/at-risk/"),
        ("approvals", manager, "/approvals/"),
        ("api_list_rep", rep, "/api/v1/customers?page=3"),
    ]
    # The customer page's panels, each loaded on its own as the page's htmx does.
    from tend.customers.panels import CUSTOMER_END_PANELS, CUSTOMER_PANELS, panel_url

    for panel in CUSTOMER_PANELS + CUSTOMER_END_PANELS:
        if not panel.eager:
            pages.append((f"panel_{panel.slug}", rep, panel_url(customer.pk, panel.slug)))
    only = {name for name in args.only.split(",") if name}
    figures = {}
    for name, user, url in pages:
        if only and name not in only:
            continue
        client = Client()
        client.force_login(user)
        headers = {"HTTP_HX_REQUEST": "true"} if name.startswith("panel_") else {}
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)
        samples, cpu = [], []
        for _ in range(args.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(url, **headers)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **headers)
        queries = captured.captured_queries
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        figures[name] = {
            "p50_ms": round(statistics.median(samples), 1),
            "cpu_ms": round(statistics.median(cpu), 1),
            "queries": len(queries),
            "sql_ms": round(sql_ms, 1),
            "kb": round(len(response.content) / 1024, 1),
        }
        print(
            f"{name:<22} p50 {figures[name]['p50_ms']:7.1f} ms  "
            f"CPU {figures[name]['cpu_ms']:6.1f} ms  SQL {sql_ms:6.1f} ms  "
            f"{len(queries):2d} queries  {figures[name]['kb']:6.1f} KB",
            flush=True,
        )
        if args.queries:
            for query in queries:
                print(f"    {float(query['time']) * 1000:7.1f}  {query['sql'][:300]}")
        slowest = sorted(queries, key=lambda q: float(q["time"]), reverse=True)
        for query in slowest[: args.explain]:
            print(f"  {float(query['time']) * 1000:.1f} ms: {query['sql'][:600]}")
            try:
                for line in _explain(connection, query["sql"])[:25]:
                    print("      " + line)
            except Exception as exc:  # noqa: BLE001  (a plan is a nice-to-have)
                print(f"      (no plan: {exc})")
        if args.profile == name:
            profiler = cProfile.Profile()
            profiler.enable()
            client.get(url, **headers)
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(60)
            stats.sort_stats("tottime").print_stats(25)
            print(out.getvalue())
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures), file=sys.stdout)


if __name__ == "__main__":
    main()
