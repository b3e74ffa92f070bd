"""Text that is stored once and read in each reader's language.

A timeline entry written by a rep who reads Chinese must read as English to a manager who reads
English. So a stored sentence keeps its English message (the gettext msgid) and its values, and is
translated when it is read; the values that are themselves words ("email", a reason for losing a
customer) are kept as messages too.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

_MSGIDS: dict[int, tuple[Promise | str, str]] = {}


def _msgid(message: Promise | str) -> str:
    """The untranslated message behind a gettext_lazy string. Remembered per message object
    (kept alive with its answer, so its id is never reused): a demo book writes millions."""
    known = _MSGIDS.get(id(message))
    if known is not None:
        return known[1]
    with translation.override(None):
        msgid = str(message)
    if len(_MSGIDS) > 10_000:
        _MSGIDS.clear()
    _MSGIDS[id(message)] = (message, msgid)
    return msgid


@dataclass(frozen=True)
class TranslatableText:
    """``_("Task done: %(title)s")`` with its values, translatable again at any later time."""

    message: Promise | str
    args: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        values = {
            name: str(value) if isinstance(value, Promise | TranslatableText) else value
            for name, value in self.args.items()
        }
        message = str(self.message)
        return message % values if values or "%(" in message else message

    def to_data(self) -> dict[str, Any]:
        return text_data(
            _msgid(self.message),
            {name: _value_to_data(value) for name, value in self.args.items()},
        )

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "TranslatableText":
        return cls(
            message=translation.gettext_lazy(data["msgid"]),
            args={name: _value_from_data(value) for name, value in data.get("args", {}).items()},
        )


def text_data(msgid: str, args: dict[str, Any]) -> dict[str, Any]:
    """How a text is stored: its message and its values (already in stored form, a word as
    ``word_data``). Bulk writers that know their messages call this directly."""
    return {"msgid": msgid, "args": args}


def word_data(msgid: str) -> dict[str, str]:
    """A value that is itself a message, such as a channel's name, stored to be translated."""
    return {"msgid": msgid}


def msgid_of(message: Promise | str) -> str:
    return _msgid(message)


def _value_to_data(value: Any) -> Any:
    if isinstance(value, TranslatableText):
        return {"text": value.to_data()}
    if isinstance(value, Promise):
        return word_data(_msgid(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def _value_from_data(value: Any) -> Any:
    if isinstance(value, dict) and "text" in value:
        return TranslatableText.from_data(value["text"])
    if isinstance(value, dict) and "msgid" in value:
        return translation.gettext_lazy(value["msgid"])
    return value


def render_stored(data: dict[str, Any] | None, fallback: str) -> str:
    """A stored text in the reader's language; the fallback (as first written) if it cannot be."""
    if not data:
        return fallback
    try:
        return TranslatableText.from_data(data).render()
    except (KeyError, TypeError, ValueError):
        return fallback
