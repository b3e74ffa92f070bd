"""The report's "Service cases" section: per month opened, the cases, the share that met the
first-response and the resolution SLA, breaches, median working hours to resolution and
hand-offs, over the customers the reader may see. Drill-down: the customers of breached cases.

The figures are the ones the case clock stored (``selectors.case_sla_outcomes``); nothing is
recounted here."""

import statistics
from collections import defaultdict

from django.db.models import Count, FloatField, Q, Sum
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.reports.charts import Chart
from tend.reports.registry import Cell, ReportFilters, ReportSection, SectionResult, Table, register
from tend.reports.scope import among, month_label, report_customers
from tend.reports.sections.reliability import _bounds, _month_bounds, _month_case

from .models import Case


def _rate(met: int, decided: int) -> float | None:
    return met / decided if decided else None


def _pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.0f}%"


def case_months(*, user, filters: ReportFilters) -> tuple[list[int], dict, dict]:
    """Month numbers, ``{month: counts}`` (one grouped query) and ``{month: [resolution working
    hours of its resolved cases]}`` (one narrow query) for the cases opened in the 12 months."""
    months, start, stop = _bounds(filters)
    cases = among(
        Case.objects.filter(opened_at__gte=start, opened_at__lt=stop),
        report_customers(user=user, filters=filters),
    ).annotate(month=_month_case("opened_at", months))
    counts = {
        row["month"]: row
        for row in cases.values("month")
        .annotate(
            opened=Count("pk"),
            response_decided=Count("pk", filter=Q(sla_response_met__isnull=False)),
            response_met=Count("pk", filter=Q(sla_response_met=True)),
            resolution_decided=Count("pk", filter=Q(sla_resolution_met__isnull=False)),
            resolution_met=Count("pk", filter=Q(sla_resolution_met=True)),
            breaches=Count("pk", filter=Q(sla_breached_at__isnull=False)),
            handoffs=Sum("handoffs"),
        )
        .order_by()
    }
    hours: dict[int, list[float]] = defaultdict(list)
    for m, value in (
        cases.filter(resolved_at__isnull=False)
        .annotate(hours=Cast("sla_resolution_working_hours", FloatField()))
        .values_list("month", "hours")
    ):
        hours[m].append(value)
    return months, counts, hours


def compute(filters: ReportFilters, user) -> SectionResult:
    months, counts, hours = case_months(user=user, filters=filters)
    rows = []
    response_rates, resolution_rates, medians = [], [], []
    for m in months:
        row = counts.get(m, {})
        response = _rate(row.get("response_met", 0), row.get("response_decided", 0))
        resolution = _rate(row.get("resolution_met", 0), row.get("resolution_decided", 0))
        median = round(statistics.median(hours[m]), 1) if hours.get(m) else None
        breaches = row.get("breaches", 0)
        response_rates.append(response)
        resolution_rates.append(resolution)
        medians.append(median)
        rows.append(
            [
                month_label(m),
                row.get("opened", 0),
                Cell(round(response, 4) if response is not None else None, text=_pct(response)),
                Cell(
                    round(resolution, 4) if resolution is not None else None,
                    text=_pct(resolution),
                ),
                Cell(breaches, drill=f"breach-{m}" if breaches else ""),
                median,
                row.get("handoffs") or 0,
            ]
        )
    total = {
        key: sum(row.get(key) or 0 for row in counts.values())
        for key in ("opened", "resolution_decided", "resolution_met", "breaches")
    }
    overall = _rate(total["resolution_met"], total["resolution_decided"])
    last = resolution_rates[-1]
    if overall is None:
        headline = _("No case reached its resolution target or deadline in these 12 months")
    elif last is None:
        headline = _(
            "%(rate)d%% of cases resolved within their SLA over 12 months; none decided last month"
        ) % {"rate": round(overall * 100)}
    else:
        headline = _(
            "%(last)d%% of last month's cases resolved within their SLA "
            "(%(rate)d%% over 12 months, %(breaches)d breaches)"
        ) % {"last": round(last * 100), "rate": round(overall * 100), "breaches": total["breaches"]}
    labels = [month_label(m) for m in months]
    return SectionResult(
        headline=headline,
        caption=_(
            "Cases by the month they were opened. On time: first response or resolution within "
            "the case's SLA in the customer's working hours, of the cases where that is decided "
            "(answered or resolved, or already late). Breaches: cases that went past a target. "
            "Median: working hours from opening to resolution of the resolved cases."
        ),
        sample=total["opened"],
        sample_label=_("cases opened"),
        table=Table(
            headers=[
                _("Month"),
                _("Opened"),
                _("First response on time"),
                _("Resolved on time"),
                _("Breaches"),
                _("Median resolution (working hours)"),
                _("Hand-offs"),
            ],
            rows=rows,
        ),
        chart=Chart(
            kind="lines",
            title=headline,
            categories=labels,
            unit="%",
            series=[
                (_("First response on time"), response_rates),
                (_("Resolved on time"), resolution_rates),
            ],
        ),
        figures={
            "months": labels,
            "opened": [counts.get(m, {}).get("opened", 0) for m in months],
            "first_response_on_time": response_rates,
            "resolved_on_time": resolution_rates,
            "breaches": [counts.get(m, {}).get("breaches", 0) for m in months],
            "median_resolution_hours": medians,
            "handoffs": [counts.get(m, {}).get("handoffs") or 0 for m in months],
        },
    )


def customers(filters: ReportFilters, user, drill: str):
    """``breach-<month number>``: the customers of the cases opened that month that breached."""
    kind, _sep, number = drill.partition("-")
    if kind != "breach" or not number.isdigit() or len(number) > 6:
        return None
    m = int(number)
    months, _start, _stop = _bounds(filters)
    if m not in months:
        return None
    bounds = _month_bounds([m])
    breached = Case.objects.filter(
        opened_at__gte=bounds[0], opened_at__lt=bounds[1], sla_breached_at__isnull=False
    )
    return report_customers(user=user, filters=filters).filter(
        pk__in=breached.values("customer_id")
    )


register(
    ReportSection(
        key="service_cases",
        title=gettext_lazy("Service cases"),
        order=60,
        compute=compute,
        customers=customers,
    )
)
