"""Big uploads are checked and imported in the background: the page starts an ``ImportRun``,
the worker runs it (a django-tasks task), and the row keeps the progress and the report."""

import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tend.accounts.models import User
from tend.jobs.services import heartbeat_lapsed, task_ids_waiting

from .customers import RowError, import_customers
from .files import UnreadableFile, estimate_rows
from .models import ImportRun, ImportStage, ImportState
from .orders import import_orders

logger = logging.getLogger("tend.imports")

IMPORTERS = {"customers": import_customers, "orders": import_orders}
STORED_ERRORS = 20_000  # the page shows 1,000; the CSV download gives these


def upload_path(*, token: str, kind: str) -> Path:
    return Path(settings.DATA_DIR) / "uploads" / f"{token}.{kind}"


def runs_in_background(path: Path) -> bool:
    """Files above ``TEND_IMPORT_BACKGROUND_BYTES`` are checked and imported by the worker."""
    return path.stat().st_size > settings.TEND_IMPORT_BACKGROUND_BYTES


@dataclass
class StoredResult:
    """An importer's result as kept on the run: the counts, and the first errors."""

    counts: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["counts"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @classmethod
    def of(cls, run: ImportRun) -> "StoredResult":
        data = run.result or {}
        return cls(
            counts=data.get("counts", {}),
            errors=[RowError(*error) for error in data.get("errors", [])],
            error_count=data.get("error_count", 0),
        )


def _stored(result) -> dict[str, Any]:
    counts = {
        name: value
        for name, value in asdict(result).items()
        if name not in ("errors", "headers", "mapping")
    }
    return {
        "counts": counts,
        "errors": [[e.row, e.column, e.message] for e in result.errors[:STORED_ERRORS]],
        "error_count": len(result.errors),
    }


def import_run_start(
    *, by: User, what: str, pending: dict, mapping: list[str | None], commit: bool
) -> ImportRun:
    """Queue a check (or a commit) of the waiting upload for the worker."""
    from .tasks import import_run_task

    path = upload_path(token=pending["token"], kind=pending["kind"])
    run = ImportRun.objects.create(
        what=what,
        by=by,
        file_token=pending["token"],
        file_kind=pending["kind"],
        file_name=pending.get("name", "")[:255],
        mapping=list(mapping),
        commit=commit,
        rows_total=estimate_rows(path, pending["kind"]),
    )
    transaction.on_commit(lambda: import_run_task.enqueue(run.pk))
    return run


def import_run_execute(*, run_id: int) -> str:
    """Run a queued import once: claimed by one conditional update, so a second worker (or a
    second delivery of the task) does nothing."""
    now = timezone.now()
    claimed = ImportRun.objects.filter(pk=run_id, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, stage=ImportStage.READING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return "not queued"
    run = ImportRun.objects.select_related("by").get(pk=run_id)

    def progress(done: int) -> None:
        ImportRun.objects.filter(pk=run_id).update(rows_done=done, heartbeat_at=timezone.now())

    def stage(name: str) -> None:
        ImportRun.objects.filter(pk=run_id).update(stage=name, heartbeat_at=timezone.now())

    def saving() -> None:
        # First in the import's transaction: the run's row stays locked until it commits, and
        # the recovery skips locked runs, so a save longer than the lease is never queued again;
        # a worker that dies drops its connection, and the lock with it.
        ImportRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())

    def written() -> None:
        # In the import's own transaction: a worker killed after it committed the rows leaves
        # a run marked done, never one that a recovering worker would import a second time.
        ImportRun.objects.filter(pk=run_id).update(
            state=ImportState.DONE, result={"counts": {"committed": True}}
        )

    try:
        result = IMPORTERS[run.what](
            by=run.by,
            path=upload_path(token=run.file_token, kind=run.file_kind),
            mapping=run.mapping,
            commit=run.commit,
            kind=run.file_kind,
            progress=progress,
            written=written,
            stage=stage,
            saving=saving,
        )
    except (UnreadableFile, OSError) as exc:
        ImportRun.objects.filter(pk=run_id).update(
            state=ImportState.FAILED, failure=str(exc), finished_at=timezone.now()
        )
        return "failed"
    except Exception as exc:
        logger.exception("Import run %s failed", run_id)
        ImportRun.objects.filter(pk=run_id).update(
            state=ImportState.FAILED, failure=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    ImportRun.objects.filter(pk=run_id).update(
        state=ImportState.DONE,
        rows_done=result.rows,
        result=_stored(result),
        finished_at=timezone.now(),
    )
    return "committed" if result.committed else "checked"


def import_runs_recover(*, now: datetime | None = None) -> int:
    """Queue again the runs whose worker died: running with no heartbeat for
    ``TEND_JOB_LEASE_SECONDS``, or queued that long with no task waiting for a worker (a worker
    died between taking the task and claiming the run). Their rows were never committed (the
    import writes in one transaction, with the run's "done"), so running them again imports
    each row once. A run saving its rows holds its row's lock (PostgreSQL) and is never
    taken, however long the save; on SQLite the save holds the database's write lock, so the
    recovery waits for it or fails and tries again later."""
    from .tasks import import_run_task

    now = now or timezone.now()
    quiet = heartbeat_lapsed(now=now)
    lost = list(
        ImportRun.objects.filter(quiet, state=ImportState.RUNNING).values_list("pk", "state")
    )
    queued = list(
        ImportRun.objects.filter(quiet, state=ImportState.QUEUED).values_list("pk", "state")
    )
    if queued:
        waiting = task_ids_waiting(import_run_task)
        lost += [(pk, state) for pk, state in queued if pk not in waiting]
    requeued = 0
    for run_id, state in lost:
        with transaction.atomic():
            # A run whose row is locked is being saved by a live worker (``saving``): skipped.
            free = ImportRun.objects.select_for_update(skip_locked=True).filter(
                quiet, pk=run_id, state=state
            )
            taken = bool(list(free.values_list("pk", flat=True))) and free.update(
                state=ImportState.QUEUED, stage="", rows_done=0, heartbeat_at=now
            )
            if taken:
                logger.warning("Import run %s lost its worker; queued again", run_id)
                transaction.on_commit(partial(import_run_task.enqueue, run_id))
                requeued += 1
    return requeued
