"""Scale helpers: the planner hint, the estimated admin paginator, the shape of `tend serve`."""

import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Q

from tend.core import paginators
from tend.core.paginators import EstimatedCountPaginator
from tend.core.planner import COMMON, RARE, Likelihood, Written
from tend.customers.models import Customer
from tend.customers.tests.factories import CustomerFactory


def test_a_likelihood_filters_exactly_like_its_condition(db):
    kept = CustomerFactory(tier="A")
    CustomerFactory(tier="B")
    hinted = Customer.objects.filter(Likelihood(Q(tier="A"), RARE))
    assert list(hinted) == [kept]
    assert list(Customer.objects.filter(Likelihood(Q(tier="A"), COMMON))) == [kept]


def test_a_likelihood_is_told_to_sqlite_only(db):
    sql = str(Customer.objects.filter(Likelihood(Q(tier="A"), RARE)).query)
    if connection.vendor == "sqlite":
        assert "likelihood(" in sql and "0.01)" in sql
    else:
        assert "likelihood" not in sql


@pytest.mark.parametrize("probability", [0, 1, -0.5, 2])
def test_a_likelihood_is_a_probability(probability):
    with pytest.raises(ValueError, match="between 0 and 1"):
        Likelihood(Q(tier="A"), probability)


def test_a_written_condition_filters_exactly_like_its_condition_values_in_the_sql_on_sqlite(db):
    kept = CustomerFactory(name="O'Hara Trading", tier="A", cadence_days=7)
    CustomerFactory(tier="B")
    written = Customer.objects.filter(
        Written(Q(tier__in=["A", "C"], cadence_days=7, name="O'Hara Trading"))
    )
    assert list(written) == [kept]
    sql, params = written.query.sql_with_params()
    if connection.vendor == "sqlite":
        assert "IN ('A', 'C')" in sql and "'O''Hara Trading'" in sql and "= 7" in sql
        assert params == ()
    else:
        assert "A" in params


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_only_strings_and_integers_are_written_into_sql(db):
    from tend.health.models import HealthSnapshot

    with pytest.raises(TypeError, match="not a constant"):
        str(HealthSnapshot.objects.filter(Written(Q(risk__gt=0.5))).query)


def test_the_paginator_counts_filtered_lists_and_small_tables_exactly(db, monkeypatch):
    CustomerFactory.create_batch(3, tier="A")
    CustomerFactory(tier="B")
    assert EstimatedCountPaginator(Customer.objects.filter(tier="A"), 2).count == 3
    assert EstimatedCountPaginator(Customer.objects.order_by("pk"), 2).count == 4


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_a_big_unfiltered_table_is_not_counted(
    db, monkeypatch, django_assert_num_queries
):
    CustomerFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    monkeypatch.setattr(paginators, "EXACT_BELOW", 1)
    with django_assert_num_queries(1) as captured:
        count = EstimatedCountPaginator(Customer.objects.order_by("pk"), 2).count
    assert "reltuples" in captured.captured_queries[0]["sql"]
    assert "COUNT(" not in captured.captured_queries[0]["sql"].upper()
    assert count == 5


@pytest.fixture
def gunicorn_argv(monkeypatch, settings):
    settings.DEBUG = False
    started = []
    monkeypatch.setattr(
        "gunicorn.app.wsgiapp.WSGIApplication.run", lambda self: started.append(list(sys.argv))
    )
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    return started


def _option(argv, name):
    return argv[argv.index(name) + 1]


def test_serve_runs_threaded_workers_with_keep_alive(gunicorn_argv, monkeypatch):
    monkeypatch.delenv("TEND_WORKERS", raising=False)
    monkeypatch.delenv("TEND_THREADS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    call_command("serve", "--port", "8124")
    (argv,) = gunicorn_argv
    assert _option(argv, "--worker-class") == "gthread"
    assert _option(argv, "--workers") == "4"
    assert _option(argv, "--threads") == "16"
    assert int(_option(argv, "--keep-alive")) > 0


def test_serve_takes_workers_and_threads_from_flags_or_the_environment(gunicorn_argv, monkeypatch):
    monkeypatch.setenv("TEND_WORKERS", "3")
    monkeypatch.setenv("TEND_THREADS", "2")
    call_command("serve", "--port", "8124")
    call_command("serve", "--port", "8124", "--workers", "5", "--threads", "6")
    env_argv, flag_argv = gunicorn_argv
    assert (_option(env_argv, "--workers"), _option(env_argv, "--threads")) == ("3", "2")
    assert "--access-logfile" not in env_argv  # Tend's request log is the one line per request
    assert (_option(flag_argv, "--workers"), _option(flag_argv, "--threads")) == ("5", "6")


@pytest.mark.parametrize("value", ["0", "many", "99999999999999999999", "-1"])
def test_serve_refuses_a_worker_count_that_is_not_one(gunicorn_argv, monkeypatch, value):
    monkeypatch.setenv("TEND_THREADS", value)
    with pytest.raises(CommandError, match="TEND_THREADS"):
        call_command("serve", "--port", "8124")
    assert gunicorn_argv == []


def test_the_page_gate_lets_only_so_many_renders_run_at_once(settings):
    import threading
    import time

    from tend.core.gate import PageGateMiddleware

    settings.TEND_PAGE_CONCURRENCY = 2
    running, most = [], []
    lock = threading.Lock()

    def render(request):
        with lock:
            running.append(request)
            most.append(len(running))
        time.sleep(0.02)
        with lock:
            running.remove(request)
        return request

    gate = PageGateMiddleware(render)
    threads = [threading.Thread(target=gate, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(most) == 2
    assert len(most) == 6


def test_static_files_are_answered_before_the_page_gate(settings):
    order = settings.MIDDLEWARE
    assert order.index("whitenoise.middleware.WhiteNoiseMiddleware") < order.index(
        "tend.core.gate.PageGateMiddleware"
    )
