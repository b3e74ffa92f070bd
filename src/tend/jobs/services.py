"""Running periodic jobs: each due job is claimed by one conditional UPDATE, then run.

The claim is a lease: it moves ``next_run_at`` forward by at most ``TEND_JOB_LEASE_SECONDS``
(30 minutes), and only a finished run moves it a whole period. A worker killed in the middle of
a job (SIGKILL, power cut) so leaves the job due again once the lease runs out, and the next
worker runs it; each job is written to be safe to run again (claims, one transaction)."""

import logging
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import registry
from .models import PeriodicJobRun

logger = logging.getLogger("tend.jobs")


def periodic_jobs_ensure(*, now: datetime) -> None:
    """A row for every registered job; a job never seen before is due at once."""
    known = set(PeriodicJobRun.objects.values_list("name", flat=True))
    missing = [job.name for job in registry.periodic_jobs() if job.name not in known]
    if missing:
        PeriodicJobRun.objects.bulk_create(
            [PeriodicJobRun(name=name, next_run_at=now) for name in missing],
            ignore_conflicts=True,  # another worker may add the same row at the same time
        )


def periodic_job_claim(*, name: str, every: timedelta, now: datetime) -> bool:
    """Take this period's run of a due job. Of any number of workers claiming at once, exactly
    one moves ``next_run_at`` past ``now`` and gets True; the others update no row. The move is
    the lease (the shorter of the period and ``TEND_JOB_LEASE_SECONDS``)."""
    lease = min(every, timedelta(seconds=settings.TEND_JOB_LEASE_SECONDS))
    claimed = PeriodicJobRun.objects.filter(name=name, next_run_at__lte=now).update(
        next_run_at=now + lease, last_started_at=now
    )
    return claimed == 1


@dataclass
class JobOutcome:
    name: str
    result: object = None
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error


def periodic_jobs_run_due(*, now: datetime | None = None) -> list[JobOutcome]:
    """Run every registered job that is due and that this worker claims. A failing job is
    logged and recorded; it runs again at its next period."""
    now = now or timezone.now()
    periodic_jobs_ensure(now=now)
    # Read first, so a pass with nothing due writes nothing (SQLite has one writer at a time).
    due = set(PeriodicJobRun.objects.filter(next_run_at__lte=now).values_list("name", flat=True))
    outcomes = []
    for job in registry.periodic_jobs():
        if job.name not in due or not periodic_job_claim(name=job.name, every=job.every, now=now):
            continue
        started = time.monotonic()
        outcome = JobOutcome(name=job.name)
        try:
            outcome.result = registry.run(job, now)
        except Exception:
            logger.exception("Periodic job %s failed", job.name)
            outcome.error = traceback.format_exc()
        outcome.seconds = time.monotonic() - started
        PeriodicJobRun.objects.filter(name=job.name).update(
            next_run_at=now + job.every,
            last_finished_at=timezone.now(),
            last_result="" if outcome.error else repr(outcome.result)[:200],
            last_error=outcome.error,
        )
        outcomes.append(outcome)
    return outcomes


def task_ids_waiting(task) -> set:
    """The first argument of each run of ``task`` (a django-tasks task) still waiting for a
    worker in django-tasks-db's queue. A record queued long ago whose task no longer waits was
    taken by a worker that died before claiming it: the recovery jobs take it up again."""
    from django_tasks_db.models import DBTaskResult

    return {
        args_kwargs["args"][0]
        for args_kwargs in DBTaskResult.objects.filter(
            task_path=task.module_path, status="READY"
        ).values_list("args_kwargs", flat=True)
    }


def heartbeat_lapsed(*, now: datetime) -> Q:
    """The background records (import runs, mail uploads) whose worker has been silent for
    ``TEND_JOB_LEASE_SECONDS``: a heartbeat older than that, or none and created that long
    ago. One definition of a lost worker for every recovery job."""
    stale = now - timedelta(seconds=settings.TEND_JOB_LEASE_SECONDS)
    return Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale)
