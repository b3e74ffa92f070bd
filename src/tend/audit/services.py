"""The one way to write the audit log. Callers pass snapshots taken with ``snapshot``."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import models

from .models import AuditAction, AuditEntry


def _plain(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set):
        return sorted(str(item) for item in value)
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, object]:
    """Field values as JSON-ready, human-readable scalars (related records by their name)."""
    values: dict[str, object] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = (
                _plain(list(getattr(instance, name).all())) if instance.pk is not None else []
            )
        else:
            values[name] = _plain(getattr(instance, name))
    return values


def audit_record(
    *,
    actor,
    action: str,
    instance: models.Model,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
    customer_id: int | None = None,
) -> AuditEntry | None:
    """Write one entry with old -> new per changed field; nothing when an update changed nothing."""
    before = before or {}
    after = after or {}
    keys = list(dict.fromkeys([*before, *after]))
    changes = {
        key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)
    }
    if action == AuditAction.UPDATE and not changes:
        return None
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        entity=instance._meta.model_name,
        entity_id=instance.pk,
        entity_label=str(instance)[:300],
        customer_id=customer_id,
        changes=changes,
    )
