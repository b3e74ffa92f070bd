"""Fast inserts of many plain rows, for demo steps that write tens of thousands of them.

``bulk_insert(Model, ["field", ...], rows)`` writes tuples straight through the database driver
(COPY on PostgreSQL, ``executemany`` on SQLite) on Django's connection, so inside the current
transaction. It skips model instances, signals, ``auto_now`` and validation: callers pass final,
valid values (aware datetimes, dicts for JSON fields, ids for foreign keys via ``<name>_id``).
"""

import json
from collections.abc import Iterable, Sequence
from datetime import UTC

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.management.color import no_style
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


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """After inserting explicit ids: make the next generated id follow the largest one."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(model_classes)):
            cursor.execute(statement)


def delete_all(model: type[models.Model]) -> None:
    """Delete every row of ``model`` in one statement, after dealing with whatever points at
    it: rows of other models that cascade or protect are deleted through the ORM (so their own
    dependents go too), nullable references are cleared. Raw SQL for the model itself: the ORM
    would fetch every row first, and some querysets (the audit log's) refuse to delete."""
    for relation in model._meta.related_objects:
        related, field = relation.related_model, relation.field
        if related is model or relation.on_delete is models.DO_NOTHING:
            continue
        if relation.many_to_many:
            through = relation.through
            _raw_delete(through)
            continue
        rows = related._base_manager.filter(**{f"{field.name}__isnull": False})
        if relation.on_delete in (models.SET_NULL, models.SET_DEFAULT):
            rows.update(**{field.name: None if relation.on_delete is models.SET_NULL else
                           field.get_default()})  # fmt: skip
            continue
        try:
            rows.delete()
        except PermissionDenied:
            _raw_delete(related)
    for field in model._meta.local_many_to_many:
        _raw_delete(field.remote_field.through)
    _raw_delete(model)


def _raw_delete(model: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
