"""The portable dump: every table as JSON lines, independent of the database engine.

A SQLite backup restores into PostgreSQL (and back) through it. Rows are read and written in
batches, never all at once, so a book of millions of rows needs little memory. The same
encoding gives each table's checksum, so a restore can prove it holds what the backup held.

Layout (gzip-compressed text, one JSON value per line)::

    {"table": "customers_customer", "model": "customers.customer", "columns": ["id", ...]}
    [1, "Acme", "2026-01-05T08:00:00+00:00", "12.50", ...]
    ...
    {"end": "customers_customer", "rows": 1234, "sha256": "..."}
"""

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import IO
from uuid import UUID

from django.apps import apps
from django.core.management.color import no_style
from django.db import connections, models, transaction

from tend.core.derived import derived_suspended

BATCH = 5000
# PostgreSQL's memory for the sorts and hashes of a restore's one-off rebuilds (indexes, the
# trigger-kept tables), a session's worth at a time.
RESTORE_WORK_MEM = "512MB"


def dumped_models(using: str = "default") -> list[type[models.Model]]:
    """Every concrete table Django manages (many-to-many tables too), parents before the
    tables that point at them, so a load can commit table by table."""
    candidates = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        # Tables the database derives by triggers (reports.CustomerMonthRevenue) are rebuilt
        # as their source rows load; loading them too would count everything twice.
        and not getattr(model, "DERIVED_BY_TRIGGERS", False)
    ]
    existing = set(connections[using].introspection.table_names())
    present = [model for model in candidates if model._meta.db_table in existing]
    return _parents_first(present)


def _parents_first(found: list[type[models.Model]]) -> list[type[models.Model]]:
    by_table = {model._meta.db_table: model for model in found}
    needs = {
        model._meta.db_table: {
            field.related_model._meta.db_table
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model is not None
        }
        & set(by_table) - {model._meta.db_table}
        for model in found
    }
    ordered: list[str] = []
    placed: set[str] = set()
    pending = sorted(by_table)
    while pending:
        ready = [table for table in pending if needs[table] <= placed]
        if not ready:  # a cycle: take the first; the load defers its constraint checks
            ready = pending[:1]
        for table in ready:
            ordered.append(table)
            placed.add(table)
        pending = [table for table in pending if table not in placed]
    return [by_table[table] for table in ordered]


def _encoder(field: models.Field):
    kind = field.get_internal_type()
    if kind == "BinaryField":
        return lambda value: None if value is None else base64.b64encode(bytes(value)).decode()
    if kind == "DurationField":
        return lambda value: None if value is None else value // timedelta(microseconds=1)
    return _plain


def _plain(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    return value  # JSON field contents: lists, dicts


def _decoder(field: models.Field):
    kind = field.get_internal_type()
    if kind == "BinaryField":
        return lambda value: None if value is None else base64.b64decode(value)
    if kind == "DurationField":
        return lambda value: None if value is None else timedelta(microseconds=value)
    if kind == "JSONField":
        return lambda value: value
    return lambda value: None if value is None else field.to_python(value)


def _line(values: list) -> bytes:
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@dataclass
class TableSummary:
    table: str
    rows: int
    sha256: str


def table_rows(model: type[models.Model], using: str) -> Iterator[list]:
    """The table's rows in primary-key order, encoded, a batch at a time."""
    fields = model._meta.concrete_fields
    encoders = [_encoder(field) for field in fields]
    rows = (
        model._base_manager.using(using)
        .order_by("pk")
        .values_list(*[field.attname for field in fields])
        .iterator(chunk_size=BATCH)
    )
    for row in rows:
        yield [encode(value) for encode, value in zip(encoders, row, strict=True)]


def dump(out: IO[bytes], *, using: str = "default") -> list[TableSummary]:
    """Write every table to ``out``; return its row count and checksum per table."""
    summaries = []
    for model in dumped_models(using):
        table = model._meta.db_table
        header = {
            "table": table,
            "model": model._meta.label_lower,
            "columns": [field.attname for field in model._meta.concrete_fields],
        }
        out.write(json.dumps(header).encode() + b"\n")
        digest = hashlib.sha256()
        count = 0
        for values in table_rows(model, using):
            line = _line(values)
            digest.update(line + b"\n")
            out.write(line + b"\n")
            count += 1
        summaries.append(TableSummary(table=table, rows=count, sha256=digest.hexdigest()))
        out.write(json.dumps({"end": table, "rows": count, "sha256": digest.hexdigest()}).encode())
        out.write(b"\n")
    return summaries


def checksums(*, using: str = "default", tables: Iterable[str] | None = None) -> dict:
    """Row count and checksum per table of the database as it is now, as ``dump`` records them."""
    wanted = set(tables) if tables is not None else None
    result = {}
    for model in dumped_models(using):
        table = model._meta.db_table
        if wanted is not None and table not in wanted:
            continue
        digest = hashlib.sha256()
        count = 0
        for values in table_rows(model, using):
            digest.update(_line(values) + b"\n")
            count += 1
        result[table] = {"rows": count, "sha256": digest.hexdigest()}
    return result


def counts(*, using: str = "default") -> dict[str, int]:
    return {
        model._meta.db_table: model._base_manager.using(using).count()
        for model in dumped_models(using)
    }


# Loading ------------------------------------------------------------------------------------


def empty_all_tables(*, using: str = "default") -> None:
    """Remove every row Django's tables hold (the content types and data-migration rows that
    ``migrate`` wrote), so the load puts back exactly the backup's rows, ids included."""
    connection = connections[using]
    tables = [model._meta.db_table for model in dumped_models(using)]
    if not tables:
        return
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"TRUNCATE {', '.join(quote(t) for t in tables)} RESTART IDENTITY CASCADE"
            )
        else:
            # Django's SQLite foreign keys are deferred: checked at commit, when all are empty.
            for table in reversed(tables):
                cursor.execute(f"DELETE FROM {quote(table)}")


def load(lines: IO[bytes], *, using: str = "default", progress=None) -> dict[str, int]:
    """Insert the dump's rows into empty tables of the same schema: COPY on PostgreSQL,
    batched INSERTs on SQLite; one transaction per table; sequences reset at the end."""
    connection = connections[using]
    loaded: dict[str, int] = {}
    touched: list[type[models.Model]] = []
    writer: _TableWriter | None = None
    pending: list[list] = []
    try:
        for raw in lines:
            item = json.loads(raw)
            if isinstance(item, list):
                pending.append(item)
                if len(pending) >= BATCH:
                    writer.write(pending)
                    pending = []
            elif "table" in item:
                writer = _TableWriter(apps.get_model(item["model"]), item["columns"], connection)
                writer.begin()
                touched.append(writer.model)
            elif "end" in item:
                if pending:
                    writer.write(pending)
                    pending = []
                if writer.rows != item["rows"]:
                    raise ValueError(
                        f"{item['end']}: the dump says {item['rows']} rows, {writer.rows} were read"
                    )
                finished, writer = writer, None
                finished.finish()
                loaded[item["end"]] = finished.rows
                if progress:
                    progress(item["end"], finished.rows)
        if writer is not None:
            raise ValueError(
                f"The dump ends inside table {writer.model._meta.db_table}: the file is truncated."
            )
    except BaseException as exc:
        if writer is not None:
            writer.abort(exc)
        raise
    sequences_reset(touched, using=using)
    return loaded


def sequences_reset(touched: list[type[models.Model]], *, using: str = "default") -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move each past its table's largest id."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), touched)
    if statements:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


class _TableWriter:
    def __init__(self, model, columns: list[str], connection) -> None:
        fields_by_attname = {field.attname: field for field in model._meta.concrete_fields}
        unknown = [column for column in columns if column not in fields_by_attname]
        if unknown:
            raise ValueError(
                f"{model._meta.db_table}: the dump has columns this schema lacks ({unknown}); "
                "restore with the Tend release that made the backup, then upgrade."
            )
        self.model = model
        self.connection = connection
        self.fields = [fields_by_attname[column] for column in columns]
        self.decoders = [_decoder(field) for field in self.fields]
        self.rows = 0
        self.atomic = transaction.atomic(using=connection.alias)
        self.cursor = None
        self.copy = None

    def begin(self) -> None:
        self.atomic.__enter__()
        self.cursor = self.connection.cursor()
        quote = self.connection.ops.quote_name
        table = quote(self.model._meta.db_table)
        columns = ", ".join(quote(field.column) for field in self.fields)
        if self.connection.vendor == "postgresql":
            self.cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            self._copy_cm = self.cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN")
            self.copy = self._copy_cm.__enter__()
        else:
            marks = ", ".join(["%s"] * len(self.fields))
            # Foreign keys are deferred to the commit, as on PostgreSQL.
            self.insert = f"INSERT INTO {table} ({columns}) VALUES ({marks})"

    def _prepared(self, values: list) -> list:
        connection = self.connection
        return [
            field.get_db_prep_save(decode(value), connection)
            for field, decode, value in zip(self.fields, self.decoders, values, strict=True)
        ]

    def write(self, batch: list[list]) -> None:
        self.write_prepared([self._prepared(values) for values in batch])

    def write_prepared(self, rows: list) -> None:
        if self.copy is not None:
            for row in rows:
                self.copy.write_row(row)
        else:
            self.cursor.executemany(self.insert, rows)
        self.rows += len(rows)

    def write_text(self, data: str, rows: int) -> None:
        """Rows already in COPY's text format, one per line."""
        self.copy.write(data)
        self.rows += rows

    def finish(self) -> None:
        if self.copy is not None:
            self._copy_cm.__exit__(None, None, None)
        self.cursor.close()
        self.atomic.__exit__(None, None, None)

    def abort(self, exc: BaseException) -> None:
        if self.copy is not None:
            self._copy_cm.__exit__(type(exc), exc, exc.__traceback__)
        self.atomic.__exit__(type(exc), exc, exc.__traceback__)


# Straight from a SQLite backup ---------------------------------------------------------------


# Stored as integers in both engines: no escaping needed.
_INTEGER_KINDS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}


def _copy_text(column: str, field: models.Field) -> str:
    """SQLite SQL for the stored value as a field of PostgreSQL's COPY text format (NULL is
    ``\\N``; backslash, tab, newline and return escaped), so SQLite, not Python, formats rows."""
    while field.is_relation:
        field = field.target_field
    kind = field.get_internal_type()
    value = f'"{column}"'
    if kind in ("BooleanField", "NullBooleanField"):
        value = f"CASE WHEN {value} IS NULL THEN NULL WHEN {value} THEN 't' ELSE 'f' END"
    elif kind == "DateTimeField":  # stored as UTC without its offset
        value = f"{value} || '+00:00'"
    elif kind == "DurationField":  # stored as microseconds
        value = f"{value} || ' microseconds'"
    elif kind == "FloatField":  # 17 digits: the same double on the other side
        value = f"CASE WHEN {value} IS NOT NULL THEN printf('%!.17g', {value}) END"
    elif kind == "BinaryField":
        # COPY unescapes it to bytea's \\x...; hex(NULL) would be '' (printf's NULL is 0).
        value = f"CASE WHEN {value} IS NOT NULL THEN '\\\\x' || hex({value}) END"
    elif kind not in _INTEGER_KINDS:
        for special, escaped in (("'\\'", "'\\\\'"), ("char(9)", "'\\t'"), ("char(10)", "'\\n'")):
            value = f"replace({value}, {special}, {escaped})"
        value = f"replace({value}, char(13), '\\r')"
    return f"coalesce({value}, '\\N')"


def load_sqlite_file(path, *, using: str = "default", progress=None) -> dict[str, int]:
    """Copy every table of a SQLite database file into this (migrated, emptied) database,
    reading SQLite's stored values directly, no model instances, one transaction per table,
    sequences reset. Into PostgreSQL, SQLite writes the rows as COPY text and they go in
    chunks of ``BATCH`` rows; into SQLite, batched INSERTs."""
    import sqlite3

    connection = connections[using]
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    loaded: dict[str, int] = {}
    touched = []
    try:
        source_tables = {
            name
            for (name,) in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        for model in dumped_models(using):
            table = model._meta.db_table
            if table not in source_tables:
                continue
            stored = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
            by_column = {field.column: field for field in model._meta.concrete_fields}
            unknown = [column for column in stored if column not in by_column]
            if unknown:
                raise ValueError(
                    f"{table}: the backup has columns this schema lacks ({unknown}); restore "
                    "with the Tend release that made the backup, then upgrade."
                )
            fields = [by_column[column] for column in stored]
            writer = _TableWriter(model, [field.attname for field in fields], connection)
            writer.begin()
            try:
                if writer.copy is not None:
                    texts = map(_copy_text, stored, fields)
                    line = " || char(9) || ".join(texts)
                    rows = source.execute(f'SELECT {line} FROM "{table}"')
                    while batch := rows.fetchmany(BATCH):
                        writer.write_text("\n".join([row[0] for row in batch]) + "\n", len(batch))
                else:
                    columns = ", ".join(f'"{column}"' for column in stored)
                    rows = source.execute(f'SELECT {columns} FROM "{table}"')
                    while batch := rows.fetchmany(BATCH):
                        writer.write_prepared(batch)
            except BaseException as exc:
                writer.abort(exc)
                raise
            writer.finish()
            touched.append(model)
            loaded[table] = writer.rows
            if progress:
                progress(table, writer.rows)
    finally:
        source.close()
    sequences_reset(touched, using=using)
    return loaded


@contextmanager
def bulk_loading(*, using: str = "default"):
    """Load as ``pg_restore`` does. The tables kept by triggers (``core.derived``) are rebuilt
    once at the end instead of a trigger per loaded row. On PostgreSQL, foreign keys and
    secondary indexes are set aside while the rows go in, then built once (each foreign key
    checked in one pass rather than row by row), before the derived tables are rebuilt."""
    with (
        derived_suspended(using=using, work_mem=RESTORE_WORK_MEM),
        _keys_and_indexes_set_aside(using=using),
    ):
        yield


@contextmanager
def _keys_and_indexes_set_aside(*, using: str):
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname "
            "AND c.connamespace = current_schema()::regnamespace)"
        )
        indexes = cursor.fetchall()
        quote = connection.ops.quote_name
        with transaction.atomic(using=using):
            for table, name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
    try:
        yield
    finally:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            # One sort per index over millions of rows: in memory, not in temporary files.
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{RESTORE_WORK_MEM}'")
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
