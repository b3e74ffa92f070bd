"""``/healthz`` for a load balancer or a monitor: no sign-in, no data, a small JSON answer."""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import WorkerHeartbeat

_migrated = False  # once true, stays true until the code (and so the process) changes


def _migrations_applied() -> bool:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, its schema is this release's and a worker was seen in
    the last ``TEND_HEALTHZ_WORKER_MINUTES``; otherwise 503 saying which check failed."""
    checks = {"database": "ok", "migrations": "ok", "worker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        checks = {"database": "unreachable", "migrations": "unknown", "worker": "unknown"}
    else:
        try:
            if not _migrations_applied():
                checks["migrations"] = "pending"
            window = timedelta(minutes=settings.TEND_HEALTHZ_WORKER_MINUTES)
            seen = (
                WorkerHeartbeat.objects.order_by("-seen_at")
                .values_list("seen_at", flat=True)
                .first()
            )
            if seen is None:
                checks["worker"] = "never seen"
            elif seen < timezone.now() - window:
                checks["worker"] = "not seen recently"
        except DatabaseError:  # tables missing: a database never migrated
            checks["migrations"] = "pending"
            checks["worker"] = "unknown"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks},
        status=200 if healthy else 503,
    )
