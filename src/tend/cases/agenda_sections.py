"""The agenda's "My cases" section: the person's open cases and those escalated to them,
nearest to breach first."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.agenda.registry import AgendaContext, AgendaSection, Reason, SectionResult, register
from tend.agenda.rows import section_rows

from . import selectors


def cases_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.cases_near_breach(user=context.user)
    return section_rows(
        queryset,
        context,
        limit,
        overdue=lambda case: case.sla_breached_at is not None,
        columns=("title", "sla_used_pct", "opened_at", "sla_breached_at"),
    )


def _line(row) -> str:
    case = row.item
    return _("Case #%(case)s %(title)s — %(customer)s (%(used)s%% of SLA used)") % {
        "case": case.pk,
        "title": case.title,
        "customer": row.customer.name,
        "used": case.sla_used_pct,
    }


def _reason(row, context: AgendaContext) -> Reason:
    case = row.item
    if row.overdue:
        text = _("Case past its SLA: %(title)s")
    else:
        text = _("Open case (%(used)s%% of SLA used): %(title)s")
    return Reason(
        text=lambda: text % {"title": case.title, "used": case.sla_used_pct},
        url=case.get_absolute_url,
        days=max((context.now - case.opened_at).days, 0),
    )


register(
    AgendaSection(
        key="cases_mine",
        title=gettext_lazy("My cases"),
        order=12,
        template="cases/agenda/cases.html",
        rows=cases_rows,
        digest_line=_line,
        reason=_reason,
        weight=6,
    )
)
