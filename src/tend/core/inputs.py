"""The bounds every input meets before it reaches a query: ids that fit the id column, dates
that calendar arithmetic can move, text that PostgreSQL can store. Forms, API schemas and
``InputGuardMiddleware`` all use these, so a bad value is a 4xx naming the field, never a 500."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated

from django import forms
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

DB_INT_MAX = 2**63 - 1  # BigAutoField: SQLite INTEGER and PostgreSQL bigint
PAGE_MAX = 1_000_000  # 500 rows a page: far beyond any book, far below an OFFSET overflow
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
ID_PATTERN = r"\d{1,18}"  # a user or customer id written in a text filter

# Types for API schemas (django-ninja / pydantic).
DbId = Annotated[int, Field(ge=1, le=DB_INT_MAX)]
PageNumber = Annotated[int, Field(ge=1, le=PAGE_MAX)]
CalendarDate = Annotated[date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]


def parse_id(text: str | None) -> int | None:
    """``text`` as a record id, or None when it is not one a row could have."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= DB_INT_MAX else None


def parse_ids(texts: Iterable[str]) -> list[int]:
    """The ids among ``texts`` (a ticked list's values); the others cannot match a row."""
    return [pk for pk in (parse_id(text) for text in texts) if pk is not None]


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL or half a UTF-16 pair), or None."""
    if "\x00" in text:
        return _("Null characters are not allowed.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _("The text is not valid Unicode (a lone surrogate).")
    return None


def date_bounds_message() -> str:
    return _("Pick a date between %(first)s and %(last)s.") % {
        "first": EARLIEST_DATE.isoformat(),
        "last": LATEST_DATE.isoformat(),
    }


def _within_calendar(value: datetime) -> datetime:
    if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        raise ValueError(date_bounds_message())
    return value


CalendarDateTime = Annotated[datetime, AfterValidator(_within_calendar)]


class CalendarDateField(forms.DateField):
    """A date that ``+ timedelta`` and time-zone conversion can always move."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(date_bounds_message(), code="out_of_range")


class CalendarDateTimeField(forms.DateTimeField):
    """A moment whose day ``CalendarDateField`` would accept."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value.date() <= LATEST_DATE:
            raise forms.ValidationError(date_bounds_message(), code="out_of_range")
