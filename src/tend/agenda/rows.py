"""Agenda rows: an item, its customer, and the customer's local moment."""

from dataclasses import dataclass

from django.db.models import QuerySet

from .local import LocalMoment, local_moment
from .registry import AgendaContext, SectionResult


@dataclass
class Row:
    item: object
    customer: object
    local: LocalMoment
    overdue: bool = False


def _page_and_total(queryset, limit: int, by_ids: bool) -> tuple[list, int]:
    """The first ``limit`` items and how many there are in all, counting only when the page is
    full (a count and a page are each cheaper than one query doing both: the count may join
    by hash, the page stop early). ``by_ids``: find the page's ids first, which an index can
    answer alone, then read only those rows, instead of reading every candidate row to sort."""
    if limit < 1:
        return [], queryset.count()
    if by_ids and isinstance(queryset, QuerySet):
        ids = list(queryset.values_list("pk", flat=True)[:limit])
        items = list(queryset.filter(pk__in=ids)) if ids else []
    else:
        items = list(queryset[:limit])
    return items, len(items) if len(items) < limit else queryset.count()


def section_rows(
    queryset,
    context: AgendaContext,
    limit: int,
    customer_of=lambda item: item.customer,
    overdue=lambda item: False,
    by_ids: bool = False,
) -> SectionResult:
    items, total = _page_and_total(queryset, limit, by_ids)
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
