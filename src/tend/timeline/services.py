"""The one typed helper that writes a customer's timeline."""

from datetime import datetime
from typing import Any

from django.db import models

from tend.core.i18n import TranslatableText

from .kinds import EntryKind
from .models import TITLE_KEY, TimelineEntry


def timeline_add(
    *,
    customer_id: int,
    kind: EntryKind,
    title: str | TranslatableText,
    actor=None,
    at: datetime | None = None,
    body: str = "",
    data: dict[str, Any] | None = None,
    source: models.Model | None = None,
    save: bool = True,
) -> TimelineEntry:
    """Add an entry. ``kind`` is a registered ``EntryKind``; ``source`` is the record it is about
    (an interaction, an order...). With ``save=False`` the unsaved entry is returned for
    ``bulk_create``. A ``TranslatableText`` title is read in each reader's language."""
    entry = TimelineEntry(
        **entry_values(
            customer_id=customer_id, kind=kind, title=title, body=body, data=data, source=source
        ),
        actor=actor if getattr(actor, "pk", None) else None,
    )
    if at is not None:
        entry.at = at
    if save:
        entry.save()
    return entry


def entry_values(
    *,
    customer_id: int,
    kind: EntryKind,
    title: str | TranslatableText,
    body: str = "",
    data: dict[str, Any] | None = None,
    source: models.Model | None = None,
) -> dict[str, Any]:
    """An entry's columns (but its actor and time), for ``timeline_add`` and for bulk writers
    that insert plain rows without a model instance each."""
    data = dict(data or {})
    if isinstance(title, TranslatableText):
        data[TITLE_KEY] = title.to_data()
    return {
        "customer_id": customer_id,
        "kind": kind.key,
        "title": str(title)[:300],
        "body": body,
        "data": data,
        "source_type": source._meta.label_lower if source is not None else "",
        "source_id": source.pk if source is not None else None,
    }
