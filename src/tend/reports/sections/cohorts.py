"""Retention cohorts: customers grouped by the month or quarter of their first order, and the
share of each group still buying in every later period (and the same for revenue)."""

from django.db.models import Exists, Min, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.orders.models import Order, OrderStatus

from ..charts import Chart
from ..models import CustomerMonthRevenue
from ..registry import Cell, ReportFilters, ReportSection, SectionResult, Table, register
from ..scope import (
    cents,
    fetch,
    month_number,
    month_start,
    period_label,
    period_of,
    report_customers,
    scope_sql,
)

COHORTS = {"quarter": 8, "month": 12}  # how many cohorts the triangle shows


def cohort_figures(*, user, filters: ReportFilters) -> dict:
    """``{(cohort, offset): (customers, revenue)}`` with cohort the first month of the period
    of the first order and offset the periods since; one aggregate query."""
    grain = filters.grain
    step = 3 if grain == "quarter" else 1
    last = period_of(month_number(filters.end), grain)
    first = last - (COHORTS[grain] - 1) * step
    customers = report_customers(user=user, filters=filters)
    scope, params = scope_sql(customers, "customer_id")
    table = CustomerMonthRevenue._meta.db_table
    # A quarter is counted by its first month: (month / 3) * 3 in integer arithmetic.
    cohort_sql = f"(f.first_month / {step}) * {step}"
    period_sql = f"(o.month / {step}) * {step}"
    # From the stored months (a row per customer and month with a non-cancelled order): the
    # first order's month is the customer's first stored month.
    sql = f"""
        SELECT {cohort_sql}, {period_sql}, COUNT(DISTINCT o.customer_id), SUM(o.revenue_cents)
        FROM (SELECT customer_id, MIN(month) AS first_month FROM {table}
              WHERE orders > 0{scope} GROUP BY customer_id
              HAVING MIN(month) >= %s AND MIN(month) < %s) f
        JOIN (SELECT customer_id, month, revenue_cents FROM {table}
              WHERE orders > 0 AND month >= %s AND month < %s{scope}) o
          ON o.customer_id = f.customer_id
        GROUP BY {cohort_sql}, {period_sql}
    """
    stop = last + step
    rows = fetch(sql, (*params, first, stop, first, stop, *params))
    figures = {}
    for cohort, month_no, customers, revenue in rows:
        offset = (int(month_no) - int(cohort)) // step
        figures[(int(cohort), offset)] = (customers, cents(revenue))
    return figures


def compute(filters: ReportFilters, user) -> SectionResult:
    grain = filters.grain
    step = 3 if grain == "quarter" else 1
    count = COHORTS[grain]
    last = period_of(month_number(filters.end), grain)
    cohorts = [last - (count - 1 - i) * step for i in range(count)]
    figures = cohort_figures(user=user, filters=filters)
    headers = [_("First order"), _("Customers")] + [f"+{k}" for k in range(count)]
    rows, matrix, revenue_matrix = [], [], []
    sizes = []
    for cohort in cohorts:
        size, start_revenue = figures.get((cohort, 0), (0, None))
        sizes.append(size)
        shares, revenue_shares = [], []
        row = [period_label(cohort, grain), Cell(size, drill=f"{cohort}")]
        for offset in range(count):
            if cohort + offset * step > last:
                shares.append(None)
                revenue_shares.append(None)
                row.append(Cell(None))
                continue
            customers, revenue = figures.get((cohort, offset), (0, None))
            share = customers / size if size else None
            shares.append(share)
            revenue_shares.append(
                float(revenue / start_revenue)
                if revenue and start_revenue
                else (0.0 if size else None)
            )
            row.append(
                Cell(
                    round(share, 4) if share is not None else None,
                    drill=f"{cohort}:{offset}",
                    text=f"{share * 100:.0f}%" if share is not None else "",
                )
            )
        rows.append(row)
        matrix.append(shares)
        revenue_matrix.append(revenue_shares)
    total = sum(sizes)
    # The conclusion: what share of new customers buys again one period later, on average.
    next_period = [
        figures.get((c, 1), (0, 0))[0] / figures[(c, 0)][0]
        for c in cohorts
        if figures.get((c, 0), (0,))[0] and c + step <= last
    ]
    if next_period:
        average = sum(next_period) / len(next_period)
        unit = _("quarter") if grain == "quarter" else _("month")
        headline = _(
            "%(share)d%% of new customers buy again the %(unit)s after their first order"
        ) % {
            "share": round(average * 100),
            "unit": unit,
        }
    else:
        headline = _("Not enough first orders yet to show retention")
    revenue_rows = [
        [period_label(c, grain)]
        + [f"{v * 100:.0f}%" if v is not None else "" for v in revenue_matrix[i]]
        for i, c in enumerate(cohorts)
    ]
    return SectionResult(
        headline=headline,
        caption=_(
            "Customers grouped by the %(grain)s of their first order (cancelled orders do not "
            "count); each cell is the share of the group that ordered in that %(grain)s, +0 "
            "being the first. Darker is more customers kept. Computed from revenue stored per "
            "customer and month, current to the last order saved."
        )
        % {"grain": _("quarter") if grain == "quarter" else _("month")},
        sample=total,
        sample_label=_("new customers"),
        table=Table(headers=headers, rows=rows),
        chart=Chart(
            kind="heatmap",
            title=headline,
            categories=[f"+{k}" for k in range(count)],
            rows=[period_label(c, grain) for c in cohorts],
            matrix=matrix,
        ),
        figures={
            "grain": grain,
            "cohorts": [
                {
                    "cohort": period_label(c, grain),
                    "customers": sizes[i],
                    "retained": [None if v is None else round(v, 4) for v in matrix[i]],
                    "revenue_retained": [
                        None if v is None else round(v, 4) for v in revenue_matrix[i]
                    ],
                }
                for i, c in enumerate(cohorts)
            ],
            "revenue_table": revenue_rows,
        },
    )


def customers(filters: ReportFilters, user, drill: str):
    """``"cohort"``: the customers of a cohort; ``"cohort:offset"``: those of them who ordered
    in that later period."""
    grain = filters.grain
    step = 3 if grain == "quarter" else 1
    parts = drill.split(":")
    if not all(part.isdigit() and len(part) < 7 for part in parts) or len(parts) > 2:
        return None
    cohort = int(parts[0])
    if not 12 * 1900 <= cohort <= 12 * 2999:
        return None
    kept = ~Q(orders__status=OrderStatus.CANCELLED)
    queryset = (
        report_customers(user=user, filters=filters)
        .annotate(first_order=Min("orders__order_date", filter=kept))
        .filter(first_order__gte=month_start(cohort), first_order__lt=month_start(cohort + step))
    )
    if len(parts) == 2:
        start = cohort + int(parts[1]) * step
        if start > 12 * 2999:
            return None
        bought = Order.objects.filter(
            customer=OuterRef("pk"),
            order_date__gte=month_start(start),
            order_date__lt=month_start(start + step),
        ).exclude(status=OrderStatus.CANCELLED)
        queryset = queryset.filter(Exists(bought))
    return queryset


register(
    ReportSection(
        key="cohorts",
        title=gettext_lazy("Retention cohorts"),
        order=10,
        compute=compute,
        customers=customers,
    )
)
