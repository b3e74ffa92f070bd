"""The backtest on the database book: the book as it was at a past cutoff, scored by
``assess_book``, against the orders placed since. Reads only; ``tend evaluate`` renders it."""

from datetime import date, datetime, time, timedelta

import numpy as np
from django.db.models import Count
from django.utils import timezone

from tend.orders.models import Order, OrderStatus

from .. import backtest, risk
from .scoring import assess_book

BOOK_RANKING = (
    "every signal that can be dated at the cutoff (orders, products, broken promises, "
    "unanswered inquiries, special-terms requests); overdue touches and owner/contact signals "
    "describe today and are left out"
)


def _orders():
    return Order.objects.exclude(status=OrderStatus.CANCELLED)


def customers_with_orders_before(day: date) -> np.ndarray:
    """Sorted ids of the customers with an order (not cancelled) dated before ``day``, whatever
    their status now: a customer since marked lost is exactly who the backtest is about."""
    orders = _orders().filter(order_date__lt=day).order_by()
    ids = orders.values_list("customer_id", flat=True).distinct()
    return np.sort(np.fromiter(ids, dtype=np.int64))


def order_days_between(ids: np.ndarray, *, start: date, end: date) -> np.ndarray:
    """Distinct order days per customer of ``ids`` (sorted) in [start, end): one aggregate."""
    rows = (
        _orders()
        .filter(order_date__gte=start, order_date__lt=end)
        .values_list("customer_id")
        .annotate(days=Count("order_date", distinct=True))
        .order_by()
    )
    out = np.zeros(ids.size, dtype=np.int64)
    data = np.array(list(rows), dtype=np.int64).reshape(-1, 2)
    if ids.size == 0 or data.size == 0:
        return out
    where = risk.positions(ids, data[:, 0])
    keep = where >= 0
    out[where[keep]] = data[keep, 1]
    return out


def book_backtest(
    *, cutoff: date, horizon_days: int = risk.YEAR_DAYS, today: date | None = None
) -> backtest.Backtest:
    """Assess the book as it was at ``cutoff`` (00:00 in the current time zone) and compare
    with the order days in the ``horizon_days`` from the cutoff date. The data count as
    observed up to yesterday: today's orders may still be coming in."""
    today = today or timezone.localdate()
    ids = customers_with_orders_before(cutoff)
    if ids.size == 0:
        raise backtest.BacktestError(f"no orders before the cutoff {cutoff.isoformat()}")
    now = timezone.make_aware(datetime.combine(cutoff, time.min))
    book = assess_book(now=now, historical=True, customer_ids=ids, horizon_days=horizon_days)
    actual = order_days_between(
        book.customer_ids, start=cutoff, end=cutoff + timedelta(days=horizon_days)
    )
    return backtest.evaluate(
        source="book",
        history=book.history,
        prediction=book.forecast,
        tend_risk=book.assessment.risk,
        actual_orders=actual,
        horizon_days=horizon_days,
        observed_until=today - timedelta(days=1),
        tend_ranking=BOOK_RANKING,
    )
