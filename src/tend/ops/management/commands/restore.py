"""``tend restore FILE``: a backup into an empty database; counts per table afterwards."""

from django.core.management.base import BaseCommand, CommandError

from tend.ops.backup import BackupError
from tend.ops.restore import restore


class Command(BaseCommand):
    requires_system_checks: list = []  # checks read the book; a restore target has none yet
    help = (
        "Restore a `tend backup` archive into an empty database (SQLite or PostgreSQL, either "
        "way), then migrate it and print the rows per table."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The .tar archive `tend backup` wrote.")
        parser.add_argument(
            "--force",
            "--replace",
            action="store_true",
            dest="force",
            help="Replace a database that already holds a book (everything in it is lost).",
        )
        parser.add_argument(
            "--portable",
            action="store_true",
            help="Copy table by table (portable dump, or the SQLite file) even when the "
            "engines match.",
        )

    def handle(self, *args, file, force, portable, **options):
        try:
            result = restore(
                file, force=force, portable_only=portable, say=lambda line: self.stdout.write(line)
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        width = max((len(table) for table in result.counts), default=10)
        for table, rows in sorted(result.counts.items()):
            expected = result.expected.get(table)
            note = "" if expected in (None, rows) else f"  (backup had {expected})"
            self.stdout.write(f"{table:<{width}}  {rows:>10}{note}")
        total = sum(result.counts.values())
        self.stdout.write(
            f"Restored {total} rows in {len(result.counts)} tables ({result.method})."
        )
        if result.mismatched:
            raise CommandError(
                f"Row counts differ from the backup in: {', '.join(result.mismatched)}."
            )
