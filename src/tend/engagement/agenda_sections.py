"""The engagement sections of the agenda: promises, inquiries, touches, pool returns."""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tend.agenda.registry import AgendaContext, AgendaSection, Reason, SectionResult, register
from tend.agenda.rows import section_rows

from . import selectors
from .models import Interaction


def promises_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.promises_due(user=context.user, until=context.end_of_today)
    return section_rows(
        queryset,
        context,
        limit,
        overdue=lambda p: p.due_at < context.now,
        columns=("due_at", "description", "kind"),
    )


def inquiries_rows(context: AgendaContext, limit: int) -> SectionResult:
    # Every waiting inquiry's id in one query (the open inquiries' age index holds the
    # customer), then the page's rows by key: reading whole rows, PostgreSQL costs the walk
    # above probing each of a manager's 8,500 visible customers (100k book: 70-110 ms).
    ids = selectors.inquiries_waiting_ids(user=context.user, now=context.now)
    rows = Interaction.objects.select_related("customer")
    return section_rows(rows, context, limit, ids=ids, columns=("at", "subject", "channel"))


def overdue_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.customers_overdue(user=context.user, now=context.now)
    return section_rows(
        queryset,
        context,
        limit,
        customer_of=lambda c: c,
        columns=("touch_due_at", "cadence_days"),
        customer="",
    )


def pool_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.customers_returning_to_pool(user=context.user, now=context.now)
    return section_rows(
        queryset, context, limit, customer_of=lambda c: c, columns=("pool_return_at",), customer=""
    )


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


def _days_since(moment, now) -> int:
    return max((now - moment).days, 0)


def _promise_reason(row, context: AgendaContext) -> Reason:
    promise = row.item
    if row.overdue:
        text = gettext("Promise overdue since %(due)s: %(promise)s")
    else:
        text = gettext("Promise due %(due)s: %(promise)s")
    return Reason(
        text=lambda: text % {"due": _local(promise.due_at), "promise": promise},
        url=lambda: row.customer.get_absolute_url() + "#customer-promises",
        days=_days_since(promise.due_at, context.now),
    )


def _inquiry_reason(row, context: AgendaContext) -> Reason:
    inquiry = row.item
    return Reason(
        text=lambda: (
            gettext("Inquiry unanswered since %(since)s: %(inquiry)s")
            % {"since": _local(inquiry.at), "inquiry": inquiry}
        ),
        url=row.customer.get_absolute_url,
        days=_days_since(inquiry.at, context.now),
    )


def _touch_reason(row, context: AgendaContext) -> Reason:
    customer = row.customer
    return Reason(
        text=lambda: (
            gettext("No touch since it was due on %(due)s (every %(days)d days)")
            % {"due": _local(customer.touch_due_at)[:10], "days": customer.cadence}
        ),
        url=customer.get_absolute_url,
        days=_days_since(customer.touch_due_at, context.now),
    )


def _pool_reason(row, context: AgendaContext) -> Reason:
    return Reason(
        text=lambda: (
            gettext("Returns to the pool on %(day)s unless touched")
            % {"day": _local(row.customer.pool_return_at)[:10]}
        ),
        url=row.customer.get_absolute_url,
    )


register(
    AgendaSection(
        key="promises",
        title=_("Promises due today and overdue"),
        order=10,
        template="engagement/agenda/promises.html",
        rows=promises_rows,
        digest_line=_promise_line,
        reason=_promise_reason,
        weight=8,
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
        reason=_inquiry_reason,
        weight=6,
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
        reason=_touch_reason,
        weight=2,
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
        reason=_pool_reason,
        weight=4,
    )
)
