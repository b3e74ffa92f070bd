"""Periodic jobs. Each app registers its own in its ``AppConfig.ready``; ``tend worker`` runs
them when due, each job once per period however many workers run.

A job is a function taking the keyword ``now`` (the instant of the run, so tests can pass one)
and returning something short to report, usually a count."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: Callable[..., object]


_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(name: str, every: timedelta, func: Callable[..., object]) -> PeriodicJob:
    """Run ``func(now=...)`` every ``every``, first as soon as a worker sees it."""
    if every <= timedelta(0):
        raise ValueError(f"Periodic job {name!r}: the period must be positive.")
    job = PeriodicJob(name=name, every=every, func=func)
    _JOBS[name] = job
    return job


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def run(job: PeriodicJob, now: datetime) -> object:
    return job.func(now=now)
