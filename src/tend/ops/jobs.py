"""The nightly backup, run by ``tend worker`` when ``TEND_BACKUP_DIR`` is set."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from tend.jobs.registry import register_periodic

from .backup import backup_create, backups_list, backups_prune


def backup_nightly(*, now: datetime | None = None) -> str:
    """Looked at hourly: one archive per day from ``TEND_BACKUP_HOUR`` (server time) on, then
    the retention rule. A worker killed mid-backup leaves only a dot-named leftover; the next
    hour's look finds no archive for today and makes one."""
    if not settings.TEND_BACKUP_DIR:
        return "off (TEND_BACKUP_DIR not set)"
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < settings.TEND_BACKUP_HOUR:
        return "not yet"
    today = local.date()
    if any(
        timezone.localtime(stamp).date() == today
        for stamp, _ in backups_list(settings.TEND_BACKUP_DIR)
    ):
        return "done today"
    result = backup_create(directory=settings.TEND_BACKUP_DIR, now=now)
    deleted = backups_prune(
        directory=settings.TEND_BACKUP_DIR,
        keep_daily=settings.TEND_BACKUP_KEEP_DAILY,
        keep_monthly=settings.TEND_BACKUP_KEEP_MONTHLY,
        now=now,
    )
    return f"{result.path.name} ({result.seconds:.0f}s), {len(deleted)} old removed"


register_periodic("ops.backup_nightly", timedelta(hours=1), backup_nightly)
