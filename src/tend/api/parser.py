"""Reading requests: JSON bodies and query strings whose text the database can store.

A NUL character (PostgreSQL refuses it in text) or a lone surrogate (``"\\ud800"`` in JSON: not a
character, so it cannot be encoded) is refused as a field error before any handler runs, on
every operation at once."""

from typing import Any

from django.utils.translation import gettext as _
from ninja.parser import Parser


class UnstorableText(ValueError):
    """A request field holds text that cannot be stored."""

    def __init__(self, field: str):
        self.field = field
        super().__init__(
            _("Text may not contain NUL characters or unpaired surrogates (\\ud800-\\udfff).")
        )


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unstorable_field(value: Any, path: str = "") -> str | None:
    """The path (``lines.0.remarks``) of the first string in ``value`` that cannot be stored, a
    key included; None when all can."""
    if isinstance(value, str):
        return (path or "__all__") if _unstorable(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _unstorable(key):
                return inner
            found = unstorable_field(item, inner)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable_field(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


class StorableTextParser(Parser):
    """Ninja's JSON parser, refusing text that cannot be stored (see the module docstring)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        field = unstorable_field(data)
        if field is not None:
            raise UnstorableText(field)
        return data

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        field = unstorable_field(parsed)
        if field is not None:
            raise UnstorableText(field)
        return parsed
