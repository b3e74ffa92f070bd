"""``tend worker``: Tend's one background process. Each pass runs the periodic jobs that are
due, then the tasks queued in the database (django-tasks-db's own worker claims and runs them),
then rests. Any number of workers may run side by side; SIGTERM or Ctrl-C lets the current job
or task finish, then stops."""

import logging
import signal
import time
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import (
    Worker,
    valid_backend_name,
    valid_interval,
    validate_worker_id,
)

from tend.jobs.models import PeriodicJobRun
from tend.jobs.services import periodic_jobs_run_due
from tend.ops.services import worker_heartbeat_touch

logger = logging.getLogger("tend.jobs")


class TendWorker(Worker):
    """django-tasks-db's worker, run in batch mode once per pass after the periodic jobs."""

    def __init__(self, *, pause: float, tasks_per_pass: int, out, **kwargs) -> None:
        super().__init__(batch=True, startup_delay=False, max_tasks=tasks_per_pass, **kwargs)
        self.pause = pause
        self.tasks_per_pass = tasks_per_pass
        self.out = out
        self._previous_handlers: dict = {}
        self.started_at = timezone.now()

    def configure_signals(self) -> None:
        names = ("SIGINT", "SIGTERM", "SIGQUIT")
        signals = [getattr(signal, name) for name in names if hasattr(signal, name)]
        self._previous_handlers = {signum: signal.getsignal(signum) for signum in signals}
        super().configure_signals()

    def restore_signals(self) -> None:
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            super().shutdown(signum, frame)  # a second signal: stop now
            return
        logger.warning(
            "Received %s: finishing the current job, then stopping (again to force).",
            signal.strsignal(signum),
        )
        # Unlike db_worker, never exit from inside the handler: it could interrupt a periodic
        # job half-way. The loop notices within a quarter of a second.
        self.running = False

    def rest(self) -> None:
        deadline = time.monotonic() + self.pause
        while self.running and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.25))

    def run_periodic(self) -> int:
        outcomes = periodic_jobs_run_due()
        for outcome in outcomes:
            if outcome.ok:
                self.out(f"{outcome.name}: {outcome.result!r} ({outcome.seconds:.2f}s)")
            else:
                self.out(f"{outcome.name}: failed ({outcome.seconds:.2f}s), see the log")
        return len(outcomes)

    def summarise_pass(self, *, jobs: int, tasks: int) -> None:
        """What one pass did, and when something is next due: a quiet pass is not a broken one."""
        following = PeriodicJobRun.objects.order_by("next_run_at").first()
        when = (
            f"; next: {following.name} at {following.next_run_at:%Y-%m-%d %H:%M} UTC"
            if following
            else ""
        )
        self.out(f"One pass: {jobs} periodic job(s) run, {tasks} queued task(s) run{when}.")

    def run_tasks(self) -> int:
        """Run queued tasks until the queue is empty or this pass's share is done."""
        self._run_tasks = 0  # db_worker counts towards max_tasks over its lifetime
        self.run()
        return self._run_tasks

    def serve(self, *, once: bool = False) -> None:
        while self.running:
            jobs = ran = 0
            try:
                close_old_connections()
                worker_heartbeat_touch(
                    worker_id=self.worker_id, started_at=self.started_at, now=timezone.now()
                )
                jobs = self.run_periodic()
                ran = self.run_tasks() if self.running else 0
                if once:
                    self.summarise_pass(jobs=jobs, tasks=ran)
                close_old_connections()
            except Exception:
                if once:
                    raise
                # The database restarting, say: keep the worker alive and try again.
                logger.exception("tend worker: the pass failed; trying again after a rest")
            if once:
                break
            if ran < self.tasks_per_pass:  # a full share means more may be waiting
                self.rest()


class Command(BaseCommand):
    help = (
        "Run background work: periodic jobs (pool returns, broken promises, daily digest...) "
        "and queued tasks. Runs until stopped; --once runs one pass."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one pass, then exit.")
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=None,
            help="Seconds to rest between passes (default: TEND_WORKER_INTERVAL).",
        )
        parser.add_argument(
            "--queue-name",
            default="*",
            help="Task queues to process, comma-separated; '*' for all (default: all).",
        )
        parser.add_argument(
            "--backend",
            dest="backend_name",
            type=valid_backend_name,
            default=DEFAULT_TASK_BACKEND_ALIAS,
            help="The database task backend (default: %(default)r).",
        )
        parser.add_argument(
            "--tasks-per-pass",
            type=int,
            default=100,
            help="At most this many tasks between two looks at the periodic jobs.",
        )
        parser.add_argument(
            "--worker-id",
            type=validate_worker_id,
            default=None,
            help="Unique name of this worker (default: random).",
        )

    def handle(self, *, once, interval, queue_name, backend_name, tasks_per_pass, **options):
        verbosity = options["verbosity"]
        level = logging.INFO if verbosity >= 1 else logging.WARNING
        for name in ("tend.jobs", TASKS_LOGGER):
            logging.getLogger(name).setLevel(level)
        logging.getLogger("django_tasks_db").setLevel(
            logging.INFO if verbosity >= 2 else logging.WARNING
        )
        pause = settings.TEND_WORKER_INTERVAL if interval is None else interval

        def out(line: str) -> None:
            if verbosity >= 1:
                self.stdout.write(line)

        worker = TendWorker(
            pause=pause,
            tasks_per_pass=max(1, tasks_per_pass),
            out=out,
            queue_names=queue_name.split(","),
            excluded_queue_names=[],
            interval=min(pause, 1.0),  # db_worker's wait when the database is locked
            backend_name=backend_name,
            worker_id=options["worker_id"] or get_random_string(32),
        )
        if once:
            worker.serve(once=True)
            return
        worker.configure_signals()
        out(f"Tend worker {worker.worker_id} running; Ctrl-C or SIGTERM stops it.")
        try:
            worker.serve()
        finally:
            worker.restore_signals()
        out("Stopped.")
