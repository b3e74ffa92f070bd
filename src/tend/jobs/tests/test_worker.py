"""`tend worker`: periodic jobs once per period however many workers run, and queued tasks."""

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from tend.customers.models import Customer, OwnershipEvent
from tend.engagement.models import PromiseOutcome
from tend.engagement.services import promise_make
from tend.jobs import registry
from tend.jobs.models import PeriodicJobRun
from tend.jobs.services import periodic_job_claim, periodic_jobs_run_due
from tend.timeline.models import TimelineEntry

T0 = datetime(2025, 11, 24, 5, 0, tzinfo=UTC)
EVERY = timedelta(minutes=15)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The worker runs in autocommit and closes stale connections between passes, as in production;
# inside a test's wrapping transaction that would close the connection under the test.
WORKER_DB = pytest.mark.django_db(transaction=True)


@task()
def shout(text: str) -> str:
    """A queued task for the worker to run."""
    return text.upper()


def worker_once() -> str:
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    return out.getvalue()


@pytest.fixture
def counted_job(monkeypatch):
    """Only a job that counts its runs is registered."""
    runs = []
    monkeypatch.setattr(registry, "_JOBS", {})
    registry.register_periodic("test.count", EVERY, lambda *, now: runs.append(now) or len(runs))
    return runs


@WORKER_DB
def test_the_worker_breaks_promises_past_due_and_grace_with_a_timeline_entry(rep1, book):
    now = timezone.now()
    promise = promise_make(
        by=rep1,
        customer=book["rep1_owned"],
        kind="quote",
        due_at=now - timedelta(days=7),
        made_at=now - timedelta(days=10),
        description="Quote for 40 ft of basmati rice",
    )

    output = worker_once()

    promise.refresh_from_db()
    assert (promise.outcome, promise.broken_automatically) == (PromiseOutcome.BROKEN, True)
    entry = TimelineEntry.objects.get(customer=book["rep1_owned"], title__startswith="Promise b")
    assert (entry.title, entry.actor, entry.at, entry.data) == (
        "Promise broken: Quote for 40 ft of basmati rice",
        None,
        promise.outcome_at,
        {
            "outcome": "broken",
            "automatic": True,
            "title_i18n": {
                "msgid": "Promise broken: %(what)s",
                "args": {"what": "Quote for 40 ft of basmati rice"},
            },
        },
    )
    assert "engagement.promises_break_overdue: 1 (" in output


@WORKER_DB
def test_the_worker_returns_customers_left_untouched_to_the_pool(rep1, book):
    customer = book["rep1_owned"]
    Customer.objects.filter(pk=customer.pk).update(
        pool_return_at=timezone.now() - timedelta(hours=1)
    )

    output = worker_once()

    customer.refresh_from_db()
    assert customer.owner is None
    assert OwnershipEvent.objects.filter(customer=customer, move="pool_return").count() == 1
    assert "engagement.customers_return_to_pool: 1 (" in output


def test_the_periodic_jobs_are_registered_by_their_apps():
    assert {(job.name, job.every) for job in registry.periodic_jobs()} >= {
        ("agenda.daily_digest", EVERY),
        ("engagement.customers_return_to_pool", EVERY),
        ("engagement.promises_break_overdue", EVERY),
    }


def test_two_passes_run_a_job_once_per_period(db, counted_job):
    assert [outcome.result for outcome in periodic_jobs_run_due(now=T0)] == [1]
    assert periodic_jobs_run_due(now=T0) == []
    assert periodic_jobs_run_due(now=T0 + EVERY - timedelta(seconds=1)) == []
    assert [outcome.result for outcome in periodic_jobs_run_due(now=T0 + EVERY)] == [2]
    assert counted_job == [T0, T0 + EVERY]

    run = PeriodicJobRun.objects.get()
    assert (run.name, run.next_run_at, run.last_started_at) == (
        "test.count",
        T0 + 2 * EVERY,
        T0 + EVERY,
    )
    assert (run.last_result, run.last_error) == ("2", "")


@WORKER_DB
def test_two_worker_passes_run_a_due_job_once(counted_job):
    worker_once()
    worker_once()
    assert len(counted_job) == 1


def test_of_two_claims_at_the_same_instant_exactly_one_wins(db, counted_job):
    PeriodicJobRun.objects.create(name="test.count", next_run_at=T0)
    claims = [periodic_job_claim(name="test.count", every=EVERY, now=T0) for _ in range(2)]
    assert claims == [True, False]
    # The claim is a lease: due again after it if the worker dies, a whole period once it ran.
    assert PeriodicJobRun.objects.get().next_run_at == T0 + min(EVERY, timedelta(minutes=30))


def test_a_job_not_yet_due_cannot_be_claimed(db, counted_job):
    PeriodicJobRun.objects.create(name="test.count", next_run_at=T0)
    assert (
        periodic_job_claim(name="test.count", every=EVERY, now=T0 - timedelta(seconds=1)) is False
    )
    assert PeriodicJobRun.objects.get().next_run_at == T0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_workers_claiming_at_the_same_instant_in_parallel_run_the_job_once(counted_job):
    PeriodicJobRun.objects.create(name="test.count", next_run_at=T0)
    workers = 8
    barrier = threading.Barrier(workers)
    claims = []

    def claim() -> None:
        try:
            barrier.wait()
            claims.append(periodic_job_claim(name="test.count", every=EVERY, now=T0))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(claims) == [False] * (workers - 1) + [True]


def test_a_failing_job_is_recorded_and_the_others_still_run(db, monkeypatch):
    runs = []

    def broken(*, now):
        raise RuntimeError("the mail server is on fire")

    monkeypatch.setattr(registry, "_JOBS", {})
    registry.register_periodic("test.a_broken", EVERY, broken)
    registry.register_periodic("test.b_fine", EVERY, lambda *, now: runs.append(now) or "ok")

    outcomes = periodic_jobs_run_due(now=T0)

    assert [(o.name, o.ok, o.result) for o in outcomes] == [
        ("test.a_broken", False, None),
        ("test.b_fine", True, "ok"),
    ]
    failed = PeriodicJobRun.objects.get(name="test.a_broken")
    assert failed.next_run_at == T0 + EVERY  # tried again next period, not in a tight loop
    assert failed.last_error.splitlines()[-1] == "RuntimeError: the mail server is on fire"
    assert runs == [T0]


@WORKER_DB
def test_a_task_queued_in_the_database_is_run_by_the_worker(settings, counted_job):
    settings.TASKS = DATABASE_TASKS
    result = shout.enqueue("dispatch the samples")
    assert result.status == TaskResultStatus.READY

    worker_once()

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "DISPATCH THE SAMPLES"


@WORKER_DB
def test_the_worker_stops_cleanly_on_sigterm(settings, counted_job):
    settings.TASKS = DATABASE_TASKS
    previous = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM))
    out = StringIO()
    started = time.monotonic()
    timer.start()
    try:
        call_command("worker", "--interval", "30", stdout=out)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 5
    assert out.getvalue().splitlines()[-1] == "Stopped."
    assert len(counted_job) == 1
    assert signal.getsignal(signal.SIGTERM) is previous


@WORKER_DB
def test_a_pass_with_nothing_due_says_so_and_when_the_next_job_is_due(counted_job):
    worker_once()  # runs the new job and schedules its next period
    due = PeriodicJobRun.objects.get(name="test.count").next_run_at

    output = worker_once()

    assert output.splitlines()[-1] == (
        "One pass: 0 periodic job(s) run, 0 queued task(s) run; "
        f"next: test.count at {due:%Y-%m-%d %H:%M} UTC."
    )
    assert len(counted_job) == 1
