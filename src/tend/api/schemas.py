"""What every operation of the API shares: the error body, the documented refusals, the bounds of
ids, pages and moments. An operation lists its refusals with ``errors(...)`` so the OpenAPI
schema says what a client must handle."""

from ninja import Field, Schema

from tend.core.inputs import CalendarDate, CalendarDateTime, DbId, PageNumber

# The bounds are core.inputs', which the pages share.
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


# Ids, days and moments as every operation takes them.
Id = DbId
Day = CalendarDate
Moment = CalendarDateTime


class PageQuery(Schema):
    page: PageNumber = 1
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)
