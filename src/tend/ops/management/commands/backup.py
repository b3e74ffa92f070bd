"""``tend backup``: a consistent archive of the database and files, while Tend runs."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tend.ops.backup import BackupError, backup_create, backups_prune


class Command(BaseCommand):
    requires_system_checks: list = []  # checks read the book; a restore target has none yet
    help = (
        "Write a consistent, compressed, timestamped backup (database, portable dump, files) "
        "into --dir (default TEND_BACKUP_DIR), then apply the retention rule."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dir", default=None, help="Folder for the archive.")
        parser.add_argument(
            "--portable",
            action="store_true",
            help="Add the engine-independent dump (needed to restore PostgreSQL into SQLite).",
        )
        parser.add_argument(
            "--no-prune", action="store_true", help="Keep every older archive this time."
        )

    def handle(self, *args, dir, portable, no_prune, **options):
        directory = dir or settings.TEND_BACKUP_DIR
        if not directory:
            raise CommandError("Say where: --dir FOLDER, or set TEND_BACKUP_DIR.")
        try:
            result = backup_create(directory=Path(directory), with_portable=portable)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = result.manifest["tables"]
        rows = sum(item["rows"] for item in tables.values())
        size = result.path.stat().st_size
        self.stdout.write(
            f"{result.path} ({size / 1e6:.1f} MB): {len(tables)} tables, {rows} rows, "
            f"{len(result.manifest['media'])} files, {result.seconds:.1f}s."
        )
        if not no_prune:
            deleted = backups_prune(
                directory=directory,
                keep_daily=settings.TEND_BACKUP_KEEP_DAILY,
                keep_monthly=settings.TEND_BACKUP_KEEP_MONTHLY,
            )
            for path in deleted:
                self.stdout.write(f"Removed {path.name} (retention).")
