"""Revenue retention: of what the customers of a year ago bought in that year, how much they
bought in the 12 months since. Gross (GRR: churned and contracted revenue taken off, expansion
not added) and net (NRR: expansion added); customers new in the last 12 months are left out."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import Team, User
from tend.customers.models import Customer
from tend.orders.models import OrderStatus

from ..charts import Chart
from ..models import CustomerYearRevenue
from ..registry import Cell, ReportFilters, ReportSection, SectionResult, Table, register
from ..scope import cents, fetch, month_number, month_start, report_customers, scope_sql

ZERO = Decimal("0.00")


@dataclass
class Retention:
    customers: int  # customers who bought in the starting year
    start: Decimal  # what they bought then
    churned: Decimal  # revenue of those who bought nothing since
    contracted: Decimal  # the drop of those who bought less
    expanded: Decimal  # the rise of those who bought more

    def __add__(self, other: "Retention") -> "Retention":
        """The figures add up across customers, hence across groups."""
        return Retention(
            customers=self.customers + other.customers,
            start=self.start + other.start,
            churned=self.churned + other.churned,
            contracted=self.contracted + other.contracted,
            expanded=self.expanded + other.expanded,
        )

    @property
    def grr(self) -> float | None:
        return (
            float((self.start - self.churned - self.contracted) / self.start)
            if self.start
            else None
        )

    @property
    def nrr(self) -> float | None:
        kept = self.start - self.churned - self.contracted + self.expanded
        return float(kept / self.start) if self.start else None


def windows(end_month: int) -> tuple:
    """The starting year and the year since, ending with month ``end_month`` (included)."""
    stop = month_start(end_month + 1)
    middle = month_start(end_month - 11)
    begin = month_start(end_month - 23)
    return begin, middle, stop


EMPTY = Retention(0, ZERO, ZERO, ZERO, ZERO)


def retention_cells(*, user, filters: ReportFilters, end_month: int, points: int = 1) -> dict:
    """``{(tier, team): [Retention ending at each of the ``points`` months up to
    end_month]}``: one aggregate over the stored year figures (``CustomerYearRevenue``: one row
    per customer of a year ago and month-end), added up per month-end, tier and owner's team
    (None: the pool); the totals and every breakdown are sums of these."""
    first = end_month - points + 1
    scope, params = scope_sql(report_customers(user=user, filters=filters), "r.customer_id")
    years, customers, users = (
        CustomerYearRevenue._meta.db_table,
        Customer._meta.db_table,
        User._meta.db_table,
    )
    sql = f"""
        SELECT c.tier, u.team_id, r.month, COUNT(*), SUM(r.start_cents),
               SUM(CASE WHEN r.since_cents = 0 THEN r.start_cents ELSE 0 END),
               SUM(CASE WHEN r.since_cents > 0 AND r.since_cents < r.start_cents
                        THEN r.start_cents - r.since_cents ELSE 0 END),
               SUM(CASE WHEN r.since_cents > r.start_cents
                        THEN r.since_cents - r.start_cents ELSE 0 END)
        FROM {years} r
        JOIN {customers} c ON c.id = r.customer_id
        LEFT JOIN {users} u ON u.id = c.owner_id
        WHERE r.month BETWEEN %s AND %s AND r.start_cents > 0{scope}
        GROUP BY c.tier, u.team_id, r.month
    """
    cells: dict = {}
    for tier, team, month, *figures in fetch(sql, (first, end_month, *params)):
        cells.setdefault((tier, team), [EMPTY] * points)[month - first] = Retention(
            customers=int(figures[0] or 0),
            start=cents(figures[1]),
            churned=cents(figures[2]),
            contracted=cents(figures[3]),
            expanded=cents(figures[4]),
        )
    return cells


def _sum(lists) -> list[Retention]:
    lists = list(lists)
    if not lists:
        return []
    return [sum((items[k] for items in lists), EMPTY) for k in range(len(lists[0]))]


def retention(*, user, filters: ReportFilters, end_month: int, by: str = "") -> dict:
    """``{group: Retention}`` for the two years up to ``end_month``; ``by`` "" (one group,
    ""), "tier" or "team" (the owner's team; None is the pool). Groups without a customer of a
    year ago are left out."""
    cells = retention_cells(user=user, filters=filters, end_month=end_month)
    return _grouped(cells, by, 0)


def _grouped(cells: dict, by: str, k: int) -> dict:
    groups: dict = {}
    for (tier, team), figures in cells.items():
        key = {"": "", "tier": tier, "team": team}[by]
        groups[key] = groups.get(key, EMPTY) + figures[k]
    return {key: value for key, value in groups.items() if value.customers}


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _row(label: str, figures: Retention, drill: str) -> list:
    return [
        label,
        Cell(figures.customers, drill=drill),
        figures.start,
        Cell(figures.churned, drill=f"{drill}:churned"),
        Cell(figures.contracted, drill=f"{drill}:contracted"),
        Cell(figures.expanded, drill=f"{drill}:expanded"),
        Cell(round(figures.grr, 4) if figures.grr is not None else None, text=_pct(figures.grr)),
        Cell(round(figures.nrr, 4) if figures.nrr is not None else None, text=_pct(figures.nrr)),
    ]


def compute(filters: ReportFilters, user) -> SectionResult:
    end = month_number(filters.end)
    cells = retention_cells(user=user, filters=filters, end_month=end, points=12)
    trend = _sum(cells.values()) or [EMPTY] * 12
    total = trend[-1]
    by_tier = _grouped(cells, "tier", 11)
    by_team = _grouped(cells, "team", 11)
    team_names = dict(
        Team.objects.filter(pk__in=[k for k in by_team if k]).values_list("pk", "name")
    )
    rows = [_row(_("All"), total, "all")]
    rows += [
        _row(_("Tier %(tier)s") % {"tier": tier}, by_tier[tier], f"tier-{tier}")
        for tier in sorted(by_tier)
    ]
    rows += [
        _row(
            team_names.get(team, _("Pool")) if team else _("Pool"),
            by_team[team],
            f"team-{team or 0}",
        )
        for team in sorted(by_team, key=lambda k: (k is None, team_names.get(k, "")))
    ]
    months = [end - 11 + i for i in range(12)]
    if total.grr is not None:
        headline = _(
            "Customers of a year ago kept %(grr)s of their revenue (%(nrr)s with what some added)"
        ) % {"grr": _pct(total.grr), "nrr": _pct(total.nrr)}
    else:
        headline = _("No revenue a year ago to measure retention against")
    labels = [month_start(m).strftime("%Y-%m") for m in months]
    return SectionResult(
        headline=headline,
        caption=_(
            "Start: revenue in the 12 months before the last 12 of customers who bought then. "
            "Churned: of those who bought nothing since; contracted: the drop of those who "
            "bought less; expanded: the rise of those who bought more. GRR = (start − churned − "
            "contracted) / start; NRR adds expanded. Customers new in the last 12 months are "
            "left out. Cancelled orders do not count. Trend: the same, ending each month. "
            "Computed from revenue stored per customer and month, which the database updates "
            "with every order saved, so it is current to the last order."
        ),
        sample=total.customers,
        sample_label=_("customers of a year ago"),
        table=Table(
            headers=[
                _("Group"),
                _("Customers"),
                _("Start revenue"),
                _("Churned"),
                _("Contracted"),
                _("Expanded"),
                _("GRR"),
                _("NRR"),
            ],
            rows=rows,
        ),
        chart=Chart(
            kind="lines",
            title=headline,
            categories=labels,
            unit="%",
            series=[(_("GRR"), [t.grr for t in trend]), (_("NRR"), [t.nrr for t in trend])],
        ),
        figures={
            "start": str(total.start),
            "churned": str(total.churned),
            "contracted": str(total.contracted),
            "expanded": str(total.expanded),
            "grr": total.grr,
            "nrr": total.nrr,
            "customers": total.customers,
            "trend": [
                {"month": label, "grr": t.grr, "nrr": t.nrr, "start": str(t.start)}
                for label, t in zip(labels, trend, strict=True)
            ],
        },
    )


def customers(filters: ReportFilters, user, drill: str):
    """``group[:part]``: group "all", "tier-A", "team-<id>" (0: the pool); part "churned",
    "contracted" or "expanded" (none: every customer of a year ago)."""
    group, _sep, part = drill.partition(":")
    if part not in ("", "churned", "contracted", "expanded"):
        return None
    begin, middle, stop = windows(month_number(filters.end))
    queryset = report_customers(user=user, filters=filters)
    if group.startswith("tier-"):
        queryset = queryset.filter(tier=group[5:])
    elif group.startswith("team-") and group[5:].isdigit() and len(group) < 25:
        team = int(group[5:])
        queryset = (
            queryset.filter(owner__team_id=team) if team else queryset.filter(owner__isnull=True)
        )
    elif group != "all":
        return None
    kept = ~Q(orders__status=OrderStatus.CANCELLED)
    queryset = queryset.annotate(
        start_revenue=Sum(
            "orders__amount_base",
            filter=kept & Q(orders__order_date__gte=begin, orders__order_date__lt=middle),
        ),
        since_revenue=Sum(
            "orders__amount_base",
            filter=kept & Q(orders__order_date__gte=middle, orders__order_date__lt=stop),
        ),
    ).filter(start_revenue__gt=0)
    if part == "churned":
        queryset = queryset.filter(Q(since_revenue__isnull=True) | Q(since_revenue=0))
    elif part == "contracted":
        queryset = queryset.filter(since_revenue__gt=0, since_revenue__lt=F("start_revenue"))
    elif part == "expanded":
        queryset = queryset.filter(since_revenue__gt=F("start_revenue"))
    return queryset


register(
    ReportSection(
        key="revenue_retention",
        title=gettext_lazy("Revenue retention"),
        order=20,
        compute=compute,
        customers=customers,
    )
)
