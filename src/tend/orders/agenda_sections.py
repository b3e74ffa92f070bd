"""Order sections of the agenda: late orders the customer must hear about, samples to chase."""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tend.agenda.registry import AgendaContext, AgendaSection, Reason, SectionResult, register
from tend.agenda.rows import section_rows

from . import selectors


def late_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.orders_needing_update(
        user=context.user, today=context.today, now=context.now
    )
    # The covering index of open orders answers which are late, and their order, alone.
    return section_rows(
        queryset,
        context,
        limit,
        by_ids=True,
        columns=("number", "promised_ship_date", "last_delay_update_at"),
    )


def sample_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.samples_to_follow_up(user=context.user, today=context.today)
    return section_rows(queryset, context, limit, columns=("sent_on", "follow_up_on"))


def _late_line(row) -> str:
    order = row.item
    return (
        f"{order.number} for {row.customer.name}: promised {order.promised_ship_date}, "
        f"now {order.estimated_ship_date or 'unknown'}"
    )


def _sample_line(row) -> str:
    return f"Follow up the sample sent to {row.customer.name} on {row.item.sent_on}"


def _late_reason(row, context: AgendaContext) -> Reason:
    order = row.item

    def text() -> str:
        values = {"number": order.number, "promised": order.promised_ship_date}
        if order.last_delay_update_at is None:
            words = gettext(
                "Order %(number)s is late (promised %(promised)s); the customer has not been told"
            )
        else:
            values["told"] = f"{timezone.localtime(order.last_delay_update_at):%Y-%m-%d}"
            words = gettext(
                "Order %(number)s is still late (promised %(promised)s); last told %(told)s"
            )
        return words % values

    return Reason(
        text=text,
        url=lambda: order.get_absolute_url() + "#tell-customer",
        days=max((context.today - order.promised_ship_date).days, 0),
    )


def _sample_reason(row, context: AgendaContext) -> Reason:
    sample = row.item
    return Reason(
        text=lambda: gettext("Sample sent %(sent)s: ask how it went") % {"sent": sample.sent_on},
        url=row.customer.get_absolute_url,
        days=max((context.today - sample.follow_up_on).days, 0),
    )


register(
    AgendaSection(
        key="late_orders",
        title=_("Late orders: tell the customer"),
        order=5,
        template="orders/agenda/late_orders.html",
        rows=late_rows,
        digest_line=_late_line,
        reason=_late_reason,
        weight=10,
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
        reason=_sample_reason,
        weight=3,
    )
)
