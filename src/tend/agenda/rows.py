"""Agenda rows: an item, its customer, and the customer's local moment."""

from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, QuerySet, Window

from .local import LocalMoment, local_moment
from .registry import AgendaContext, SectionResult

TOTAL = "agenda_section_total"


@dataclass
class Row:
    item: object
    customer: object
    local: LocalMoment
    overdue: bool = False


def _page_and_total(queryset, limit: int) -> tuple[list, int]:
    """The first ``limit`` items and how many there are in all, counting only when the page is
    full. On PostgreSQL a queryset answers both in one query (the total as a window count over
    the same rows: the database finds and sorts them once, where a COUNT and then a page found
    them twice). SQLite's planner drops its hints inside the window's subquery, so it pages
    and then counts."""
    if limit < 1:
        return [], queryset.count()
    if isinstance(queryset, QuerySet) and connections[queryset.db].vendor == "postgresql":
        items = list(queryset.annotate(**{TOTAL: Window(Count("pk"))})[:limit])
        return items, getattr(items[0], TOTAL) if items else 0
    items = list(queryset[:limit])
    return items, len(items) if len(items) < limit else queryset.count()


def section_rows(
    queryset,
    context: AgendaContext,
    limit: int,
    customer_of=lambda item: item.customer,
    overdue=lambda item: False,
) -> SectionResult:
    items, total = _page_and_total(queryset, limit)
    rows = []
    for item in items:
        customer = customer_of(item)
        rows.append(
            Row(
                item=item,
                customer=customer,
                local=local_moment(
                    country=customer.country, time_zone=customer.time_zone, now=context.now
                ),
                overdue=overdue(item),
            )
        )
    return SectionResult(rows=rows, total=total)
