"""The engagement sections of the agenda: promises, inquiries, touches, pool returns."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.agenda.registry import AgendaContext, AgendaSection, SectionResult, register
from tend.agenda.rows import section_rows

from . import selectors


def promises_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.promises_due(user=context.user, until=context.end_of_today)
    return section_rows(queryset, context, limit, overdue=lambda p: p.due_at < context.now)


def inquiries_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.inquiries_waiting(user=context.user, now=context.now)
    return section_rows(queryset, context, limit)


def overdue_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.customers_overdue(user=context.user, now=context.now)
    return section_rows(queryset, context, limit, customer_of=lambda c: c)


def pool_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.customers_returning_to_pool(user=context.user, now=context.now)
    return section_rows(queryset, context, limit, customer_of=lambda c: c)


def _local(moment) -> str:
    """In the current time zone: the digest and the API activate the reader's."""
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _promise_line(row) -> str:
    return f"{row.item} — {row.customer.name} (due {_local(row.item.due_at)})"


def _inquiry_line(row) -> str:
    return f"{row.customer.name}: {row.item} (since {_local(row.item.at)})"


def _touch_line(row) -> str:
    due = _local(row.customer.touch_due_at)[:10]
    return f"{row.customer.name} (tier {row.customer.tier}, touch due {due})"


def _pool_line(row) -> str:
    return f"{row.customer.name} returns to the pool on {_local(row.customer.pool_return_at)[:10]}"


register(
    AgendaSection(
        key="promises",
        title=_("Promises due today and overdue"),
        order=10,
        template="engagement/agenda/promises.html",
        rows=promises_rows,
        digest_line=_promise_line,
    )
)
register(
    AgendaSection(
        key="inquiries",
        title=_("Unanswered inquiries"),
        order=20,
        template="engagement/agenda/inquiries.html",
        rows=inquiries_rows,
        digest_line=_inquiry_line,
    )
)
register(
    AgendaSection(
        key="touches",
        title=_("Customers overdue for a touch"),
        order=30,
        template="engagement/agenda/touches.html",
        rows=overdue_rows,
        digest_line=_touch_line,
    )
)
register(
    AgendaSection(
        key="pool_returns",
        title=_("About to return to the pool"),
        order=40,
        template="engagement/agenda/pool_returns.html",
        rows=pool_rows,
        digest_line=_pool_line,
    )
)
