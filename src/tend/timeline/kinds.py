"""The kinds of timeline entry. Each app registers its own here, once, at import time, so the
timeline's filter and labels know them without the timeline knowing the apps."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EntryKind:
    key: str
    label: str | Promise
    icon: str = "•"


_KINDS: dict[str, EntryKind] = {}


def register_kind(key: str, label: str | Promise, icon: str = "•") -> EntryKind:
    kind = EntryKind(key, label, icon)
    existing = _KINDS.get(key)
    if existing is not None and existing != kind:
        raise ValueError(f"Timeline kind {key!r} is already registered differently.")
    _KINDS[key] = kind
    return kind


def get_kind(key: str) -> EntryKind:
    return _KINDS.get(key) or EntryKind(key, key)


def all_kinds() -> list[EntryKind]:
    return sorted(_KINDS.values(), key=lambda kind: str(kind.label))


OWNERSHIP = register_kind("ownership", _("Ownership"), "⇄")
NOTE = register_kind("note", _("Note"), "✎")
