"""Approval sections of the agenda: requests waiting for my decision, and decisions on mine."""

from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from tend.agenda.registry import AgendaContext, AgendaSection, SectionResult, register
from tend.agenda.rows import Row, page_and_total, section_rows

from . import selectors
from .models import Notification


class _Listed(list):
    """A list that counts like a queryset, for ``section_rows``."""

    def count(self, *args) -> int:  # type: ignore[override]
        return len(self)


def waiting_rows(context: AgendaContext, limit: int) -> SectionResult:
    # Today shows the section's badge only: the requests are read to be counted.
    waiting = _Listed(
        selectors.requests_waiting_for(user=context.user, to_count=context.ranking_only)
    )
    return section_rows(waiting, context, limit)


def decision_rows(context: AgendaContext, limit: int) -> SectionResult:
    """The person's unread notifications, newest first. They are about requests, not one
    customer's moment, so a row has no customer."""
    unread = Notification.objects.filter(user=context.user, read_at__isnull=True)
    items, total, more = page_and_total(unread, limit, exact=context.exact_totals)
    return SectionResult(
        rows=[Row(item=item, customer=None, local=None) for item in items], total=total, more=more
    )


def _waiting_line(row) -> str:
    request = row.item
    return (
        f"{request.get_kind_display()} for {row.customer.name}: {request.about}, "
        f"asked by {request.requested_by} "
        f"{timesince(request.created_at)} ago"
    )


def _decision_line(row) -> str:
    return row.item.text


register(
    AgendaSection(
        key="approvals_waiting",
        title=_("Approvals waiting for me"),
        order=8,
        template="approvals/_agenda_waiting.html",
        rows=waiting_rows,
        digest_line=_waiting_line,
        shown_to=lambda user: not user.is_rep,
    )
)
register(
    AgendaSection(
        key="approval_decisions",
        title=_("Decisions on my requests"),
        order=45,
        template="approvals/_agenda_decisions.html",
        rows=decision_rows,
        digest_line=_decision_line,
    )
)
