"""Where cases feed the other apps: the two case figures of the voice imbalance report and the
SLA line of each tier's service floor (market's tiers page). Imported from ``apps.ready``."""

from decimal import Decimal

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.market.floor import register_floor_item
from tend.voice import stats
from tend.voice.reports import ImbalanceMetric, register_imbalance_metric

from .models import SEVERITY_RANK, Severity, SlaPolicy
from .selectors import case_sla_by_tier
from .sla import DEFAULT_POLICIES

# --- imbalance report ---


def sla_met_moments(*, customers, start, end, now) -> dict[str, stats.Moments]:
    """Share of decided cases opened in the period that met their SLA (first response and
    resolution on time), per tier."""
    return {
        tier: stats.Moments(row["decided"], float(row["met"]), float(row["met"]))
        for tier, row in case_sla_by_tier(customers=customers, start=start, end=end).items()
        if row["decided"]
    }


def resolution_hours_moments(*, customers, start, end, now) -> dict[str, stats.Moments]:
    """Working hours from opening to resolution of the cases resolved in the period, per tier."""
    return {
        tier: stats.Moments(row["resolved"], float(row["hours"] or 0), float(row["hours_sq"] or 0))
        for tier, row in case_sla_by_tier(customers=customers, start=start, end=end).items()
        if row["resolved"]
    }


register_imbalance_metric(
    ImbalanceMetric(
        "case_sla_met",
        gettext_lazy("Case SLA met"),
        "%",
        True,
        sla_met_moments,
        scale=100.0,
        order=40,
    )
)
register_imbalance_metric(
    ImbalanceMetric(
        "case_resolution_hours",
        gettext_lazy("Time to resolve a case"),
        gettext_lazy("working hours"),
        False,
        resolution_hours_moments,
        order=50,
    )
)


# --- service floor ---

_policies: dict[str, tuple[str, Decimal, Decimal] | None] = {}


def forget(*args, **kwargs) -> None:
    """Drop the policies read for this request (at each request's start, after an edit)."""
    _policies.clear()


def _top_policies() -> dict:
    """Per tier, the policy of its highest severity: one query for the whole tiers page."""
    if not _policies:
        found: dict = {}
        for tier, severity, response, resolution in SlaPolicy.objects.values_list(
            "tier", "severity", "response_hours", "resolution_hours"
        ):
            best = found.get(tier)
            if best is None or SEVERITY_RANK[severity] < SEVERITY_RANK[best[0]]:
                found[tier] = (severity, response, resolution)
        _policies.update(found)
        _policies.setdefault("", None)  # read, even when no policy is stored
    return _policies


def _hours_text(hours: Decimal) -> str:
    """Working hours, as whole working days when they divide evenly (a day is the working
    day of ``TEND_WORKDAY_START``..``TEND_WORKDAY_END``)."""
    day = settings.TEND_WORKDAY_END - settings.TEND_WORKDAY_START
    if day > 0 and hours >= day and hours % day == 0:
        days = int(hours // day)
        return (
            _("%(n)d working day") % {"n": days}
            if days == 1
            else _("%(n)d working days") % {"n": days}
        )
    return _("%(n)s working h") % {"n": f"{hours.normalize():f}"}


def sla_floor(tier: str) -> str:
    policy = _top_policies().get(tier)
    if policy is None:
        response, resolution = DEFAULT_POLICIES.get((tier, Severity.CRITICAL), (24, 108))
        severity = Severity.CRITICAL
    else:
        severity, response, resolution = policy
    return _("first response %(response)s, resolution %(resolution)s (%(severity)s)") % {
        "response": _hours_text(Decimal(response)),
        "resolution": _hours_text(Decimal(resolution)),
        "severity": Severity(severity).label.lower(),
    }


register_floor_item("case_sla", gettext_lazy("Case SLA"), sla_floor)
post_save.connect(forget, sender=SlaPolicy, dispatch_uid="cases.floor.forget.save")
post_delete.connect(forget, sender=SlaPolicy, dispatch_uid="cases.floor.forget.delete")
