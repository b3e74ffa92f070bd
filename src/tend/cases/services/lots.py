"""Lot alerts (story S6): complaint rate per lot against its product's normal rate, from two SQL
aggregates over the whole book; and the follow-up that opens a task for the owner of every
customer who received an unstable lot."""

from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from tend.accounts.models import User
from tend.orders.models import OrderLine, OrderStatus

from .. import lotstats
from ..models import CaseLot, LotAlert
from . import clock

RECEIVED = (OrderStatus.SHIPPED, OrderStatus.DELIVERED)


def lot_figures():
    """(product ids, lots, complaints, units) for every shipped lot with at least one complaint
    on its product; complaints are distinct cases naming the lot."""
    complaints = {
        (product, lot): n
        for product, lot, n in CaseLot.objects.values_list("product_id", "lot")
        .annotate(n=Count("case_id", distinct=True))
        .order_by()
    }
    if not complaints:
        return [], [], np.zeros(0), np.zeros(0)
    products = {product for product, _lot in complaints}
    # Every shipped lot in one pass (filtering by product here makes SQLite pick a slower plan).
    shipped = (
        OrderLine.objects.filter(order__status__in=RECEIVED)
        .exclude(batch_number="")
        .values_list("product_id", "batch_number")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    ids, lots, counts, units = [], [], [], []
    for product, lot, quantity in shipped:
        if product not in products:
            continue
        ids.append(product)
        lots.append(lot)
        counts.append(complaints.get((product, lot), 0))
        units.append(float(quantity or 0))
    return ids, lots, np.asarray(counts, float), np.asarray(units, float)


def lot_alerts_compute(*, now: datetime | None = None) -> int:
    """Raise (or refresh) an alert for every unstable lot; returns how many lots are unstable.
    An alert stays until the lot's figures no longer say it is unusual."""
    now = now or clock.now()
    ids, lots, counts, units = lot_figures()
    if not ids:
        return 0
    index = {product: i for i, product in enumerate(sorted(set(ids)))}
    rate, p = lotstats.lot_p_values(np.array([index[i] for i in ids]), counts, units)
    flagged = np.flatnonzero(lotstats.unstable(counts, p))
    receivers = _receivers([(ids[i], lots[i]) for i in flagged])
    with transaction.atomic():
        existing = {(a.product_id, a.lot): a for a in LotAlert.objects.select_for_update()}
        keep = set()
        for i in flagged:
            key = (ids[i], lots[i])
            keep.add(key)
            values = {
                "complaints": int(counts[i]),
                "units": Decimal(str(round(units[i], 3))),
                "normal_rate": float(rate[i]),
                "p_value": float(p[i]),
                "customers": receivers.get(key, 0),
                "updated_at": now,
            }
            alert = existing.get(key)
            if alert is None:
                LotAlert.objects.create(product_id=key[0], lot=key[1], raised_at=now, **values)
            else:
                LotAlert.objects.filter(pk=alert.pk).update(**values)
        stale = [a.pk for key, a in existing.items() if key not in keep and not a.followed_up_at]
        LotAlert.objects.filter(pk__in=stale).delete()
    return len(flagged)


def _receivers(keys) -> dict:
    if not keys:
        return {}
    lots = {lot for _p, lot in keys}
    rows = (
        OrderLine.objects.filter(order__status__in=RECEIVED, batch_number__in=lots)
        .values_list("product_id", "batch_number")
        .annotate(n=Count("order__customer_id", distinct=True))
        .order_by()
    )
    wanted = set(keys)
    return {(p, lot): n for p, lot, n in rows if (p, lot) in wanted}


def lot_customers(*, alert: LotAlert):
    """Every customer who received the lot, whether they complained or not."""
    from tend.customers.models import Customer

    received = OrderLine.objects.filter(
        order__status__in=RECEIVED, product_id=alert.product_id, batch_number=alert.lot
    ).values("order__customer_id")
    return Customer.objects.filter(pk__in=received).select_related("owner")


@transaction.atomic
def lot_alert_follow_up(*, alert: LotAlert, by: User, now: datetime | None = None) -> int:
    """One action: a follow-up task for the owner of every customer who received the lot (the
    person acting takes those in the pool). Run twice, it opens no second task."""
    from tend.tasks.models import Task, TaskKind
    from tend.tasks.services import create_tasks_bulk

    if by.is_rep:
        raise PermissionDenied(_("A manager or admin follows up a lot alert."))
    now = now or clock.now()
    alert = LotAlert.objects.select_for_update().select_related("product").get(pk=alert.pk)
    title = _("Unstable lot %(lot)s of %(product)s: check their stock and tell them") % {
        "lot": alert.lot,
        "product": alert.product.name,
    }
    detail = _(
        "%(complaints)s complaints on %(units)s units of lot %(lot)s (%(rate).2f per 1,000; "
        "normal for the product %(normal).2f per 1,000)."
    ) % {
        "complaints": alert.complaints,
        "units": f"{alert.units:,.0f}",
        "lot": alert.lot,
        "rate": alert.rate * 1000,
        "normal": alert.normal_rate * 1000,
    }
    tasks = []
    for customer in lot_customers(alert=alert):
        assignee = customer.owner if customer.owner and customer.owner.is_active else by
        tasks.append(
            Task(
                customer=customer,
                assignee=assignee,
                kind=TaskKind.FOLLOW_UP,
                title=title[:200],
                detail=detail,
                due_at=now + timedelta(days=1),
                origin="lot_alert",
                dedupe_key=f"lot:{alert.pk}:{customer.pk}",
                created_by=by,
            )
        )
    opened = create_tasks_bulk(tasks)
    alert.followed_up_at = now
    alert.followed_up_by = by
    alert.follow_up_tasks = alert.follow_up_tasks + opened
    alert.save(update_fields=["followed_up_at", "followed_up_by", "follow_up_tasks"])
    return opened
