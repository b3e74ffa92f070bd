"""``tend backup``: one consistent, compressed, timestamped archive while Tend keeps running.

The archive (``tend-backup-YYYYMMDDTHHMMSSZ.tar``) holds:

- ``database.sqlite3.gz`` (SQLite, copied through its online backup API: one read transaction,
  writers carry on) or ``database.pgdump`` (PostgreSQL, ``pg_dump`` custom format);
- with ``portable``, ``data.jsonl.gz``: the engine-independent dump of the same snapshot
  (``portable.py``) with a checksum per table (a SQLite backup needs none to go into
  PostgreSQL: its database file is read directly);
- ``media/...``: uploaded and generated files under ``MEDIA_ROOT``;
- ``manifest.json`` (last: it holds every member's checksum): rows per table, the migrations
  applied.

It is written under a dot-name and renamed when complete, so a crash leaves no half archive
that looks like a backup."""

import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from . import portable

logger = logging.getLogger("tend.ops")

FORMAT = 1
NAME = re.compile(r"^tend-backup-(\d{8}T\d{6})Z(?:-\d+)?\.tar$")
SNAPSHOT_ALIAS = "tend_backup_snapshot"


class BackupError(Exception):
    """Something the person running the backup has to fix, said in one sentence."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def archive_name(now: datetime, directory: Path) -> str:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    name = f"tend-backup-{stamp}Z.tar"
    suffix = 1
    while (directory / name).exists():
        suffix += 1
        name = f"tend-backup-{stamp}Z-{suffix}.tar"
    return name


# PostgreSQL tools ---------------------------------------------------------------------------


def pg_environment(using: str = "default") -> dict[str, str]:
    """libpq's variables for ``pg_dump``/``pg_restore``: no password on a command line."""
    config = settings.DATABASES[using]
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if config.get(key):
            env[variable] = str(config[key])
    if sslmode := config.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    return env


def pg_tool(tool: str, *, using: str = "default") -> str:
    """The tool's path, refusing one older than the server: an older ``pg_dump`` cannot dump a
    newer server, and says so only in the middle of the night."""
    path = shutil.which(tool)
    connection = connections[using]
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    if path is None:
        raise BackupError(
            f"{tool} is not installed: install the PostgreSQL {server_major} client tools "
            f"(Debian/Ubuntu: apt-get install postgresql-client-{server_major})."
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    found = re.search(r"(\d+)(?:\.\d+)?", output.stdout)
    tool_major = int(found.group(1)) if found else 0
    if tool_major < server_major:
        raise BackupError(
            f"{tool} is version {tool_major} but the database server is PostgreSQL "
            f"{server_major}: the client tools must be version {server_major} or newer "
            f"(Debian/Ubuntu: apt-get install postgresql-client-{server_major})."
        )
    return path


# The snapshot -------------------------------------------------------------------------------


def _sqlite_snapshot(source: str, target: Path) -> None:
    """Copy a live SQLite database page by page in one read transaction (WAL: writers go on)."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        with dst:
            src.backup(dst, pages=-1)
    finally:
        dst.close()
        src.close()


def _register_snapshot_alias(path: Path) -> str:
    config = dict(settings.DATABASES["default"])
    config.update(NAME=str(path), CONN_MAX_AGE=0, OPTIONS={})
    connections.databases[SNAPSHOT_ALIAS] = config
    return SNAPSHOT_ALIAS


def _drop_snapshot_alias() -> None:
    if SNAPSHOT_ALIAS in connections.databases:
        connections[SNAPSHOT_ALIAS].close()
        del connections[SNAPSHOT_ALIAS]
        del connections.databases[SNAPSHOT_ALIAS]


class _Hashing:
    """A writable file that counts and hashes what goes through it."""

    def __init__(self, out) -> None:
        self.out = out
        self.digest = hashlib.sha256()
        self.bytes = 0

    def write(self, data) -> int:
        self.digest.update(data)
        self.bytes += len(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


class _ArchiveWriter:
    """A tar file written member by member, where a member may be streamed: its header is
    written once its size is known. The database's compressed copy goes straight into the
    archive (one pass: no compressed file beside it, no second read for its checksum)."""

    def __init__(self, handle, mtime: int) -> None:
        self.handle = handle
        self.mtime = mtime

    def _header(self, name: str, size: int) -> bytes:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = self.mtime
        return info.tobuf(tarfile.GNU_FORMAT, "utf-8", "surrogateescape")

    def _pad(self, size: int) -> None:
        self.handle.write(b"\0" * (-size % tarfile.BLOCKSIZE))

    def add_stream(self, name: str, write) -> dict:
        """``write(out)`` writes the member's body; returns its bytes and sha256."""
        start = self.handle.tell()
        self.handle.write(b"\0" * tarfile.BLOCKSIZE)  # the header, once the size is known
        body = _Hashing(self.handle)
        write(body)
        end = self.handle.tell()
        header = self._header(name, body.bytes)
        if len(header) != tarfile.BLOCKSIZE:
            raise ValueError(f"{name}: too long a name for a streamed member")
        self.handle.seek(start)
        self.handle.write(header)
        self.handle.seek(end)
        self._pad(body.bytes)
        return {"bytes": body.bytes, "sha256": body.digest.hexdigest()}

    def add_file(self, name: str, path: Path) -> None:
        size = path.stat().st_size
        self.handle.write(self._header(name, size))
        with path.open("rb") as source:
            shutil.copyfileobj(source, self.handle, 1 << 20)
        self._pad(size)

    def add_bytes(self, name: str, body: bytes) -> None:
        self.handle.write(self._header(name, len(body)))
        self.handle.write(body)
        self._pad(len(body))

    def close(self) -> None:
        self.handle.write(b"\0" * (2 * tarfile.BLOCKSIZE))  # the end-of-archive marker


def _copied(source: Path):
    """A body for ``add_stream``: the file as it is."""

    def write(out) -> None:
        with source.open("rb") as raw:
            shutil.copyfileobj(raw, out, 1 << 20)

    return write


def _gzipped(source: Path):
    """A body for ``add_stream``: ``source`` compressed (level 1: the disk, not the CPU, is
    what a backup should wait for)."""

    def write(out) -> None:
        with (
            source.open("rb") as raw,
            gzip.GzipFile(filename="", mode="wb", compresslevel=1, fileobj=out, mtime=0) as packed,
        ):
            shutil.copyfileobj(raw, packed, 1 << 20)

    return write


def _migrations(using: str) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _tables(using: str, work: Path, with_portable: bool) -> dict:
    """Rows per table; with the portable dump, its checksums too (one read for both)."""
    if with_portable:
        with gzip.open(work / "data.jsonl.gz", "wb", compresslevel=3) as out:
            summaries = portable.dump(out, using=using)
        return {t.table: {"rows": t.rows, "sha256": t.sha256} for t in summaries}
    return {table: {"rows": rows} for table, rows in portable.counts(using=using).items()}


def _dump_sqlite(work: Path, using: str, with_portable: bool) -> tuple[dict, dict, list]:
    """The snapshot stays raw in ``work``: it is compressed on its way into the archive."""
    source = settings.DATABASES[using]["NAME"]
    raw = work / "database.sqlite3"
    _sqlite_snapshot(str(source), raw)
    alias = _register_snapshot_alias(raw)
    try:
        tables = _tables(alias, work, with_portable)
        migrations = _migrations(alias)
    finally:
        _drop_snapshot_alias()
    members = {"database.sqlite3.gz": _gzipped(raw)}
    if with_portable:
        members["data.jsonl.gz"] = work / "data.jsonl.gz"
    return tables, members, migrations


def _dump_postgresql(work: Path, using: str, with_portable: bool) -> tuple[dict, dict, list]:
    """``pg_dump`` and the portable dump read the same exported snapshot, side by side."""
    pg_dump = pg_tool("pg_dump", using=using)
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        errors = tempfile.TemporaryFile()  # noqa: SIM115  (closed below)
        process = subprocess.Popen(
            [
                pg_dump,
                "--format=custom",
                "--compress=3",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={work / 'database.pgdump'}",
            ],
            env=pg_environment(using),
            stderr=errors,
        )
        try:
            tables = _tables(using, work, with_portable)
            migrations = _migrations(using)
        finally:
            code = process.wait()
        if code != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()
            raise BackupError(f"pg_dump failed ({code}): {message}")
        errors.close()
    members = {name: work / name for name in ["database.pgdump"]}
    if with_portable:
        members["data.jsonl.gz"] = work / "data.jsonl.gz"
    return tables, members, migrations


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


def backup_create(
    *,
    directory: Path | str,
    now: datetime | None = None,
    using: str = "default",
    with_portable: bool = False,
) -> BackupResult:
    """Write one complete archive into ``directory`` and return where, with its manifest.
    ``with_portable`` adds the engine-independent dump (and per-table checksums): needed to
    take a PostgreSQL backup into SQLite, and slower (every row passes through Python)."""
    started = time.monotonic()
    now = now or timezone.now()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    name = archive_name(now, directory)
    vendor = connections[using].vendor
    with tempfile.TemporaryDirectory(prefix=f".{name}.", dir=directory) as temporary:
        work = Path(temporary)
        if vendor == "sqlite":
            tables, members, migrations = _dump_sqlite(work, using, with_portable)
        elif vendor == "postgresql":
            tables, members, migrations = _dump_postgresql(work, using, with_portable)
        else:
            raise BackupError(f"Tend backs up SQLite and PostgreSQL, not {vendor}.")
        media_root = Path(settings.MEDIA_ROOT)
        media = [
            {
                "path": path.relative_to(media_root).as_posix(),
                "bytes": path.stat().st_size,
                "sha256": _sha256_file(path),
            }
            for path in media_files()
        ]
        partial = directory / f".{name}.partial"
        with partial.open("wb") as handle:
            archive = _ArchiveWriter(handle, int(now.timestamp()))
            written = {}
            for member, body in members.items():
                if isinstance(body, Path):
                    body = _copied(body)
                written[member] = archive.add_stream(member, body)
            for item in media:
                archive.add_file(f"media/{item['path']}", media_root / item["path"])
            manifest = {
                "format": FORMAT,
                "created_at": now.astimezone(UTC).isoformat(),
                "engine": vendor,
                "host": socket.gethostname(),
                "database": next(iter(members)),
                "portable": "data.jsonl.gz" if with_portable else None,
                "migrations": migrations,
                "tables": tables,
                "members": written,
                "media": media,
            }
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            archive.add_bytes("manifest.json", body)
            archive.close()
            handle.flush()
            os.fsync(handle.fileno())  # on disk before it gets its name
        final = directory / name
        partial.rename(final)
    return BackupResult(path=final, manifest=manifest, seconds=time.monotonic() - started)


# Retention ----------------------------------------------------------------------------------


def backups_list(directory: Path | str) -> list[tuple[datetime, Path]]:
    """Complete archives in the folder, newest first."""
    found = []
    directory = Path(directory)
    if not directory.is_dir():
        return []
    for path in directory.iterdir():
        match = NAME.match(path.name)
        if match and path.is_file():
            stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            found.append((stamp, path))
    return sorted(found, key=lambda item: (item[0], item[1].name), reverse=True)


def backups_prune(
    *, directory: Path | str, keep_daily: int, keep_monthly: int, now: datetime | None = None
) -> list[Path]:
    """Keep the newest archive of each of the last ``keep_daily`` days that have one, and of
    each of the last ``keep_monthly`` months; delete the others. Returns what was deleted."""
    now = now or timezone.now()
    zone = timezone.get_default_timezone()
    keep: set[Path] = set()
    days: list = []
    months: list = []
    for stamp, path in backups_list(directory):
        local = stamp.astimezone(zone)
        day, month = local.date(), (local.year, local.month)
        if day not in days and len(days) < keep_daily:
            days.append(day)
            keep.add(path)
        if month not in months and len(months) < keep_monthly:
            months.append(month)
            keep.add(path)
    deleted = []
    for _stamp, path in backups_list(directory):
        if path not in keep:
            path.unlink()
            deleted.append(path)
    # A backup killed half-way leaves its dot-named work behind: remove it after a day.
    for leftover in Path(directory).glob(".tend-backup-*"):
        if now.timestamp() - leftover.stat().st_mtime > timedelta(days=1).total_seconds():
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
    return deleted
