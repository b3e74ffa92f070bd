"""``tend import customers FILE`` and ``tend import orders FILE``: check a spreadsheet of
customers (or of order lines, as an ERP exports them) and import it, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tend.accounts.models import Role, User
from tend.imports import columns
from tend.imports.customers import import_customers
from tend.imports.files import UnreadableFile, read_headers

IGNORE_WORDS = {"", "-", "ignore", "none", "skip"}


def parse_overrides(pairs: list[str], headers: list[str]) -> dict[int, str | None]:
    """'Header=field' pairs as column index -> target key (None: ignore the column)."""
    overrides: dict[int, str | None] = {}
    normalised = [columns.normalise_header(header) for header in headers]
    for pair in pairs:
        header, sep, target = pair.rpartition("=")
        if not sep:
            raise CommandError(f"--map takes Header=field, not {pair!r}.")
        header = header.strip()
        if header in headers:
            index = headers.index(header)
        elif columns.normalise_header(header) in normalised:
            index = normalised.index(columns.normalise_header(header))
        else:
            raise CommandError(
                f"No column is headed {header!r}; the headers are: "
                + ", ".join(repr(h) for h in headers)
            )
        if target.strip().lower() in IGNORE_WORDS:
            overrides[index] = None
            continue
        key = columns.resolve_target(target)
        if key is None:
            raise CommandError(
                f"Unknown field {target!r}; use one of: " + ", ".join(columns.TARGETS)
            )
        overrides[index] = key
    return overrides


class Command(BaseCommand):
    help = (
        "Import customers from an .xlsx or .csv file (UTF-8 or GBK). Headers in English or "
        "Chinese are matched to fields; --dry-run lists every bad row and writes nothing. "
        "Rows whose external id is already in the book update that customer. "
        "'orders': one row per order line; rows with the same order number are one order, and "
        "an order number already in Tend is updated, never duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["customers", "orders"], help="what the file holds")
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help="the person importing (their rights apply); default: the only admin",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="map a column to a field (or to 'ignore'); fields: " + ", ".join(columns.TARGETS),
        )

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active person with username {username!r}.")
            return user
        admins = list(User.objects.filter(role=Role.ADMIN, is_active=True)[:2])
        if len(admins) != 1:
            raise CommandError("Say who imports with --as USERNAME.")
        return admins[0]

    def handle(self, *args, what, file, dry_run, as_user, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        user = self._user(as_user)
        if what == "orders":
            return self._orders(file, user, dry_run, options["map"])
        try:
            headers = read_headers(file)
            mapping = columns.auto_mapping(headers)
            for index, key in parse_overrides(options["map"], headers).items():
                mapping[index] = key
            result = import_customers(by=user, path=file, mapping=mapping, commit=not dry_run)
        except UnreadableFile as exc:
            raise CommandError(str(exc)) from exc
        write = self.stdout.write
        write(
            f"{file.name}: {result.rows} rows, read and checked in {result.seconds:.1f} s "
            f"as {user.username}."
        )
        write("Columns:")
        for header, key in zip(result.headers, result.mapping, strict=True):
            target = f"{key} ({columns.TARGETS[key].label})" if key else "(ignored)"
            write(f"  {header!r:32} -> {target}")
        if result.errors:
            write(
                self.style.ERROR(
                    f"{len(result.errors)} errors in {result.rows - result.good_rows} rows:"
                )
            )
            for error in result.errors:
                where = f"row {error.row}" if error.row is not None else "file"
                column = f", {error.column}" if error.column else ""
                write(f"  {where}{column}: {error.message}")
            raise CommandError("Nothing was imported: fix the rows above and run it again.")
        summary = (
            f"{result.customers_created} customers new, {result.customers_updated} updated, "
            f"{result.customers_unchanged} unchanged; {result.contacts_created} contacts new, "
            f"{result.contacts_updated} updated."
        )
        if result.terms_held_for_approval:
            summary += f" {result.terms_held_for_approval} new customers' terms wait for approval."
        if result.committed:
            write(self.style.SUCCESS(f"Imported: {summary}"))
        else:
            write(self.style.SUCCESS(f"Dry run, all {result.rows} rows good: {summary}"))

    def _orders(self, file: Path, user: User, dry_run: bool, pairs: list[str]) -> None:
        from tend.imports.orders import ORDER_TARGET_KEYS, import_orders

        if pairs:
            raise CommandError("--map works for customers only; orders are matched by header.")
        try:
            result = import_orders(by=user, path=file, commit=not dry_run)
        except UnreadableFile as exc:
            raise CommandError(str(exc)) from exc
        write = self.stdout.write
        write(
            f"{file.name}: {result.rows} rows, read and checked in {result.seconds:.1f} s "
            f"as {user.username}."
        )
        write("Columns:")
        for header, key in zip(result.headers, result.mapping, strict=True):
            target = f"{key} ({ORDER_TARGET_KEYS[key].label})" if key else "(ignored)"
            write(f"  {header!r:32} -> {target}")
        if result.errors:
            write(
                self.style.ERROR(
                    f"{len(result.errors)} errors in {result.rows - result.good_rows} rows:"
                )
            )
            for error in result.errors:
                where = f"row {error.row}" if error.row is not None else "file"
                column = f", {error.column}" if error.column else ""
                write(f"  {where}{column}: {error.message}")
            raise CommandError("Nothing was imported: fix the rows above and run it again.")
        summary = (
            f"{result.orders_created} orders new ({result.lines_created} lines), "
            f"{result.orders_updated} updated, {result.orders_unchanged} unchanged; "
            f"{result.lines_updated} lines' batch numbers updated."
        )
        if result.orders_held_for_approval:
            summary += (
                f" {result.orders_held_for_approval} new orders are drafts waiting for a "
                "discount approval."
            )
        if result.committed:
            write(self.style.SUCCESS(f"Imported: {summary}"))
        else:
            write(self.style.SUCCESS(f"Dry run, all {result.rows} rows good: {summary}"))
