"""The report's "Customer voice" section: NPS per month with its n and 95% interval, and the
mean CSAT, over the customers the reader may see (the voice reports' own aggregates, by the
month answered). Drill-down: the customers of the month's detractors."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.reports.charts import Chart
from tend.reports.registry import Cell, ReportFilters, ReportSection, SectionResult, Table, register
from tend.reports.scope import among, month_label, report_customers
from tend.reports.sections.reliability import _bounds, _month_bounds, _month_case

from . import stats
from .models import NPS_DETRACTOR_MAX, SurveyAnswer, SurveyKind
from .reports import _answer_aggregates, _row


def _number(value: float | None, digits: int = 0) -> float | None:
    return None if value is None else round(value, digits)


def _interval(estimate) -> str:
    if estimate.low is None:
        return ""
    return f"{estimate.low:.0f} … {estimate.high:.0f}"


def compute(filters: ReportFilters, user) -> SectionResult:
    months, start, stop = _bounds(filters)
    answers = among(
        SurveyAnswer.objects.filter(answered_at__gte=start, answered_at__lt=stop),
        report_customers(user=user, filters=filters),
    )
    grouped = {
        row["month"]: row
        for row in answers.annotate(month=_month_case("answered_at", months))
        .values("month")
        .annotate(**_answer_aggregates())
        .order_by()
    }
    empty = {"promoters": 0, "passives": 0, "detractors": 0, "csat_n": 0}
    empty |= {"csat_sum": 0.0, "csat_sq": 0.0}
    trend = [_row(month_label(m), grouped.get(m, empty)) for m in months]
    everyone = {key: sum(row[key] or 0 for row in grouped.values()) for key in empty}
    overall = _row(_("All"), everyone)
    rows = []
    for m, row in zip(months, trend, strict=True):
        detractors = grouped.get(m, empty)["detractors"]
        rows.append(
            [
                row.label,
                Cell(_number(row.nps.value), text=_number_text(row.nps.value)),
                row.nps.n,
                _interval(row.nps),
                Cell(detractors, drill=f"detractors-{m}" if detractors else ""),
                Cell(_number(row.csat.value, 2), text=_number_text(row.csat.value, 2)),
                row.csat.n,
            ]
        )
    last = trend[-1].nps
    if overall.nps.value is None:
        headline = _("No NPS answer in these 12 months")
    elif last.value is None:
        headline = _("NPS %(nps)+.0f over 12 months (n = %(n)d); no answer last month") % {
            "nps": overall.nps.value,
            "n": overall.nps.n,
        }
    elif last.low is None or last.low <= overall.nps.value <= last.high:
        headline = _(
            "NPS %(last)+.0f last month (n = %(n)d), within the noise of the year's %(nps)+.0f"
        ) % {"last": last.value, "n": last.n, "nps": overall.nps.value}
    else:
        headline = _(
            "NPS %(last)+.0f last month (n = %(n)d), clearly %(way)s the year's %(nps)+.0f"
        ) % {
            "last": last.value,
            "n": last.n,
            "nps": overall.nps.value,
            "way": _("above") if last.value > overall.nps.value else _("below"),
        }
    labels = [row.label for row in trend]
    return SectionResult(
        headline=headline,
        caption=_(
            "NPS = %% promoters (9–10) − %% detractors (0–6) of the answers given that month, "
            "with its %(level)d%% interval; CSAT = mean score 1–5 of the answers given that month."
        )
        % {"level": stats.CONFIDENCE_PCT},
        sample=overall.nps.n + overall.csat.n,
        sample_label=_("answers"),
        table=Table(
            headers=[
                _("Month"),
                _("NPS"),
                _("NPS answers"),
                _("%(level)d%% interval") % {"level": stats.CONFIDENCE_PCT},
                _("Detractors"),
                _("CSAT"),
                _("CSAT answers"),
            ],
            rows=rows,
        ),
        chart=Chart(
            kind="lines",
            title=headline,
            categories=labels,
            series=[(_("NPS"), [_number(row.nps.value) for row in trend])],
        ),
        figures={
            "months": labels,
            "nps": [_number(row.nps.value, 1) for row in trend],
            "nps_n": [row.nps.n for row in trend],
            "nps_low": [_number(row.nps.low, 1) for row in trend],
            "nps_high": [_number(row.nps.high, 1) for row in trend],
            "csat": [_number(row.csat.value, 2) for row in trend],
            "csat_n": [row.csat.n for row in trend],
        },
    )


def _number_text(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def customers(filters: ReportFilters, user, drill: str):
    """``detractors-<month number>``: the customers who gave an NPS of 0–6 that month."""
    kind, _sep, number = drill.partition("-")
    if kind != "detractors" or not number.isdigit() or len(number) > 6:
        return None
    m = int(number)
    months, _start, _stop = _bounds(filters)
    if m not in months:
        return None
    bounds = _month_bounds([m])
    detractors = SurveyAnswer.objects.filter(
        Q(kind=SurveyKind.NPS, score__lte=NPS_DETRACTOR_MAX),
        answered_at__gte=bounds[0],
        answered_at__lt=bounds[1],
    )
    return report_customers(user=user, filters=filters).filter(
        pk__in=detractors.values("customer_id")
    )


register(
    ReportSection(
        key="customer_voice",
        title=gettext_lazy("Customer voice"),
        order=70,
        compute=compute,
        customers=customers,
    )
)
