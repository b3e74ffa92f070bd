"""The agenda's "At high risk" section: the person's own customers at high risk on the latest
scored day, ranked by value at risk, each with its strongest reason."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.agenda.registry import AgendaContext, AgendaSection, Reason, SectionResult, register
from tend.agenda.rows import section_rows

from .selectors import risk as selectors
from .signals import reason_text


def at_risk_rows(context: AgendaContext, limit: int) -> SectionResult:
    queryset = selectors.own_high_risk(user=context.user)
    return section_rows(queryset, context, limit, columns=("value_at_risk", "reasons", "cause"))


def _at_risk_line(row) -> str:
    snapshot = row.item
    reasons = snapshot.reasons or []
    return _("%(customer)s: %(value)s %(currency)s at risk (%(risk)d%%) — %(reason)s") % {
        "customer": row.customer.name,
        "value": f"{snapshot.value_at_risk:,.0f}",
        "currency": settings.TEND_BASE_CURRENCY,
        "risk": round(snapshot.risk * 100),
        "reason": reason_text(reasons[0]) if reasons else snapshot.get_cause_display(),
    }


def _at_risk_reason(row, context: AgendaContext) -> Reason:
    snapshot = row.item
    reasons = snapshot.reasons or []
    return Reason(
        text=lambda: (
            _("%(value)s %(currency)s at risk: %(reason)s")
            % {
                "value": f"{snapshot.value_at_risk:,.0f}",
                "currency": settings.TEND_BASE_CURRENCY,
                "reason": reason_text(reasons[0]) if reasons else snapshot.get_cause_display(),
            }
        ),
        url=lambda: row.customer.get_absolute_url() + "#customer-health",
    )


register(
    AgendaSection(
        key="health_at_risk",
        title=gettext_lazy("Your customers at high risk"),
        order=50,
        template="health/agenda/at_risk.html",
        rows=at_risk_rows,
        digest_line=_at_risk_line,
        reason=_at_risk_reason,
        weight=5,
    )
)
