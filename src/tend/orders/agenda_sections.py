"""Order sections of the agenda: late orders the customer must hear about, samples to chase."""

from django.utils.translation import gettext_lazy as _

from tend.agenda.registry import AgendaContext, AgendaSection, SectionResult, register
from tend.agenda.rows import section_rows

from . import selectors


def late_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.orders_needing_update(
        user=context.user, today=context.today, now=context.now
    )
    return section_rows(queryset, context, limit)


def sample_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.samples_to_follow_up(user=context.user, today=context.today)
    return section_rows(queryset, context, limit)


def _late_line(row) -> str:
    order = row.item
    return (
        f"{order.number} for {row.customer.name}: promised {order.promised_ship_date}, "
        f"now {order.estimated_ship_date or 'unknown'}"
    )


def _sample_line(row) -> str:
    return f"Follow up the sample sent to {row.customer.name} on {row.item.sent_on}"


register(
    AgendaSection(
        key="late_orders",
        title=_("Late orders: tell the customer"),
        order=5,
        template="orders/agenda/late_orders.html",
        rows=late_rows,
        digest_line=_late_line,
    )
)
register(
    AgendaSection(
        key="samples",
        title=_("Samples to follow up"),
        order=35,
        template="orders/agenda/samples.html",
        rows=sample_rows,
        digest_line=_sample_line,
    )
)
