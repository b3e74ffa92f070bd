"""Writes of the operations app: the worker's heartbeat."""

import os
import socket
from datetime import datetime, timedelta

from .models import WorkerHeartbeat

HEARTBEAT_EVERY = timedelta(seconds=30)


def worker_heartbeat_touch(*, worker_id: str, started_at: datetime, now: datetime) -> None:
    """Record that this worker is alive (one small write, at most every 30 seconds per
    worker: SQLite has one writer at a time). Rows of workers gone a week are removed."""
    updated = WorkerHeartbeat.objects.filter(
        worker_id=worker_id, seen_at__lte=now - HEARTBEAT_EVERY
    ).update(seen_at=now)
    if updated or WorkerHeartbeat.objects.filter(worker_id=worker_id).exists():
        return
    WorkerHeartbeat.objects.bulk_create(
        [
            WorkerHeartbeat(
                worker_id=worker_id,
                hostname=socket.gethostname()[:255],
                pid=os.getpid(),
                started_at=started_at,
                seen_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=7)).delete()
