"""Value at risk over time, from the stored health snapshots (one per customer per scoring day):
the sum of value at risk on the last scoring day of each month (and the latest), by main cause
and by the owner's team. Read from the day totals the scoring keeps with its snapshots
(``health.RiskDayTotal``), owners as they were on each day; the drill-down lists the
snapshots' customers as the person may see them today."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import Team
from tend.health.causes import Cause
from tend.health.models import HealthSnapshot, RiskDayTotal, ScoreRun

from ..charts import Chart
from ..registry import Cell, ReportFilters, ReportSection, SectionResult, Table, register
from ..scope import money, month_number, month_start, report_customers, report_scoped


def snapshot_days(filters: ReportFilters) -> list[date]:
    """The last scoring day of each month in the window: one query."""
    end = month_number(filters.end)
    start = month_start(end - filters.months + 1)
    stop = month_start(end + 1)
    # Scoring runs, not snapshots: one row per scoring, where snapshots are one per customer.
    last_days = (
        ScoreRun.objects.filter(day__gte=start, day__lt=stop)
        .values_list("day", flat=True)
        .order_by("day")
        .distinct()
    )
    by_month: dict[int, date] = {}
    for day in last_days:
        by_month[month_number(day)] = max(day, by_month.get(month_number(day), day))
    return sorted(by_month.values())


def compute(filters: ReportFilters, user) -> SectionResult:
    days = snapshot_days(filters)
    totals = report_scoped(RiskDayTotal.objects.filter(day__in=days), user=user, filters=filters)
    # The day totals (a few thousand rows a day) grouped by day, cause and the owner's team;
    # the two breakdowns and the latest day's count are sums of these few hundred rows.
    raw_cause: dict = defaultdict(lambda: defaultdict(Decimal))
    raw_team: dict = defaultdict(lambda: defaultdict(Decimal))
    counts: dict = defaultdict(int)
    grouped = (
        totals.values("day", "cause", "owner__team")
        .annotate(value=Sum("value_at_risk"), n=Sum("customers"))
        .order_by()
    )
    for row in grouped:
        value = Decimal(str(row["value"] or 0))
        raw_cause[row["day"]][row["cause"]] += value
        raw_team[row["day"]][row["owner__team"]] += value
        counts[row["day"]] += row["n"]
    by_cause = {d: {c: money(v) for c, v in raw_cause[d].items()} for d in days}
    by_team = {d: {t: money(v) for t, v in raw_team[d].items()} for d in days}
    causes = [c for c in Cause.values if any(c in by_cause[d] for d in days)]
    if any("" in by_cause[d] for d in days):
        causes.append("")
    teams = sorted({t for d in days for t in by_team[d]}, key=lambda t: (t is None, t or 0))
    names = dict(Team.objects.filter(pk__in=[t for t in teams if t]).values_list("pk", "name"))
    cause_label = dict(Cause.choices)
    rows = []
    totals = []
    for day in days:
        total = sum(by_cause[day].values(), money(0))
        totals.append(total)
        rows.append(
            [day.isoformat()]
            + [
                Cell(by_cause[day].get(c, money(0)), drill=f"{day.isoformat()}:{c or 'none'}")
                for c in causes
            ]
            + [by_team[day].get(t, money(0)) for t in teams]
            + [total]
        )
    if len(totals) >= 2 and totals[0]:
        change = float(totals[-1] / totals[0] - 1)
        headline = _("Value at risk %(direction)s %(change)d%% since %(day)s") % {
            "direction": _("up") if change >= 0 else _("down"),
            "change": abs(round(change * 100)),
            "day": days[0].isoformat(),
        }
    elif totals:
        headline = _("%(value)s at risk on %(day)s") % {"value": totals[-1], "day": days[-1]}
    else:
        headline = _("No health scoring stored in these 12 months")
    latest_count = counts[days[-1]] if days else 0
    return SectionResult(
        headline=headline,
        caption=_(
            "Value at risk: each customer's annual value times its risk, as scored on the last "
            "scoring day of each month (stored snapshots), by the main cause the scoring named "
            "and by the team of the customer's owner at the time of that scoring."
        ),
        sample=latest_count,
        sample_label=_("customers at risk on the latest day"),
        table=Table(
            headers=[_("Day")]
            + [str(cause_label.get(c, _("No cause named"))) for c in causes]
            + [names.get(t, _("Pool")) if t else _("Pool") for t in teams]
            + [_("Total")],
            rows=rows,
        ),
        chart=Chart(
            kind="stacked",
            title=headline,
            categories=[d.strftime("%Y-%m-%d") for d in days],
            series=[
                (
                    str(cause_label.get(c, _("No cause named"))),
                    [float(by_cause[d].get(c, 0)) for d in days],
                )
                for c in causes
            ],
        ),
        figures={
            "days": [d.isoformat() for d in days],
            "total": [str(t) for t in totals],
            "by_cause": {
                c or "none": [str(by_cause[d].get(c, money(0))) for d in days] for c in causes
            },
        },
    )


def customers(filters: ReportFilters, user, drill: str):
    """``<day>:<cause or none>``: customers with value at risk that day, for that cause."""
    day_text, _sep, cause = drill.partition(":")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return None
    if cause != "none" and cause not in Cause.values:
        return None
    snapshots = HealthSnapshot.objects.filter(day=day, value_at_risk__gt=0).filter(
        Q(cause="") if cause == "none" else Q(cause=cause)
    )
    return report_customers(user=user, filters=filters).filter(
        pk__in=snapshots.values("customer_id")
    )


register(
    ReportSection(
        key="value_at_risk",
        title=gettext_lazy("Value at risk over time"),
        order=50,
        compute=compute,
        customers=customers,
    )
)
