"""Emptying and re-numbering tables for the demo book (its fast inserts are
:func:`tend.core.bulk.bulk_insert`)."""

from django.core.exceptions import PermissionDenied
from django.core.management.color import no_style
from django.db import connection, models


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
