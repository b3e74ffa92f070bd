"""Guarded fields: values that change only by approving a request (four eyes, seed 003).

A model that opts in (``GUARD_ON_CREATE``) is guarded from its creation: a new record saved
with a guarded value is a change from nothing, refused like any other.

The guard sits in the model layer, so every path that writes through the ORM — pages, the API,
bulk actions, imports, the Django admin — meets it. Only the approval service opens it, for the
duration of applying an approved change.
"""

import contextvars
from collections.abc import Iterable
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import models

_applying = contextvars.ContextVar("tend_applying_approval", default=False)


class GuardedChange(PermissionDenied):
    """A guarded field was about to change outside an approved request."""

    def __init__(self, model: str, fields: Iterable[str], message: str | None = None):
        self.fields = sorted(fields)
        super().__init__(
            message or f"{model}: {', '.join(self.fields)} can only change by an approved request."
        )


@contextmanager
def approval_applying():
    """Open the guard while an approved change is applied (the approval service only)."""
    token = _applying.set(True)
    try:
        yield
    finally:
        _applying.reset(token)


def guard_open() -> bool:
    return _applying.get()


class GuardedQuerySet(models.QuerySet):
    def update(self, **kwargs):
        guarded = set(kwargs) & set(self.model.GUARDED_FIELDS)
        if guarded and not guard_open() and self.model.guard_applies_to_queryset(self):
            raise GuardedChange(self.model.__name__, guarded)
        moved = set(kwargs) & set(self.model.TRANSITION_FIELDS)
        if moved and not guard_open():
            raise GuardedChange(
                self.model.__name__,
                moved,
                message=f"{self.model.__name__}: {', '.join(sorted(moved))} moves one record at "
                "a time, along its declared transitions.",
            )
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        guarded = set(fields) & {*self.model.GUARDED_FIELDS, *self.model.TRANSITION_FIELDS}
        if guarded and not guard_open():
            objs = list(objs)
            for obj in objs:
                obj.guard_check(fields=guarded)
        return super().bulk_update(objs, fields, *args, **kwargs)


class GuardedModel(models.Model):
    """Remembers guarded values as loaded and refuses to save a change to them."""

    GUARDED_FIELDS: tuple[str, ...] = ()
    # Fields that move along declared transitions (checked by ``guard_check`` per record; a
    # queryset ``update`` of them is refused outright).
    TRANSITION_FIELDS: tuple[str, ...] = ()
    # Whether a new record may be *given* guarded values (other than their defaults) outside an
    # approved request: giving one is a change from nothing, under the same policy.
    GUARD_ON_CREATE = False

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        self.guard_check(fields=update_fields)
        super().save(*args, **kwargs)
        if self.GUARDED_FIELDS:
            self._guard_loaded = {name: getattr(self, name) for name in self.GUARDED_FIELDS}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._guard_loaded = {
            name: value
            for name, value in zip(field_names, values, strict=False)
            if name in cls.GUARDED_FIELDS
        }
        return instance

    def guard_active(self) -> bool:
        """Whether this record's guarded fields are protected now (e.g. once confirmed)."""
        return True

    @classmethod
    def guard_applies_to_queryset(cls, queryset) -> bool:
        return True

    def guard_changed(self) -> set[str]:
        loaded = getattr(self, "_guard_loaded", None)
        if self.pk is None or loaded is None:
            return set()
        return {name for name, value in loaded.items() if getattr(self, name) != value}

    def guard_given(self) -> set[str]:
        """The guarded fields a new record would be saved with, other than their defaults."""
        return {
            name
            for name in self.GUARDED_FIELDS
            if getattr(self, name) != self._meta.get_field(name).get_default()
        }

    def guard_check(self, fields: Iterable[str] | None = None) -> None:
        if guard_open():
            return
        if self._state.adding and self.GUARD_ON_CREATE:
            given = self.guard_given()
            if given:
                raise GuardedChange(
                    type(self).__name__,
                    given,
                    message=f"{type(self).__name__}: {', '.join(sorted(given))} can only be set "
                    "by an approved request.",
                )
            return
        changed = self.guard_changed()
        if fields is not None:
            changed &= set(fields)
        if changed and self.guard_active():
            raise GuardedChange(type(self).__name__, changed)
