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


def page_and_total(
    queryset, limit: int, *, exact: bool = True, by_ids: bool = False
) -> tuple[list, int, bool]:
    """The first ``limit`` items, how many there are, and whether there are more than that.

    ``exact``: count them all, only when the page is full (a count and a page are each cheaper
    than one query doing both: the count may join by hash, the page stop early). Otherwise
    (Today's badges) read one row past the page instead of counting: the total is then at most
    ``limit``, and ``more`` says there are others, at no query of its own.
    ``by_ids``: find the page's ids first, which an index can answer alone, then read only
    those rows, instead of reading every candidate row to sort."""
    if limit < 1:
        return [], queryset.count(), False
    wanted = limit if exact else limit + 1
    if by_ids and isinstance(queryset, QuerySet):
        ids = list(queryset.values_list("pk", flat=True)[:wanted])
        items = list(queryset.filter(pk__in=ids)) if ids else []
    else:
        items = list(queryset[:wanted])
    if not exact:
        return items[:limit], min(len(items), limit), len(items) > limit
    return items, len(items) if len(items) < limit else queryset.count(), False


def section_rows(
    queryset,
    context: AgendaContext,
    limit: int,
    customer_of=lambda item: item.customer,
    overdue=lambda item: False,
    by_ids: bool = False,
) -> SectionResult:
    items, total, more = page_and_total(queryset, limit, exact=context.exact_totals, by_ids=by_ids)
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
    return SectionResult(rows=rows, total=total, more=more)
