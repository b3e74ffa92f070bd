"""``tend restore FILE``: a backup into an empty database, then ``migrate``.

Same engine: SQLite's file through its backup API, PostgreSQL's dump through ``pg_restore``.
Across engines (a team moving from SQLite to PostgreSQL): the portable dump, streamed in
batches, after migrating the empty database to the backup's schema; ``migrate`` then brings
it to this release's."""

import gzip
import hashlib
import json
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from . import portable
from .backup import BackupError, pg_environment, pg_tool

# A database holding any of these rows is somebody's book: never overwritten without --force.
BOOK_TABLES = ("accounts_user", "customers_customer", "orders_order")


@dataclass
class RestoreResult:
    method: str
    counts: dict[str, int]
    expected: dict[str, int]
    mismatched: list[str] = field(default_factory=list)


def manifest_read(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile("manifest.json"))
    except KeyError:
        raise BackupError("This file is not a Tend backup: it has no manifest.json.") from None
    if manifest.get("format") != 1:
        raise BackupError(f"Backup format {manifest.get('format')!r} is not one this Tend reads.")
    return manifest


def book_rows(using: str = "default") -> dict[str, int]:
    """Rows in the tables that make a database someone's book (absent or empty tables left
    out)."""
    return {table: rows for table, rows in row_counts(BOOK_TABLES, using).items() if rows}


def row_counts(tables, using: str = "default") -> dict[str, int]:
    """Rows of each of ``tables`` the database has (absent tables left out)."""
    connection = connections[using]
    present = set(connection.introspection.table_names())
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table in present:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                rows[table] = cursor.fetchone()[0]
    return rows


def _extract(
    archive: tarfile.TarFile, member: str, manifest: dict, into: Path, *, gunzip: bool = False
) -> Path:
    """Extract one member (``gunzip``: decompressed on the way, one pass) and check it against
    the manifest's checksum."""
    target = into / (member.removesuffix(".gz") if gunzip else member)
    digest = hashlib.sha256()
    source = archive.extractfile(member)
    if source is None:
        raise BackupError(f"The backup lacks {member}.")
    damaged = BackupError(f"{member} does not match its checksum: the backup file is damaged.")
    unpack = zlib.decompressobj(wbits=31) if gunzip else None
    with target.open("wb") as out:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            if unpack is not None:
                try:
                    chunk = unpack.decompress(chunk)
                except zlib.error:
                    raise damaged from None
            out.write(chunk)
    expected = manifest["members"].get(member, {}).get("sha256")
    if (expected and digest.hexdigest() != expected) or (unpack and not unpack.eof):
        raise damaged
    return target


def _restore_sqlite_file(raw: Path, using: str) -> None:
    connections[using].close()
    target = str(settings.DATABASES[using]["NAME"])
    src = sqlite3.connect(str(raw))
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst, pages=-1)
    finally:
        dst.close()
        src.close()


def _drop_all_tables(using: str) -> None:
    connection = connections[using]
    tables = connection.introspection.table_names()
    if tables:
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(quote(t) for t in tables)} CASCADE")
    if connection.vendor == "postgresql":
        # Trigger functions (reports' stored revenue months) outlive their tables; the dump
        # creates them again.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p "
                "JOIN pg_language l ON l.oid = p.prolang "
                "WHERE p.pronamespace = current_schema()::regnamespace AND l.lanname = 'plpgsql'"
            )
            for (function,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")


def _restore_pg_dump(dump: Path, using: str) -> None:
    pg_restore = pg_tool("pg_restore", using=using)
    _drop_all_tables(using)
    connections[using].close()
    completed = subprocess.run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--jobs=2",
            f"--dbname={settings.DATABASES[using]['NAME']}",
            str(dump),
        ],
        env=pg_environment(using),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BackupError(f"pg_restore failed: {completed.stderr.strip()}")


def migrate_to_backup_schema(applied: list[list[str]], using: str) -> None:
    """Bring an empty database to the schema the backup was made with, so its rows fit."""
    connection = connections[using]
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    recorded = {tuple(node) for node in applied}
    unknown = recorded - set(graph.nodes)
    if unknown:
        raise BackupError(
            "The backup was made by a newer Tend (migrations "
            f"{', '.join(sorted('.'.join(n) for n in unknown))}): upgrade Tend first."
        )
    targets = [
        node
        for node in recorded
        if not any(child in recorded for child in graph.node_map[node].children)
    ]
    executor.migrate(targets)


def restore(
    path: Path | str,
    *,
    using: str = "default",
    force: bool = False,
    portable_only: bool = False,
    say: Callable[[str], None] = lambda line: None,
) -> RestoreResult:
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    occupied = book_rows(using)
    if occupied and not force:
        listed = ", ".join(f"{table} {rows}" for table, rows in occupied.items())
        raise BackupError(
            f"The database is not empty ({listed} rows): restore into an empty database, "
            "or pass --force to replace what it holds."
        )
    vendor = connections[using].vendor
    with tarfile.open(path, "r") as archive, tempfile.TemporaryDirectory() as temporary:
        manifest = manifest_read(archive)
        work = Path(temporary)
        if manifest["engine"] == vendor and not portable_only:
            dump = _extract(
                archive, manifest["database"], manifest, work, gunzip=vendor == "sqlite"
            )
            if vendor == "sqlite":
                say("Restoring the SQLite database file...")
                _restore_sqlite_file(dump, using)
                method = "sqlite backup API"
            else:
                say("Restoring with pg_restore...")
                _restore_pg_dump(dump, using)
                method = "pg_restore"
        else:
            method = _restore_across(archive, manifest, work, using, say, empty=not occupied)
        _restore_media(archive, manifest)
    # Checked as restored, before this release's migrations: a newer release's migrations may
    # add rows (its content types and permissions, data it fills in), which is no loss.
    expected = {table: item["rows"] for table, item in manifest["tables"].items()}
    loaded = row_counts(expected, using)
    mismatched = [table for table, rows in expected.items() if loaded.get(table) != rows]
    say("Migrating to this release's schema...")
    call_command("migrate", database=using, interactive=False, verbosity=0)
    counts = portable.counts(using=using)
    return RestoreResult(method=method, counts=counts, expected=expected, mismatched=mismatched)


def _restore_across(archive, manifest: dict, work: Path, using: str, say, *, empty: bool) -> str:
    """Into the other engine (or on request): the empty database is migrated to the backup's
    schema (unless it holds no book and is at that schema already), then filled from the
    SQLite file itself or from the portable dump."""
    vendor = connections[using].vendor
    if manifest.get("portable"):
        source = _extract(archive, manifest["portable"], manifest, work)
    elif manifest["engine"] == "sqlite":
        source = _extract(archive, manifest["database"], manifest, work, gunzip=True)
    else:
        raise BackupError(
            "This PostgreSQL backup has no portable dump: restore it into PostgreSQL, or make "
            "one with `tend backup --portable` to restore into SQLite."
        )
    say(f"Copying {manifest['engine']} → {vendor}...")
    applied = MigrationRecorder(connections[using]).applied_migrations()
    if empty and set(applied) == {tuple(node) for node in manifest["migrations"]}:
        # Set up with `tend migrate` by the same release: its tables are the backup's already.
        say("The database already has the backup's schema.")
    else:
        if vendor == "postgresql":
            _drop_all_tables(using)
        else:
            _sqlite_drop_all(using)
        migrate_to_backup_schema(manifest["migrations"], using)
    portable.empty_all_tables(using=using)
    progress = lambda table, rows: say(f"  {table}: {rows}")  # noqa: E731
    if manifest.get("portable"):
        with gzip.open(source, "rb") as lines, portable.bulk_loading(using=using):
            portable.load(lines, using=using, progress=progress)
        return "portable dump"
    with portable.bulk_loading(using=using):
        portable.load_sqlite_file(source, using=using, progress=progress)
    return "SQLite file copied table by table"


def _sqlite_drop_all(using: str) -> None:
    connection = connections[using]
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")
        cursor.execute("PRAGMA foreign_keys = ON")


def _restore_media(archive: tarfile.TarFile, manifest: dict) -> None:
    root = Path(settings.MEDIA_ROOT)
    for item in manifest.get("media", []):
        relative = Path(item["path"])
        if relative.is_absolute() or ".." in relative.parts:
            raise BackupError(f"The backup names a file outside the media folder: {relative}.")
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(f"media/{item['path']}")
        digest = hashlib.sha256()
        with target.open("wb") as out:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != item["sha256"]:
            raise BackupError(f"media/{relative} does not match its checksum.")
