"""The voice reports: NPS and CSAT trends by month, tier, country, team and owner, and the
imbalance report (seed 003: are smaller customers treated worse?). SQL aggregates feed
``stats``; everything is over the customers the user may see.

Other apps add a figure to the imbalance report with one call to
``register_imbalance_metric`` (the cases app: case SLA met, resolution time)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tend.customers.models import Customer, Tier
from tend.engagement.models import Interaction, PromiseOutcome
from tend.engagement.models import Promise as CustomerPromise
from tend.engagement.selectors import ReliabilityRow

from . import stats
from .models import NPS_DETRACTOR_MAX, NPS_PROMOTER_MIN, SurveyAnswer, SurveyKind

# --- trends ----------------------------------------------------------------------------------

GROUPS = {
    "month": (_("Month"), ("month",)),
    "tier": (_("Tier"), ("customer__tier",)),
    "country": (_("Country"), ("customer__country",)),
    "team": (_("Team"), ("customer__owner__team__name",)),
    "owner": (
        _("Owner"),
        (
            "customer__owner",
            "customer__owner__first_name",
            "customer__owner__last_name",
            "customer__owner__username",
        ),
    ),
}


@dataclass
class TrendRow:
    label: str
    nps: stats.Estimate
    csat: stats.Estimate

    @property
    def bar(self) -> dict[str, int] | None:
        """A bar for the NPS on a 0..200 axis with zero in the middle (a tiny inline SVG)."""
        if self.nps.value is None:
            return None
        value = round(self.nps.value)
        return {"x": 100 + min(value, 0), "width": max(abs(value), 1), "negative": value < 0}


def _answer_aggregates():
    nps = Q(kind=SurveyKind.NPS)
    csat = Q(kind=SurveyKind.CSAT)
    return {
        "promoters": Count("id", filter=nps & Q(score__gte=NPS_PROMOTER_MIN)),
        "passives": Count(
            "id", filter=nps & Q(score__gt=NPS_DETRACTOR_MAX, score__lt=NPS_PROMOTER_MIN)
        ),
        "detractors": Count("id", filter=nps & Q(score__lte=NPS_DETRACTOR_MAX)),
        "csat_n": Count("id", filter=csat),
        "csat_sum": Sum(Cast("score", FloatField()), filter=csat),
        "csat_sq": Sum(Cast(F("score") * F("score"), FloatField()), filter=csat),
    }


def _row(label: str, values: dict) -> TrendRow:
    return TrendRow(
        label=label,
        nps=stats.nps(values["promoters"], values["passives"], values["detractors"]),
        csat=stats.Estimate.of(
            stats.Moments(values["csat_n"], values["csat_sum"] or 0.0, values["csat_sq"] or 0.0)
        ),
    )


def answers_in(*, customers: QuerySet[Customer], start: datetime, end: datetime):
    return SurveyAnswer.objects.filter(
        customer__in=customers, answered_at__gte=start, answered_at__lt=end
    )


def voice_overall(*, customers, start, end) -> TrendRow:
    values = answers_in(customers=customers, start=start, end=end).aggregate(**_answer_aggregates())
    return _row(str(_("All")), values)


def voice_trend(*, customers, start, end, group: str) -> list[TrendRow]:
    """NPS and CSAT per month, tier, country, team or owner: one grouped query."""
    _title, columns = GROUPS[group]
    answers = answers_in(customers=customers, start=start, end=end)
    if group == "month":
        answers = answers.annotate(month=TruncMonth("answered_at"))
    rows = answers.values(*columns).annotate(**_answer_aggregates()).order_by(*columns)
    out = []
    for values in rows:
        if group == "month":
            label = values["month"].strftime("%Y-%m") if values["month"] else "—"
        elif group == "owner":
            first = values["customer__owner__first_name"]
            last = values["customer__owner__last_name"]
            name = f"{first} {last}".strip() or values["customer__owner__username"]
            label = name or str(_("Pool"))
        else:
            label = values[columns[0]] or str(_("None"))
        out.append(_row(str(label), values))
    return out


# --- imbalance -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImbalanceMetric:
    """One figure of the imbalance report. ``moments(customers=..., start=..., end=..., now=...)``
    returns per tier the count, sum and sum of squares of its per-item values (see ``stats``);
    ``scale`` turns the mean into the shown figure (100 for a share in %)."""

    key: str
    label: str | Promise
    unit: str | Promise
    higher_is_better: bool
    moments: Callable[..., dict[str, stats.Moments]]
    scale: float = 1.0
    order: int = 100


_METRICS: dict[str, ImbalanceMetric] = {}


def register_imbalance_metric(metric: ImbalanceMetric) -> ImbalanceMetric:
    """Add a figure to the imbalance report (cases adds "case SLA met" and "resolution time")."""
    _METRICS[metric.key] = metric
    return metric


def imbalance_metrics() -> list[ImbalanceMetric]:
    return sorted(_METRICS.values(), key=lambda m: (m.order, m.key))


def _by_tier(rows, n="n", total="total", total_sq="total_sq") -> dict[str, stats.Moments]:
    return {
        row["tier"]: stats.Moments(row[n], float(row[total] or 0), float(row[total_sq] or 0))
        for row in rows
    }


def response_time_moments(*, customers, start, end, now) -> dict[str, stats.Moments]:
    """Working hours to answer an inquiry (``Interaction.response_hours``, counted in working
    hours when the answer was logged), inquiries answered in the period."""
    rows = (
        Interaction.objects.filter(
            customer__in=customers,
            needs_answer=True,
            answered_at__gte=start,
            answered_at__lt=end,
            response_hours__isnull=False,
        )
        .values(tier=F("customer__tier"))
        .annotate(
            n=Count("id"),
            total=Sum(Cast("response_hours", FloatField())),
            total_sq=Sum(Cast(F("response_hours") * F("response_hours"), FloatField())),
        )
    )
    return _by_tier(rows)


def promises_on_time_moments(*, customers, start, end, now) -> dict[str, stats.Moments]:
    """Promises due in the period kept on time, by the reliability report's definition
    (``engagement.selectors.ReliabilityRow``: kept on time of kept + kept late + broken)."""
    rows = (
        CustomerPromise.objects.filter(customer__in=customers, due_at__gte=start, due_at__lt=end)
        .values(tier=F("customer__tier"))
        .annotate(
            kept=Count("id", filter=Q(outcome=PromiseOutcome.KEPT)),
            kept_late=Count("id", filter=Q(outcome=PromiseOutcome.KEPT_LATE)),
            broken=Count("id", filter=Q(outcome=PromiseOutcome.BROKEN)),
        )
    )
    out = {}
    for row in rows:
        counted = ReliabilityRow(
            person=None,
            made=0,
            kept=row["kept"],
            kept_late=row["kept_late"],
            broken=row["broken"],
            withdrawn=0,
            open=0,
            median_response_hours=None,
            customers=0,
            touched_in_cadence=0,
        )
        out[row["tier"]] = stats.Moments(counted.decided, counted.kept, counted.kept)
    return out


def touches_in_cadence_moments(*, customers, start, end, now) -> dict[str, stats.Moments]:
    """Owned customers whose next touch is not yet overdue (the reliability report's "touched
    in cadence"), today."""
    rows = (
        customers.filter(owner__isnull=False)
        .values("tier")
        .annotate(n=Count("id"), touched=Count("id", filter=Q(touch_due_at__gte=now)))
    )
    return {row["tier"]: stats.Moments(row["n"], row["touched"], row["touched"]) for row in rows}


def nps_moments(*, customers, start, end, now) -> dict[str, stats.Moments]:
    rows = (
        answers_in(customers=customers, start=start, end=end)
        .values(tier=F("customer__tier"))
        .annotate(**_answer_aggregates())
    )
    return {
        row["tier"]: stats.nps_moments(row["promoters"], row["passives"], row["detractors"])
        for row in rows
    }


register_imbalance_metric(
    ImbalanceMetric(
        "response_hours",
        _("Time to answer an inquiry"),
        _("working hours"),
        False,
        response_time_moments,
        order=10,
    )
)
register_imbalance_metric(
    ImbalanceMetric(
        "promises_on_time",
        _("Promises kept on time"),
        "%",
        True,
        promises_on_time_moments,
        scale=100.0,
        order=20,
    )
)
register_imbalance_metric(
    ImbalanceMetric(
        "touches_in_cadence",
        _("Customers touched within their cadence"),
        "%",
        True,
        touches_in_cadence_moments,
        scale=100.0,
        order=30,
    )
)
register_imbalance_metric(
    ImbalanceMetric("nps", _("NPS"), _("points"), True, nps_moments, scale=100.0, order=90)
)


@dataclass
class TierCell:
    tier: str
    estimate: stats.Estimate
    gap: stats.Gap


@dataclass
class ImbalanceRow:
    metric: ImbalanceMetric
    overall: stats.Estimate
    cells: list[TierCell] = field(default_factory=list)

    @property
    def flagged(self) -> list[TierCell]:
        return [cell for cell in self.cells if cell.gap.flagged]


def imbalance_report(*, customers, start, end, now) -> list[ImbalanceRow]:
    """Each figure per tier with n and 95% interval, and each tier against the other tiers
    together: flagged only when the difference's 95% interval excludes zero."""
    tiers = [value for value, _label in Tier.choices]
    rows = []
    for metric in imbalance_metrics():
        per_tier = metric.moments(customers=customers, start=start, end=end, now=now)
        everyone = sum((per_tier.get(t, stats.Moments()) for t in tiers), stats.Moments())
        row = ImbalanceRow(metric, stats.Estimate.of(everyone, metric.scale))
        for tier in tiers:
            mine = per_tier.get(tier, stats.Moments())
            rest = sum(
                (per_tier.get(t, stats.Moments()) for t in tiers if t != tier), stats.Moments()
            )
            estimate = stats.Estimate.of(mine, metric.scale)
            row.cells.append(
                TierCell(
                    tier,
                    estimate,
                    stats.gap(
                        estimate,
                        stats.Estimate.of(rest, metric.scale),
                        higher_is_better=metric.higher_is_better,
                    ),
                )
            )
        rows.append(row)
    return rows
