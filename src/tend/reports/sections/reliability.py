"""Reliability over time: the promise on-time rate by month, per person and for everyone shown,
the median response time to inquiries by month, and today's share of customers touched within
their cadence.

The on-time rate is the reliability page's (``engagement.selectors.ReliabilityRow``): kept on
time / (kept + kept late + broken), withdrawn promises left out, by the month the promise was
due. People who have left stay in the table and in the company figure: their promises were
made, and removing them would make the figure jump the day they go."""

import statistics
from collections import defaultdict
from datetime import datetime, time

from django.core.exceptions import EmptyResultSet
from django.db.models import Case, Count, FloatField, IntegerField, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.customers.models import Customer
from tend.engagement.models import Interaction, Promise, PromiseOutcome
from tend.engagement.selectors import ReliabilityRow

from ..cadence import cadence_by_month, cadence_now
from ..charts import Chart
from ..registry import Cell, ReportFilters, ReportSection, SectionResult, Table, register
from ..scope import fetch, month_label, month_number, month_start, report_people

NOT_ON_TIME = [PromiseOutcome.KEPT_LATE, PromiseOutcome.BROKEN]


def _bounds(filters: ReportFilters) -> tuple[list[int], datetime, datetime]:
    end = month_number(filters.end)
    months = [end - filters.months + 1 + i for i in range(filters.months)]
    zone = timezone.get_current_timezone()
    start = datetime.combine(month_start(months[0]), time(0), tzinfo=zone)
    stop = datetime.combine(month_start(end + 1), time(0), tzinfo=zone)
    return months, start, stop


def _row(counts: dict | None) -> ReliabilityRow:
    counts = counts or {}
    return ReliabilityRow(
        person=None,
        made=counts.get("made", 0),
        kept=counts.get("kept", 0),
        kept_late=counts.get("kept_late", 0),
        broken=counts.get("broken", 0),
        withdrawn=0,
        open=0,
        median_response_hours=None,
        customers=0,
        touched_in_cadence=0,
    )


def _month_bounds(months: list[int]) -> list[datetime]:
    """Midnight at the start of each month and after the last, in the current zone."""
    zone = timezone.get_current_timezone()
    return [
        datetime.combine(month_start(m), time(0), tzinfo=zone) for m in [*months, months[-1] + 1]
    ]


def _month_case(field: str, months: list[int]) -> Case:
    """The month number of ``field`` as a CASE between aware bounds: no truncation per row
    (SQLite would run one in Python for each)."""
    bounds = _month_bounds(months)
    return Case(
        *(
            When(**{f"{field}__gte": bounds[i], f"{field}__lt": bounds[i + 1]}, then=Value(m))
            for i, m in enumerate(months)
        ),
        output_field=IntegerField(),
    )


def by_month(queryset: QuerySet, field: str, months: list[int]) -> QuerySet:
    """``queryset`` once per month, each narrowed to the month by a range on ``field`` (an
    index range) and labelled with its number in ``month``, as one UNION ALL query: no month
    computed per row, which SQLite does slowly for aware datetimes."""
    bounds = _month_bounds(months)
    parts = [
        queryset.order_by()
        .filter(**{f"{field}__gte": bounds[i], f"{field}__lt": bounds[i + 1]})
        .annotate(month=Value(m, output_field=IntegerField()))
        for i, m in enumerate(months)
    ]
    return parts[0].union(*parts[1:], all=True)


def reliability_by_month(*, user, filters: ReportFilters) -> dict:
    """``{(person id or None for everyone, month number): ReliabilityRow}``; one query, which
    counts each month's promises per person and outcome in the (made_by, outcome, due_at)
    index."""
    months = _bounds(filters)[0]
    people = report_people(user=user, filters=filters).values("pk")
    rows = by_month(
        Promise.objects.filter(made_by__in=people, outcome__in=PromiseOutcome.values)
        .values("made_by", "outcome")
        .annotate(n=Count("pk")),
        "due_at",
        months,
    )
    keys = {
        PromiseOutcome.KEPT: "kept",
        PromiseOutcome.KEPT_LATE: "kept_late",
        PromiseOutcome.BROKEN: "broken",
    }
    counts: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for person in (row["made_by"], None):
            figures = counts[(person, row["month"])]
            figures["made"] += row["n"]
            if row["outcome"] in keys:
                figures[keys[row["outcome"]]] += row["n"]
    return {key: _row(value) for key, value in counts.items()}


def _median_response_hours(rows) -> dict[int, list[float]]:
    """``{month: [the one or two middle response times]}`` from ``rows`` of (month, hours):
    the database ranks each month's answers (a window function) and returns only the middle
    ones, whose median is the month's; not every answer of the year into Python."""
    try:
        inner, params = rows.query.sql_with_params()
    except EmptyResultSet:  # nobody to report on
        return {}
    sql = f"""
        SELECT month, hours FROM (
            SELECT m.*, ROW_NUMBER() OVER (PARTITION BY month ORDER BY hours) AS place,
                   COUNT(*) OVER (PARTITION BY month) AS n
            FROM ({inner}) m WHERE hours IS NOT NULL
        ) ranked
        WHERE place IN ((n + 1) / 2, (n + 2) / 2)
    """
    middle: dict[int, list[float]] = defaultdict(list)
    for month, hours in fetch(sql, params):
        middle[month].append(float(hours))
    return middle


def compute(filters: ReportFilters, user) -> SectionResult:
    months = _bounds(filters)[0]
    people = list(report_people(user=user, filters=filters).order_by("first_name", "username"))
    figures = reliability_by_month(user=user, filters=filters)
    response_hours = _median_response_hours(
        by_month(
            Interaction.objects.filter(responder__in=[p.pk for p in people])
            .annotate(hours=Cast("response_hours", FloatField()))
            .values_list("hours"),
            "answered_at",
            months,
        )
    )
    ids = [p.pk for p in people]
    coverage = {
        person: {"customers": count, "touched": touched}
        for person, (count, touched) in cadence_now(people=ids, now=timezone.now()).items()
    }
    cadence = cadence_by_month(people=ids, months=months)

    def share(figures: tuple[int, int] | None) -> float | None:
        return figures[1] / figures[0] if figures and figures[0] else None

    def rate_cell(person_id, m):
        row = figures.get((person_id, m))
        rate = row.on_time_rate if row else None
        return Cell(
            round(rate, 4) if rate is not None else None,
            drill=f"{person_id or 0}-{m}" if row and row.decided > row.kept else "",
            text=f"{rate * 100:.0f}%" if rate is not None else "",
        )

    rows = []
    for person in people:
        if (
            not any((person.pk, m) in figures or (person.pk, m) in cadence for m in months)
            and person.pk not in coverage
        ):
            continue
        name = str(person) if person.is_active else _("%(name)s (left)") % {"name": person}
        cov = coverage.get(person.pk)
        touched = cov["touched"] / cov["customers"] if cov and cov["customers"] else None
        rows.append(
            [name]
            + [rate_cell(person.pk, m) for m in months]
            + [Cell(touched, text=f"{touched * 100:.0f}%" if touched is not None else "")]
        )
    company = [figures.get((None, m)) for m in months]
    all_cov = [
        sum(c["customers"] for c in coverage.values()),
        sum(c["touched"] for c in coverage.values()),
    ]
    touched_all = all_cov[1] / all_cov[0] if all_cov[0] else None
    rows.append(
        [_("Everyone shown")]
        + [rate_cell(None, m) for m in months]
        + [Cell(touched_all, text=f"{touched_all * 100:.0f}%" if touched_all is not None else "")]
    )
    medians = [
        round(statistics.median(response_hours[m]), 1) if response_hours.get(m) else None
        for m in months
    ]
    rows.append([_("Median response (working hours)")] + medians + [""])
    in_cadence = [share(cadence.get((None, m))) for m in months]
    rows.append(
        [_("Touched in cadence, everyone shown")]
        + [Cell(v, text=f"{v * 100:.0f}%" if v is not None else "") for v in in_cadence]
        + [""]
    )
    rates = [row.on_time_rate if row else None for row in company]
    decided = sum(row.decided for row in company if row)
    recent = [r for r in rates if r is not None]
    if recent:
        headline = _(
            "%(rate)d%% of promises kept on time last month (%(first)d%% a year before)"
        ) % {
            "rate": round(recent[-1] * 100),
            "first": round(recent[0] * 100),
        }
    else:
        headline = _("No promise fell due in these 12 months")
    return SectionResult(
        headline=headline,
        caption=_(
            "On time = kept by the due date / (kept + kept late + broken), withdrawn promises "
            "left out, by the month the promise was due; people who have left keep their rows "
            "and stay in the total. Response: median working hours to answer an inquiry, by the "
            "month answered. Touched in cadence: share of the customers each person owns whose "
            "next touch is not yet due, now (last column) and as recorded at each month's end "
            "(the worker records it daily; people who have left keep their months)."
        ),
        sample=decided,
        sample_label=_("promises decided"),
        table=Table(
            headers=[_("Person")] + [month_label(m) for m in months] + [_("Touched in cadence")],
            rows=rows,
        ),
        chart=Chart(
            kind="lines",
            title=headline,
            categories=[month_label(m) for m in months],
            unit="%",
            series=[
                (_("On time, everyone shown"), rates),
                (_("Touched in cadence, everyone shown"), in_cadence),
            ],
        ),
        figures={
            "months": [month_label(m) for m in months],
            "on_time_rate": rates,
            "median_response_hours": medians,
            "touched_in_cadence": in_cadence,
            "people": [
                {
                    "id": person.pk,
                    "name": str(person),
                    "active": person.is_active,
                    "on_time_rate": [
                        figures[(person.pk, m)].on_time_rate if (person.pk, m) in figures else None
                        for m in months
                    ],
                    "touched_in_cadence": [share(cadence.get((person.pk, m))) for m in months],
                }
                for person in people
                if any((person.pk, m) in figures or (person.pk, m) in cadence for m in months)
            ],
        },
    )


def customers(filters: ReportFilters, user, drill: str):
    """``<person id, 0 for everyone>-<month>``: customers of promises due that month that were
    kept late or broken."""
    person, _sep, number = drill.partition("-")
    if not person.isdigit() or not number.isdigit() or len(person) > 18 or len(number) > 6:
        return None
    m = int(number)
    if not 12 * 1900 <= m <= 12 * 2999:
        return None
    zone = timezone.get_current_timezone()
    people = report_people(user=user, filters=filters)
    if int(person):
        people = people.filter(pk=int(person))
    promises = Promise.objects.filter(
        made_by__in=people.values("pk"),
        outcome__in=NOT_ON_TIME,
        due_at__gte=datetime.combine(month_start(m), time(0), tzinfo=zone),
        due_at__lt=datetime.combine(month_start(m + 1), time(0), tzinfo=zone),
    )
    return Customer.objects.visible_to(user).filter(pk__in=promises.values("customer_id"))


register(
    ReportSection(
        key="reliability",
        title=gettext_lazy("Reliability over time"),
        order=40,
        compute=compute,
        customers=customers,
    )
)
