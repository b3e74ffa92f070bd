"""The agenda's "People left holding things" section, for managers and admins: deactivated
people in their scope who still hold customers, promises or tasks, each with a link to hand
them over."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.agenda.registry import AgendaContext, AgendaSection, SectionResult, register
from tend.agenda.rows import Row

from . import registry
from .selectors import people_left_holding


def left_holding_rows(context: AgendaContext, limit: int) -> SectionResult:
    """Not about one customer, so a row has no customer."""
    left = people_left_holding(user=context.user)
    return SectionResult(
        rows=[Row(item=entry, customer=None, local=None) for entry in left[:limit]],
        total=len(left),
    )


def _left_line(row) -> str:
    return _("%(person)s left without a handover (%(held)s)") % {
        "person": row.item.person,
        "held": registry.held_text(row.item.counts),
    }


register(
    AgendaSection(
        key="handover_left_holding",
        title=gettext_lazy("People who left, still holding customers, promises or tasks"),
        order=5,
        template="handover/_agenda_left_holding.html",
        rows=left_holding_rows,
        digest_line=_left_line,
        shown_to=lambda user: not user.is_rep,
    )
)
