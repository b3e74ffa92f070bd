"""Fast inserts of many plain rows: the demo book's steps and mail capture write tens of
thousands of them at a time.

``bulk_insert(Model, ["field", ...], rows)`` writes tuples straight through the database driver
(COPY on PostgreSQL, ``executemany`` on SQLite) on Django's connection, so inside the current
transaction. It skips model instances, signals, ``auto_now`` and validation: callers pass final,
valid values (aware datetimes, dicts for JSON fields, ids for foreign keys via ``<name>_id``).
"""

import json
from collections.abc import Iterable, Sequence
from datetime import UTC

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models


def _sqlite_datetime(value):
    if value is None or isinstance(value, str):  # already in the database's format
        return value
    if value.tzinfo is not None:
        text = value.isoformat(" ")
        if text.endswith("+00:00"):  # the usual case: already UTC
            return text[:-6]
        value = value.astimezone(UTC).replace(tzinfo=None)
    return str(value)  # what Django's SQLite backend stores


def _field(model: type[models.Model], name: str) -> models.Field:
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return model._meta.get_field(name.removesuffix("_id"))


def _converters(model: type[models.Model], names: Sequence[str]):
    sqlite = connection.vendor == "sqlite"
    converters = []
    for name in names:
        field = _field(model, name)
        if isinstance(field, models.JSONField):
            converters.append(lambda value: None if value is None else json.dumps(value))
        elif sqlite and isinstance(field, models.DateTimeField):
            converters.append(_sqlite_datetime)
        else:
            converters.append(None)
    return converters


def bulk_insert(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in the order of ``names``); returns how many were written.

    Columns not named get their field's default (one value for all rows), so a column added to
    the model later does not break the step."""
    meta = model._meta
    names = list(names)
    given = {_field(model, name).attname for name in names}
    defaults = []
    for field in meta.concrete_fields:
        if field.attname in given or field.primary_key:
            continue
        names.append(field.attname)
        defaults.append(field.get_db_prep_save(field.get_default(), connection))
    columns = [_field(model, name).column for name in names]
    converters = _converters(model, names[: len(names) - len(defaults)])
    positions = [(index, conv) for index, conv in enumerate(converters) if conv is not None]
    defaults = tuple(defaults)

    def prepared():
        for row in rows:
            if positions:
                row = list(row)
                for index, conv in positions:
                    row[index] = conv(row[index])
            yield (*row, *defaults) if defaults else row

    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    column_sql = ", ".join(quote(column) for column in columns)
    connection.ensure_connection()
    count = 0
    cursor = connection.connection.cursor()
    try:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                for row in prepared():
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join(["%s" if connection.vendor != "sqlite" else "?"] * len(columns))
            batch = []
            for row in prepared():
                batch.append(row)
                if len(batch) >= 10000:
                    cursor.executemany(
                        f"INSERT INTO {table} ({column_sql}) VALUES ({marks})", batch
                    )
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({column_sql}) VALUES ({marks})", batch)
                count += len(batch)
    finally:
        cursor.close()
    return count
