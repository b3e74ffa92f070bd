"""The bounds every input meets before it reaches a query: ids that fit the id column, dates
that calendar arithmetic can move, text that PostgreSQL can store. Forms, API schemas and
``InputGuardMiddleware`` all use these, so a bad value is a 4xx naming the field, never a 500."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Annotated

from django import forms
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field

API_PREFIX = "/api/"
DB_INT_MAX = 2**63 - 1  # BigAutoField: SQLite INTEGER and PostgreSQL bigint
INT_FIELD_MAX = 2**31 - 1  # IntegerField and PositiveIntegerField on PostgreSQL
PAGE_MAX = 1_000_000  # 500 rows a page: far beyond any book, far below an OFFSET overflow
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
ID_PATTERN = r"[0-9]{1,18}"  # a user or customer id written in a text filter

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


def parse_ids(texts: Iterable[str]) -> tuple[list[int], str | None]:
    """``texts`` (a ticked list's values) as ids, and the first text that is not one."""
    ids = []
    for text in texts:
        pk = parse_id(text)
        if pk is None:
            return [], text
        ids.append(pk)
    return ids, None


def not_an_id_message(text: str) -> str:
    return _("“%(value)s” is not a record id.") % {"value": text}


def parameter_refused(request, name: str, problem: str) -> HttpResponse:
    """The 4xx for a parameter no view should see: JSON with the field for the API (422, as
    its schema errors), a plain 400 naming the field for pages."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"message": "The request has invalid fields.", "errors": {name: [problem]}},
            status=422,
        )
    return HttpResponse(
        _("%(field)s: %(problem)s") % {"field": name, "problem": problem},
        status=400,
        content_type="text/plain; charset=utf-8",
    )


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


# Real time zones lie within UTC-12:00 and UTC+14:00.
MAX_UTC_OFFSET = timedelta(hours=14)


def _within_calendar(value: datetime) -> datetime:
    """A moment within the calendar's bounds whose offset a real zone can have, so converting
    it to UTC or to a customer's zone always works."""
    if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        raise ValueError(date_bounds_message())
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValueError(_("Give a time zone offset between -14:00 and +14:00."))
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
