"""Agenda rows: an item, its customer, and the customer's local moment."""

from dataclasses import dataclass

from .local import LocalMoment, local_moment
from .registry import AgendaContext, SectionResult


@dataclass
class Row:
    item: object
    customer: object
    local: LocalMoment
    overdue: bool = False


def section_rows(
    queryset,
    context: AgendaContext,
    limit: int,
    customer_of=lambda item: item.customer,
    overdue=lambda item: False,
) -> SectionResult:
    total = queryset.count()
    items = list(queryset[:limit])
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
