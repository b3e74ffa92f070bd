"""Churn: customers lost each month with their recorded reasons and the value that left, those
won back, and those who lapsed without being marked lost.

Lost and won back are the lost records (``health.LostRecord``, seed 004's causes), dated when
marked and when the customer came back. Lapsed is a rule stated on the page: a customer not
marked lost whose latest stored health snapshot gives it a probability of still buying under
``LAPSED_P_ALIVE``, or whose time since its last order is past ``LAPSED_GAPS`` times its own usual
gap between orders."""

from datetime import datetime, time

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.customers.models import CustomerQuerySet
from tend.health.causes import LostReason
from tend.health.models import HealthSnapshot, LostRecord

from ..charts import Chart
from ..registry import Cell, ReportFilters, ReportSection, SectionResult, Table, register
from ..scope import among, money, month_label, month_number, month_start, report_customers

LAPSED_P_ALIVE = 0.3
LAPSED_GAPS = 3


def _window(filters: ReportFilters) -> tuple[int, datetime, datetime]:
    end = month_number(filters.end)
    zone = timezone.get_current_timezone()
    start = datetime.combine(month_start(end - filters.months + 1), time(0), tzinfo=zone)
    stop = datetime.combine(month_start(end + 1), time(0), tzinfo=zone)
    return end, start, stop


def lapsed_condition() -> Q:
    return Q(p_alive__lt=LAPSED_P_ALIVE) | Q(
        usual_gap_days__gt=0, days_since_last_order__gt=F("usual_gap_days") * LAPSED_GAPS
    )


def lapsed_snapshots(*, user, filters: ReportFilters):
    """The latest stored snapshot of each lapsed customer not marked lost (one day: the last
    scoring's)."""
    scope = report_customers(user=user, filters=filters)
    day = HealthSnapshot.objects.aggregate(day=Max("day"))["day"]
    if day is None:
        return HealthSnapshot.objects.none(), None
    snapshots = HealthSnapshot.objects.filter(
        day=day, customer__in=scope.exclude(CustomerQuerySet.LOST).values("pk")
    ).filter(lapsed_condition())
    return snapshots, day


def compute(filters: ReportFilters, user) -> SectionResult:
    end, start, stop = _window(filters)
    months = [end - filters.months + 1 + i for i in range(filters.months)]
    records = among(LostRecord.objects.all(), report_customers(user=user, filters=filters))
    lost = (
        records.filter(marked_at__gte=start, marked_at__lt=stop)
        .annotate(month=TruncMonth("marked_at"))
        .values("month", "reason")
        .annotate(count=Count("pk"), value=Sum("annual_value"))
        .order_by()
    )
    back = (
        records.filter(won_back_at__gte=start, won_back_at__lt=stop)
        .annotate(month=TruncMonth("won_back_at"))
        .values("month")
        .annotate(count=Count("pk"), value=Sum("annual_value"))
        .order_by()
    )
    by_month: dict[int, dict] = {m: {"count": 0, "value": money(0), "reasons": {}} for m in months}
    reasons: dict[str, int] = {}
    for row in lost:
        m = month_number(row["month"])
        if m in by_month:
            by_month[m]["count"] += row["count"]
            by_month[m]["value"] += money(row["value"])
            by_month[m]["reasons"][row["reason"]] = row["count"]
            reasons[row["reason"]] = reasons.get(row["reason"], 0) + row["count"]
    won = {month_number(row["month"]): (row["count"], money(row["value"])) for row in back}
    snapshots, day = lapsed_snapshots(user=user, filters=filters)
    lapsed = snapshots.aggregate(count=Count("pk"), value=Sum("annual_value"))
    ordered_reasons = sorted(reasons, key=lambda r: -reasons[r])
    label = {value: str(text) for value, text in LostReason.choices}
    rows = []
    for m in months:
        figures = by_month[m]
        top = max(figures["reasons"], key=figures["reasons"].get) if figures["reasons"] else ""
        rows.append(
            [
                month_label(m),
                Cell(figures["count"], drill=f"lost-{m}"),
                figures["value"],
                label.get(top, top),
                Cell(won.get(m, (0,))[0], drill=f"back-{m}"),
                won.get(m, (0, money(0)))[1],
            ]
        )
    lost_total = sum(by_month[m]["count"] for m in months)
    back_total = sum(won.get(m, (0,))[0] for m in months)
    value_total = sum((by_month[m]["value"] for m in months), money(0))
    if lost_total:
        top_reason = label.get(ordered_reasons[0], ordered_reasons[0])
        headline = _(
            "%(lost)d customers lost in 12 months, most for “%(reason)s”; %(back)d won back"
        ) % {"lost": lost_total, "reason": top_reason, "back": back_total}
    else:
        headline = _("No customer marked lost in these 12 months; %(back)d won back") % {
            "back": back_total
        }
    return SectionResult(
        headline=headline,
        caption=_(
            "Lost: customers marked lost in the month, with the reason recorded and what they "
            "bought in the 12 months before. Won back: lost customers who ordered again in the "
            "month. Lapsed (not in the bars): not marked lost, and in the last scoring "
            "(%(day)s) either a probability of still buying under %(p)d%% or no order for more "
            "than %(k)d times their own usual gap: %(lapsed)d customers, %(value)s a year."
        )
        % {
            "day": day.isoformat() if day else _("none yet"),
            "p": round(LAPSED_P_ALIVE * 100),
            "k": LAPSED_GAPS,
            "lapsed": lapsed["count"],
            "value": f"{money(lapsed['value']):,.0f}",
        },
        sample=lost_total,
        sample_label=_("customers lost"),
        table=Table(
            headers=[
                _("Month"),
                _("Lost"),
                _("Annual value lost"),
                _("Main reason"),
                _("Won back"),
                _("Their annual value"),
            ],
            rows=rows
            + [
                [
                    _("Lapsed now"),
                    Cell(lapsed["count"], drill="lapsed"),
                    money(lapsed["value"]),
                    "",
                    "",
                    "",
                ]
            ],
        ),
        chart=Chart(
            kind="stacked",
            title=headline,
            categories=[month_label(m) for m in months],
            series=[
                (label.get(r, r), [float(by_month[m]["reasons"].get(r, 0)) for m in months])
                for r in ordered_reasons
            ],
        ),
        figures={
            "lost": lost_total,
            "lost_value": str(value_total),
            "won_back": back_total,
            "lapsed": lapsed["count"],
            "lapsed_value": str(money(lapsed["value"])),
            "lapsed_rule": {"p_alive_below": LAPSED_P_ALIVE, "gap_multiple": LAPSED_GAPS},
            "by_reason": {r: reasons[r] for r in ordered_reasons},
        },
    )


def customers(filters: ReportFilters, user, drill: str):
    """``lost-<month>``, ``back-<month>`` (month numbers) or ``lapsed``."""
    scope = report_customers(user=user, filters=filters)
    if drill == "lapsed":
        snapshots, _day = lapsed_snapshots(user=user, filters=filters)
        return scope.filter(pk__in=snapshots.values("customer_id"))
    kind, _sep, number = drill.partition("-")
    if kind not in ("lost", "back") or not number.isdigit() or len(number) > 6:
        return None
    m = int(number)
    if not 12 * 1900 <= m <= 12 * 2999:
        return None
    zone = timezone.get_current_timezone()
    begin = datetime.combine(month_start(m), time(0), tzinfo=zone)
    until = datetime.combine(month_start(m + 1), time(0), tzinfo=zone)
    field = "marked_at" if kind == "lost" else "won_back_at"
    records = LostRecord.objects.filter(**{f"{field}__gte": begin, f"{field}__lt": until})
    return scope.filter(pk__in=records.values("customer_id"))


register(
    ReportSection(
        key="churn",
        title=gettext_lazy("Churn: lost, won back, lapsed"),
        order=30,
        compute=compute,
        customers=customers,
    )
)
