"""An audit entry as sentences a person reads: "Credit limit changed from 10,000 to 20,000 by
Ann". Field and record names come from the models' verbose names, choices read as their labels,
amounts are grouped, and structured values (dicts, lists) read as "key: value" lists."""

import ast
import re
from decimal import Decimal, InvalidOperation
from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from tend.core import reference

from .models import AuditAction, AuditEntry

AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")  # an amount inside a dict ("20000.00")
NUMBER_FIELDS = (models.DecimalField, models.FloatField, models.IntegerField)


@cache
def _model(entity: str) -> type[models.Model] | None:
    return next((m for m in apps.get_models() if m._meta.model_name == entity), None)


def _field(model, name: str):
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def _field_label(model, name: str) -> str:
    field = _field(model, name)
    label = str(getattr(field, "verbose_name", "") or name.replace("_", " "))
    return label[:1].upper() + label[1:]


def _number(value) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = 0 if amount == amount.to_integral_value() else 2
    return floatformat(amount, f"{places}g")


def _structured(value):
    """A dict or list written as its Python text by older code reads as the dict or list."""
    if isinstance(value, str) and value[:1] in "{[" and value[-1:] in "}]":
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return value
    return value


def _item(value) -> str:
    return _number(value) if AMOUNT.match(str(value)) else value_text(value)


def value_text(value, field=None) -> str:
    """One value as a person reads it."""
    value = _structured(value)
    if value is None or value == "" or value == [] or value == {}:
        return _("nothing")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')}: {_item(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value)
    if field is not None and getattr(field, "choices", None):
        labels = {str(key): label for key, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if field is not None and field.name == "country":
        return reference.country_names().get(str(value), str(value))
    if isinstance(value, int | float | Decimal) or isinstance(field, NUMBER_FIELDS):
        return _number(value)
    return str(value)


def _actor(entry: AuditEntry) -> str:
    return str(entry.actor) if entry.actor_id else _("the system")


def entry_sentences(entry: AuditEntry) -> list[str]:
    """What happened, one sentence per changed field (a record created or deleted: one
    sentence, then what it held)."""
    model = _model(entry.entity)
    record = str(model._meta.verbose_name) if model else entry.entity.replace("_", " ")
    record = record[:1].upper() + record[1:]
    actor = _actor(entry)
    subject = record if entry.entity == "customer" else f"{record} {entry.entity_label}"
    if entry.action == AuditAction.CREATE:
        headline = _("%(record)s created by %(actor)s") % {"record": subject, "actor": actor}
        values = {name: new for name, (_old, new) in entry.changes.items()}
    elif entry.action == AuditAction.DELETE:
        headline = _("%(record)s deleted by %(actor)s") % {"record": subject, "actor": actor}
        values = {name: old for name, (old, _new) in entry.changes.items()}
    else:
        prefix = "" if entry.entity == "customer" else f"{subject}: "
        return [prefix + _change(model, name, old, new, actor) for name, old, new in _rows(entry)]
    held = [
        f"{_field_label(model, name)}: {value_text(value, _field(model, name))}"
        for name, value in values.items()
        if value not in (None, "", [], {})
    ]
    return [headline, *(["; ".join(held)] if held else [])]


def _rows(entry: AuditEntry):
    return [(name, pair[0], pair[1]) for name, pair in entry.changes.items()]


def _change(model, name: str, old, new, actor: str) -> str:
    field = _field(model, name)
    values = {
        "field": _field_label(model, name),
        "old": value_text(old, field),
        "new": value_text(new, field),
        "actor": actor,
    }
    if old in (None, "", [], {}):
        return _("%(field)s set to %(new)s by %(actor)s") % values
    if new in (None, "", [], {}):
        return _("%(field)s cleared (was %(old)s) by %(actor)s") % values
    return _("%(field)s changed from %(old)s to %(new)s by %(actor)s") % values
