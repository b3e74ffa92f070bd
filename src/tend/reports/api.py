"""The report's figures in the REST API: the sections the user may see, and one section's
headline, caption, sample, table and figures as JSON, with the same visibility as the page."""

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from tend.accounts.models import Team
from tend.api.schemas import Id, errors
from tend.customers.models import Tier

from . import registry
from .forms import MONTH, last_complete_month

router = Router(tags=["reports"])


class SectionOut(Schema):
    key: str
    title: str


class ReportQuery(Schema):
    end: str = Field(
        "",
        pattern=MONTH.pattern,
        description="YYYY-MM: the last month of the 12 (default: last complete month).",
    )
    team_id: Id | None = Field(None, description="Only customers owned by this team.")
    tier: Tier | None = None
    country: str = Field("", max_length=2, description="ISO 3166 alpha-2 code.")
    grain: str = Field("quarter", pattern="^(month|quarter)$", description="Cohorts by.")


class SectionReportOut(Schema):
    key: str
    title: str
    end: str
    headline: str = Field(description="What to conclude.")
    caption: str = Field(description="The definition behind the figures.")
    sample: int
    sample_label: str
    headers: list[str]
    rows: list[list[Any]] = Field(description="The table: numbers, text or null.")
    figures: dict[str, Any]


def _filters(query: ReportQuery, user) -> registry.ReportFilters:
    end = last_complete_month(timezone.localdate())
    if query.end:
        year, month = int(query.end[:4]), int(query.end[5:7])
        if not 1 <= month <= 12 or not 1900 <= year <= 2999:
            raise _query_error("end", _("Give a month as YYYY-MM, e.g. 2026-11."))
        end = end.replace(year=year, month=month)
    if query.team_id and not Team.objects.filter(pk=query.team_id).exists():
        raise Http404
    return registry.ReportFilters(
        end=end,
        team=query.team_id,
        tier=query.tier.value if query.tier else "",
        country=query.country.upper(),
        grain=query.grain,
    )


def _query_error(field: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["query", field], "msg": message}])


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


@router.get(
    "/reports",
    response={200: list[SectionOut], **errors()},
    summary="The report's sections you may see",
)
def report_sections(request):
    return [{"key": s.key, "title": str(s.title)} for s in registry.sections(request.user)]


@router.get(
    "/reports/{key}",
    response={200: SectionReportOut, **errors(404, 422)},
    summary="One section's figures for 12 months, as the report page shows them to you",
)
def report_section(request, key: str, query: Query[ReportQuery]):
    section = registry.section(key)
    if section is None or not section.shown_to(request.user):
        raise Http404
    filters = _filters(query, request.user)
    result = section.compute(filters, request.user)
    return {
        "key": section.key,
        "title": str(section.title),
        "end": filters.end.strftime("%Y-%m"),
        "headline": result.headline,
        "caption": result.caption,
        "sample": result.sample,
        "sample_label": str(result.sample_label),
        "headers": [str(h) for h in result.table.headers],
        "rows": [[_plain(v) for v in row] for row in result.table.plain_rows()],
        "figures": result.figures,
    }
