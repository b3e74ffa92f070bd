"""Inserting many rows fast: one multi-row ``INSERT ... RETURNING id`` per batch, values
adapted once per column kind.

Why not ``bulk_create``: capturing an mbox of 100,000 mails writes half a million rows
(messages, interactions, timeline entries, their links), and most of ``bulk_create``'s time goes
to preparing each value of each field through the generic compiler. The rows here are plain
(no signals, no ``pre_save`` hooks beyond defaults already set when the object was made), so
the same SQL is built directly. Every object gets its primary key, as with ``bulk_create``.
Rows whose ids nobody needs (timeline entries, link tables) go through the demo book's
``bulk_insert`` instead: COPY on PostgreSQL, ``executemany`` on SQLite."""

from django.db import connections, models, router

from tend.demo.bulk import bulk_insert


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
    if not returning:
        names = [f.attname for f in fields]
        bulk_insert(model, names, ([getattr(obj, name) for name in names] for obj in objects))
        return
    adapters = [_adapter(f, connection) for f in fields]
    attnames = [f.attname for f in fields]
    quote = connection.ops.quote_name
    head = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    )
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    limit = connection.features.max_query_params or 30000
    batch = max(1, min(500, limit // len(fields)))
    pairs = list(zip(attnames, adapters, strict=True))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch):
            chunk = objects[start : start + batch]
            params = []
            for obj in chunk:
                for attname, adapt in pairs:
                    value = getattr(obj, attname)
                    params.append(adapt(value) if adapt else value)
            cursor.execute(head + ", ".join([row] * len(chunk)) + tail, params)
            if returning:
                for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    obj.pk = pk
                    obj._state.adding = False
                    obj._state.db = connection.alias
