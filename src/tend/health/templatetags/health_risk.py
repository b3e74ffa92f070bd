from datetime import timedelta

from django import template
from django.conf import settings
from django.utils.translation import gettext as _

from ..causes import Cause, RiskLevel
from ..selectors import risk as selectors
from ..signals import reason_text
from ..sparkline import risk_sparkline

register = template.Library()


@register.filter
def reason_texts(snapshot, count=None):
    """A snapshot's reasons in the reader's language, strongest first (``count`` of them)."""
    reasons = snapshot.reasons or []
    if count is not None:
        reasons = reasons[: int(count)]
    return [reason_text(reason) for reason in reasons]


_LEVELS = dict(RiskLevel.choices)
_CAUSES = dict(Cause.choices)


@register.filter
def level_label(value: str) -> str:
    """A risk level's name in the reader's language: ``get_level_display`` rebuilds the
    choices' dict on every call (50 rows on a page)."""
    return str(_LEVELS.get(value, value))


@register.filter
def cause_label(value: str) -> str:
    """A cause's name in the reader's language; empty when there is none."""
    return str(_CAUSES.get(value, value)) if value else ""


@register.filter
def percent(value):
    """0.437 -> 44; empty stays empty."""
    return "" if value is None else round(float(value) * 100)


@register.simple_tag
def base_currency() -> str:
    return settings.TEND_BASE_CURRENCY


@register.simple_tag
def customer_health_panel(customer):
    """The customer page's health panel: the latest snapshot and the risk over the 90 days
    before it. Two queries."""
    latest = selectors.customer_latest_snapshot(customer=customer)
    if latest is None:
        return {"latest": None}
    start = latest.day - timedelta(days=selectors.HISTORY_DAYS - 1)
    points = list(
        selectors.customer_history(customer=customer, until=latest.day).values_list("day", "risk")
    )
    first = points[0][1] if points else latest.risk
    label = _("Risk over the last %(days)d days: from %(first)d%% to %(last)d%%") % {
        "days": selectors.HISTORY_DAYS,
        "first": round(first * 100),
        "last": round(latest.risk * 100),
    }
    return {
        "latest": latest,
        "reasons": [reason_text(reason) for reason in latest.reasons or []],
        "points": len(points),
        "sparkline": risk_sparkline(points, start=start, end=latest.day, label=label),
        "start": start,
        "currency": settings.TEND_BASE_CURRENCY,
    }
