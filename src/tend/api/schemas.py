"""What every operation of the API shares: the error body, the documented refusals, the bounds of
ids, pages and moments. An operation lists its refusals with ``errors(...)`` so the OpenAPI
schema says what a client must handle."""

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import AfterValidator

# Database ids are 64-bit; a larger number can name nothing.
MAX_ID = 2**63 - 1
# A page past this would start beyond any book Tend is made for; the bound keeps the database's
# OFFSET within range.
MAX_PAGE = 100_000
MAX_PAGE_SIZE = 500


class ErrorOut(Schema):
    """Every refusal: a sentence for people, and for a bad field its messages under its name."""

    message: str
    errors: dict[str, list[str]] = Field(
        {}, description="Messages per field (body fields by their path, e.g. lines.0.quantity)."
    )


def errors(*codes: int) -> dict[int, type[Schema]]:
    """The refusals an operation documents, each with ``ErrorOut``: 401 always (every operation
    needs a token) and ``codes``. A refusal whose body says more is added beside it:
    ``{**errors(422), 409: DuplicateOut}``."""
    return dict.fromkeys(sorted({401, *codes}), ErrorOut)


Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)


# Moments and days must survive conversion to UTC and the customer's zone (up to a day either
# way) and fit the database's range; real time zones lie within UTC-12:00 and UTC+14:00.
FIRST_DAY = date(1, 1, 2)
LAST_DAY = date(9999, 12, 30)
MAX_OFFSET = timedelta(hours=14)


def _within_calendar(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(str(_("Give a date between 0001-01-02 and 9999-12-30.")))
    return value


def _convertible(value: datetime) -> datetime:
    _within_calendar(value.date())
    offset = value.utcoffset()
    if offset is not None:
        if abs(offset) > MAX_OFFSET:
            raise ValueError(str(_("Give a time zone offset between -14:00 and +14:00.")))
        value.astimezone(UTC)
    return value


Day = Annotated[date, AfterValidator(_within_calendar)]
Moment = Annotated[datetime, AfterValidator(_convertible)]
