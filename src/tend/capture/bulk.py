"""Writing many rows fast: capturing an mbox of 100,000 mails writes half a million rows
(messages, interactions, timeline entries, their links) and updates thousands.

Why not ``bulk_create``/``bulk_update``: most of their time goes to preparing each value of each
field through the generic compiler, and ``bulk_update`` builds one ``CASE`` per field over the
whole batch. The rows here are plain (no signals, no ``pre_save`` hooks beyond defaults already
set when the object was made), so the same SQL is built directly. On PostgreSQL the ids are
drawn from the table's sequence first and the rows go through COPY
(``tend.core.bulk.bulk_insert``); on SQLite one multi-row ``INSERT ... RETURNING id`` per
batch. Rows whose ids nobody needs go through ``bulk_insert`` as plain tuples, with no model
instance at all."""

from collections.abc import Sequence

from django.db import connections, models, router

from tend.core.bulk import bulk_insert


def _adapter(field: models.Field, connection):
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    if isinstance(field, models.JSONField | models.DecimalField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert(model: type[models.Model], objects: list, *, returning: bool = True) -> None:
    """Insert ``objects`` (unsaved instances of ``model``), setting their primary keys."""
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    if not returning:
        bulk_insert(model, names, ([getattr(obj, name) for name in names] for obj in objects))
        return
    if connection.vendor == "postgresql":
        _insert_copy(model, objects, names, connection)
        return
    adapters = [_adapter(f, connection) for f in fields]
    quote = connection.ops.quote_name
    head = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    )
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = f" RETURNING {quote(meta.pk.column)}"
    limit = connection.features.max_query_params or 30000
    batch = max(1, min(500, limit // len(fields)))
    pairs = list(zip(names, adapters, strict=True))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch):
            chunk = objects[start : start + batch]
            params = []
            for obj in chunk:
                for attname, adapt in pairs:
                    value = getattr(obj, attname)
                    params.append(adapt(value) if adapt else value)
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail, params)
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


def _insert_copy(model, objects, names, connection) -> None:
    """Ids from the table's own sequence (so concurrent writers never collide), then COPY."""
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    attname = meta.pk.attname
    bulk_insert(
        model,
        [attname, *names],
        ([getattr(obj, attname), *(getattr(obj, name) for name in names)] for obj in objects),
    )


def update(model: type[models.Model], objects: list, fields: Sequence[str]) -> None:
    """``UPDATE ... SET <fields> WHERE id = ...`` for each object, sent as one ``executemany``
    (pipelined on PostgreSQL). Refuses guarded fields: those go through the guarded save."""
    if not objects:
        return
    guarded = set(fields) & {
        *getattr(model, "GUARDED_FIELDS", ()),
        *getattr(model, "TRANSITION_FIELDS", ()),
    }
    if guarded:
        raise ValueError(f"Guarded fields are not updated in bulk: {sorted(guarded)}")
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    chosen = [meta.get_field(name) for name in fields]
    adapters = [_adapter(f, connection) for f in chosen]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "
        + ", ".join(f"{quote(f.column)} = %s" for f in chosen)
        + f" WHERE {quote(meta.pk.column)} = %s"
    )
    params = []
    for obj in objects:
        values = [
            adapt(getattr(obj, f.attname)) if adapt else getattr(obj, f.attname)
            for f, adapt in zip(chosen, adapters, strict=True)
        ]
        params.append((*values, obj.pk))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
