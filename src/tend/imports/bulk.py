"""Writing many rows at once, faster than ``bulk_create`` and ``bulk_update``.

Rows are plain tuples of database-ready values for the columns the caller names; every other
column gets the model field's default (so a field added to a model later still gets its value).
Ids are drawn up front (PostgreSQL: from the table's sequence; SQLite: past the table's highest
id, safe because Tend's SQLite transactions take the write lock when they begin), so the caller
knows them before the rows are written and can point other rows at them (``append`` leaves them
to the database, for rows nothing points at). PostgreSQL loads with COPY, SQLite with
executemany. Must run inside ``transaction.atomic``.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connections, models, router

from tend.core.guard import GuardedChange, guard_open
from tend.jobs.crashpoints import crash_point

COPY_ROWS = 5000


def _connection(model):
    return connections[router.db_for_write(model)]


def db_datetime(model, value: datetime):
    """A datetime as the database takes it (SQLite: text in UTC)."""
    return _connection(model).ops.adapt_datetimefield_value(value)


def _default(field: models.Field, connection, now: datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = now
    else:
        value = field.get_default()
    return field.get_db_prep_save(value, connection)


def _preparer(field: models.Field, connection):
    """Python value -> database value for one field; plain scalars pass straight through."""
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)

    def prepare(value):
        if value is None or type(value) in (str, int, bool):
            return value
        return field.get_db_prep_save(value, connection)

    return prepare


def allocate_ids(model, count: int) -> list[int]:
    if count == 0:
        return []
    connection = _connection(model)
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT MAX({connection.ops.quote_name(pk)}) FROM "
                f"{connection.ops.quote_name(table)}"
            )
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
            if cursor.fetchone():
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                highest = max(highest, row[0] if row else 0)
            return list(range(highest + 1, highest + 1 + count))
    raise NotImplementedError(f"Bulk import does not support {connection.vendor}.")


def insert(
    model,
    names: Sequence[str],
    rows: Sequence[tuple],
    *,
    now: datetime,
    ids: Sequence[int] | None = None,
) -> list[int]:
    """Insert ``rows`` (values for the fields ``names``, by attname) and return their ids."""
    if not rows:
        return []
    ids = list(ids) if ids is not None else allocate_ids(model, len(rows))
    _write(model, names, rows, now=now, ids=ids)
    return ids


def append(model, names: Sequence[str], rows: Iterable[tuple], *, now: datetime) -> int:
    """``insert`` with the ids left to the database, for rows nothing points at (drawing the
    ids of a scoring's 100,000 snapshots up front cost PostgreSQL about 0.4 s); returns how
    many were written. ``rows`` may be a generator: PostgreSQL then stores the first rows while
    the next are built."""
    written = 0

    def counted():
        nonlocal written
        for row in rows:
            written += 1
            yield row

    _write(model, names, counted(), now=now, ids=None)
    return written


def _write(model, names, rows, *, now: datetime, ids: list[int] | None) -> None:
    connection = _connection(model)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    named = {f.attname: f for f in fields}
    unknown = [name for name in names if name not in named]
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {unknown}")
    rest = [f for f in fields if f.attname not in names]
    constants = tuple(_default(f, connection, now) for f in rest)
    quote = connection.ops.quote_name
    columns = [*(named[n].column for n in names), *(f.column for f in rest)]
    if ids is not None:
        columns.insert(0, model._meta.pk.column)
        rows = ((pk, *row) for pk, row in zip(ids, rows, strict=True))
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row((*row, *constants))
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})",
                [(*row, *constants) for row in rows],
            )
    crash_point(f"bulk_insert:{model._meta.db_table}")  # kill tests: rows written, uncommitted


def update(model, names: Sequence[str], rows: Sequence[tuple]) -> None:
    """UPDATE the fields ``names`` (by attname); each row is (*Python values, pk)."""
    if not rows:
        return
    # An order's status (a transition field) may be written here: the importer has checked each
    # move against ``orders.transitions`` and the approval policy, row by row, under lock.
    guarded = set(names) & set(getattr(model, "GUARDED_FIELDS", ()))
    if guarded and not guard_open():  # as GuardedQuerySet.update refuses it
        raise GuardedChange(model.__name__, guarded)
    connection = _connection(model)
    quote = connection.ops.quote_name
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = [by_attname[name] for name in names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    prepare = [_preparer(field, connection) for field in fields]
    prepared = [(*(p(v) for p, v in zip(prepare, row, strict=False)), row[-1]) for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > COPY_ROWS:
            _update_from_copy(cursor, connection, model, fields, prepared)
        else:
            cursor.executemany(sql, prepared)


def _update_from_copy(cursor, connection, model, fields, rows) -> None:
    """Many rows on PostgreSQL: COPY them into a temporary table shaped like the target's
    columns, then one UPDATE ... FROM it (instead of one statement per row)."""
    global _temp_tables
    _temp_tables += 1
    quote = connection.ops.quote_name
    temp = quote(f"tend_bulk_update_{_temp_tables}")
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = [quote(field.column) for field in fields]
    cursor.execute(
        f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
        f"SELECT {', '.join(columns)}, {pk} FROM {table} WITH NO DATA"
    )
    with cursor.copy(f"COPY {temp} ({', '.join(columns)}, {pk}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    assignments = ", ".join(f"{column} = source.{column}" for column in columns)
    cursor.execute(
        f"UPDATE {table} AS target SET {assignments} FROM {temp} AS source "
        f"WHERE target.{pk} = source.{pk}"
    )


_temp_tables = 0
