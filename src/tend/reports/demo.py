"""The demo's lost records: every customer the demo book marks lost or won back gets the record
the lost report reads (a reason from seed 004's causes, the day it was marked, the value that
left, and for a won-back customer the order that brought it back), so the lost report and the
customer list tell the same story.

Dates follow the orders step: a lost customer is marked 60 to 180 days after its last order (never
after the demo's today); a won-back customer was marked lost inside the longest pause in its
buying and won back by the first order after it."""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from tend.demo.registry import DemoContext, register_step
from tend.health.causes import LostReason
from tend.health.models import LostRecord
from tend.orders.models import Order, OrderStatus

REASONS = [
    (LostReason.COMPETITION, 30),
    (LostReason.QUALITY, 18),
    (LostReason.SERVICE, 14),
    (LostReason.INNOVATION, 10),
    (LostReason.PEOPLE, 9),
    (LostReason.CHANNEL_CONFLICT, 7),
    (LostReason.CLOSED_DOWN, 7),
    (LostReason.OTHER, 5),
]
COMPETITORS = ["Hangzhou Brightline", "Anatolia Export", "Vinatex Trading", "Porto Supply Co."]
YEAR = timedelta(days=365)


def reset(ctx: DemoContext) -> None:
    LostRecord.objects.all().delete()


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


def build_lost_records(ctx: DemoContext) -> None:
    rng = ctx.rng("lost_records")
    wanted = {c.id: c for c in ctx.customers if c.status in ("lost", "won_back")}
    if not wanted:
        return
    orders: dict[int, list[tuple[date, Decimal, int]]] = defaultdict(list)
    rows = (
        Order.objects.filter(customer_id__in=list(wanted))
        .exclude(status=OrderStatus.CANCELLED)
        .order_by("customer_id", "order_date", "pk")
        .values_list("customer_id", "order_date", "amount_base", "pk")
    )
    for customer_id, day, amount, pk in rows.iterator(chunk_size=5000):
        orders[customer_id].append((day, amount, pk))
    reasons = [reason for reason, _w in REASONS]
    weights = [w for _r, w in REASONS]
    admin = ctx.admin
    records = []
    for customer_id, customer in wanted.items():
        history = orders.get(customer_id, [])
        reason = rng.choices(reasons, weights)[0]
        competitor = rng.choice(COMPETITORS) if reason == LostReason.COMPETITION else ""
        won_back_at = won_back_order = None
        if customer.status == "lost":
            last = history[-1][0] if history else ctx.today - timedelta(days=rng.randint(60, 700))
            marked = min(last + timedelta(days=rng.randint(60, 180)), ctx.today)
        else:
            # The longest pause in its buying; marked lost within it, back with the next order.
            gaps = [(history[i + 1][0] - history[i][0], i) for i in range(len(history) - 1)]
            if gaps:
                _gap, i = max(gaps)
                start, back = history[i][0], history[i + 1]
                marked = start + timedelta(days=max(1, (back[0] - start).days * 2 // 3))
            elif history:  # one order: it was the one that brought the customer back
                back = history[0]
                marked = back[0] - timedelta(days=rng.randint(90, 240))
            else:
                continue  # never bought: nothing to have been won back with
            won_back_at, won_back_order = _at(back[0]), back[2]
        value = sum((a for d, a, _pk in history if marked - YEAR < d <= marked), Decimal("0"))
        records.append(
            LostRecord(
                customer_id=customer_id,
                reason=reason,
                competitor=competitor,
                annual_value=value,
                previous_status="active",
                marked_by_id=customer.owner_id or admin.pk,
                marked_at=_at(marked),
                won_back_at=won_back_at,
                won_back_order_id=won_back_order,
            )
        )
    LostRecord.objects.bulk_create(records, batch_size=2000)
    ctx.counts["lost_records"] = len(records)


register_step("lost_records", build_lost_records, after="orders", reset=reset)
