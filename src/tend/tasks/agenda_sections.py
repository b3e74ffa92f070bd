"""The agenda's "Tasks" section: the person's own open tasks due by the end of their today,
overdue first."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.agenda.registry import AgendaContext, AgendaSection, Reason, SectionResult, register
from tend.agenda.rows import section_rows

from . import selectors


def tasks_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.tasks_due(user=context.user, until=context.end_of_today)
    return section_rows(
        queryset,
        context,
        limit,
        overdue=lambda t: t.due_at < context.now,
        columns=("title", "due_at"),
    )


def _task_line(row) -> str:
    """In the current time zone: the digest and the API activate the reader's."""
    task = row.item
    due = f"{timezone.localtime(task.due_at):%Y-%m-%d %H:%M}"
    return _("%(kind)s: %(title)s — %(customer)s (due %(due)s)") % {
        "kind": task.get_kind_display(),
        "title": task.title,
        "customer": row.customer.name,
        "due": due,
    }


def _task_reason(row, context: AgendaContext) -> Reason:
    task = row.item

    def text() -> str:
        values = {"title": task.title, "due": f"{timezone.localtime(task.due_at):%Y-%m-%d %H:%M}"}
        if row.overdue:
            return _("Task overdue since %(due)s: %(title)s") % values
        return _("Task due %(due)s: %(title)s") % values

    return Reason(
        text=text,
        url=row.customer.get_absolute_url,
        days=max((context.now - task.due_at).days, 0),
    )


register(
    AgendaSection(
        key="tasks_due",
        title=gettext_lazy("Tasks"),
        order=15,
        template="tasks/agenda/tasks.html",
        rows=tasks_rows,
        digest_line=_task_line,
        reason=_task_reason,
        weight=5,
    )
)
