"""The demo's lost records: every customer the demo book marks lost or won back gets the record
the lost report reads (a reason from seed 004's causes, the day it was marked, the value that
left, and for a won-back customer the order that brought it back), so the lost report and the
customer list tell the same story.

Dates follow the orders step: a lost customer is marked 60 to 180 days after its last order (never
after the demo's today); a won-back customer was marked lost inside the longest pause in its
buying and won back by the first order after it.

The demo's cadence history: the monthly "touched in cadence" rows the reliability section reads,
for the year before the demo's today (``build_cadence_history``)."""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from django.db import connection

from tend.customers.models import Customer
from tend.demo.registry import DemoContext, register_step
from tend.engagement.models import Direction, Interaction
from tend.health.causes import LostReason
from tend.health.models import LostRecord
from tend.orders.models import Order, OrderStatus

from .cadence import cadence_months_record
from .models import CadenceMonth
from .scope import month_number, month_start

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


def reset_cadence(ctx: DemoContext) -> None:
    CadenceMonth.objects.all().delete()


def _outbound_touches(*, until: datetime) -> tuple[np.ndarray, np.ndarray]:
    """Every outbound touch before ``until``: its customer's id and its time in whole epoch
    seconds, computed by the database (parsing a million datetimes in Python took a minute)."""
    if connection.vendor == "postgresql":
        seconds = "FLOOR(EXTRACT(EPOCH FROM at))::bigint"
    else:
        seconds = "CAST(strftime('%s', at) AS INTEGER)"
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT customer_id, {seconds} FROM {quote(Interaction._meta.db_table)} "
            "WHERE direction = %s AND at < %s",
            [Direction.OUTBOUND.value, connection.ops.adapt_datetimefield_value(until)],
        )
        rows = cursor.fetchall()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    table = np.array(rows, dtype=np.float64)
    return table[:, 0].astype(np.int64), table[:, 1]


def build_cadence_history(ctx: DemoContext) -> None:
    """The past twelve months of "touched in cadence", as the periodic job would have recorded
    them at each month's end had the book been in Tend all year, and this month's as the job
    records it now (the last step: after every step that touches customers).

    A customer was in cadence at a moment when its last outbound touch before it (else its
    creation) plus its cadence was still ahead. Owners are today's (the demo has no ownership
    history). One read of the customers and one of the outbound touches, then numpy."""
    customers = list(
        Customer.objects.exclude(owner=None).values_list(
            "pk", "owner_id", "created_at", "last_outbound_at", "touch_due_at"
        )
    )
    if not customers:
        return
    ids = np.array([row[0] for row in customers], dtype=np.int64)
    owners = np.array([row[1] for row in customers], dtype=np.int64)
    created = np.array([row[2].timestamp() for row in customers])
    cadence = np.array([(row[4] - (row[3] or row[2])).total_seconds() for row in customers])
    this_month = month_number(ctx.today)
    touch_customers, touch_at_np = _outbound_touches(
        until=datetime.combine(month_start(this_month), time(0, 0), tzinfo=UTC)
    )
    order = np.argsort(ids)
    found = np.clip(np.searchsorted(ids, touch_customers, sorter=order), 0, len(ids) - 1)
    owned = ids[order[found]] == touch_customers  # the pool's customers are not counted
    touch_rows_np, touch_at_np = order[found][owned], touch_at_np[owned]
    moments = [
        (month, datetime.combine(month_start(month + 1), time(0, 0), tzinfo=UTC))
        for month in range(this_month - 12, this_month)
    ]
    people = np.unique(owners)
    rows = []
    for month, moment in moments:
        cutoff = moment.timestamp()
        last = created.copy()
        before = touch_at_np < cutoff
        np.maximum.at(last, touch_rows_np[before], touch_at_np[before])
        exists = created <= cutoff
        in_cadence = exists & (last + cadence >= cutoff)
        counts = np.bincount(np.searchsorted(people, owners[exists]), minlength=len(people))
        touched = np.bincount(np.searchsorted(people, owners[in_cadence]), minlength=len(people))
        rows += [
            CadenceMonth(
                person_id=int(person),
                month=month,
                customers=int(n),
                touched=int(t),
                taken_at=moment,
            )
            for person, n, t in zip(people, counts, touched, strict=True)
            if n
        ]
    CadenceMonth.objects.bulk_create(rows, batch_size=2000)
    ctx.counts["cadence_months"] = len(rows) + cadence_months_record(now=ctx.now)


register_step("cadence_history", build_cadence_history, after="health_stories", reset=reset_cadence)
