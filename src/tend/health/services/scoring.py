"""Scoring the whole book: read orders and signals with a few SQL aggregates, fit the buying
models once, assess every customer in numpy, and store one snapshot per customer for the day.

``assess_book`` does the reading and arithmetic and writes nothing (the backtest uses it at a
past cutoff); ``score_book`` stores its result, runs the playbooks and records the run."""

import json
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

import numpy as np
from django.db import connection, connections, transaction
from django.utils import timezone

from tend.core.decimals import MONEY
from tend.customers.models import Customer, CustomerStatus
from tend.imports.bulk import append

from .. import combine, risk, signals
from ..forecast import Forecast, forecast
from ..models import HealthSnapshot, ScoreRun
from .day_totals import risk_day_totals_write

# Julian day of 0001-12-31, so SQLite's julianday() turns into Python's date.toordinal().
_JULIAN_OFFSET = 1721424.5


@dataclass
class BookAssessment:
    customer_ids: np.ndarray
    history: risk.OrderHistory
    forecast: Forecast
    assessment: risk.Assessment
    timings: dict = field(default_factory=dict)
    combination: combine.Combination | None = None
    learned: np.ndarray | None = None  # per customer: risk from the learned combination?


def order_transactions(*, before: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(customer id, ordinal day, amount in base currency) per order dated before ``before``,
    by customer and day; cancelled orders do not count. Same-day orders are added up by
    ``risk.order_history``: grouping them here made PostgreSQL sum a million numeric groups
    (0.8 of its 1.1 s), where the index alone hands the rows over in order."""
    if connection.vendor == "sqlite":
        day = f"CAST(julianday(order_date) - {_JULIAN_OFFSET} AS INTEGER)"
        amount = "CAST(amount_base AS REAL)"
    else:
        day = "(order_date - DATE '0001-01-01') + 1"
        amount = "amount_base::float8"
    sql = (
        f"SELECT customer_id, {day}, {amount} FROM orders_order "
        "WHERE order_date < %s AND status <> 'cancelled' "
        # In the covering index's order: read from it alone, nothing sorted.
        "ORDER BY customer_id, order_date"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [before])
        rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    data = np.array(rows, dtype=float)
    return data[:, 0].astype(np.int64), data[:, 1].astype(np.int64), data[:, 2]


def customers_to_score() -> np.ndarray:
    """Every customer except those already marked lost."""
    ids = (
        Customer.objects.exclude(status=CustomerStatus.LOST).order_by().values_list("pk", flat=True)
    )
    return np.sort(np.fromiter(ids, dtype=np.int64))


def _context(history: risk.OrderHistory, *, now: datetime, historical: bool, at_cutoff: bool):
    day = date.fromordinal(history.today)
    moment = now
    if at_cutoff:
        moment = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return signals.ScoringContext(
        customer_ids=history.customer_ids,
        now=moment,
        today=day,
        historical=historical or at_cutoff,
        history_source=history,
    )


def _signals_at(*, now: datetime, historical: bool):
    """The registered providers' signals for a history, as ``combine.learn`` asks for them."""

    def source(history: risk.OrderHistory, prediction, at_cutoff: bool) -> list[risk.Signal]:
        context = _context(history, now=now, historical=historical, at_cutoff=at_cutoff)
        found: list[risk.Signal] = []
        for _name, provider in signals.providers():
            found.extend(provider(context))
        return found

    return source


# One reader beside the fitting: with two (three busy processes on Tend's 2 cores) the fitting
# slowed about as much as the reads gained, at 100,000 customers under load.
READERS = 1


class _Alongside:
    """The providers' reads in threads, each with its own database connection, started now;
    ``result()`` waits for them and returns their signals in the providers' order. Inside a
    transaction (tests, a caller's atomic block) another connection would not see its rows, so
    there they run in ``result()`` instead, one after the other, as before."""

    def __init__(self, context: signals.ScoringContext):
        self.reads = [partial(provider, context) for _name, provider in signals.providers()]
        self.seconds: float | None = None
        self.futures = None
        if not connection.in_atomic_block:
            self.started = time.perf_counter()
            pool = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="signals")
            self.futures = [pool.submit(self._read, read) for read in self.reads]
            pool.shutdown(wait=False)

    @staticmethod
    def _read(read):
        try:
            with _roomy_sorts():
                return read(), time.perf_counter()
        finally:
            connections.close_all()  # this thread's connections only

    def result(self) -> list[risk.Signal]:
        found: list[risk.Signal] = []
        if self.futures is None:
            for read in self.reads:
                found.extend(read())
            return found
        finished = self.started
        for future in self.futures:
            read, at = future.result()
            found.extend(read)
            finished = max(finished, at)
        self.seconds = finished - self.started
        return found


def assess_book(
    *,
    now: datetime | None = None,
    historical: bool = False,
    customer_ids=None,
    horizon_days: int = risk.YEAR_DAYS,
) -> BookAssessment:
    """Read the book once, learn the combination one horizon back, and assess every customer
    today: the risk is the probability of no order in ``horizon_days``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    ids = customers_to_score() if customer_ids is None else customer_ids
    ids = np.unique(np.asarray(ids, dtype=np.int64))  # as the order history will have them
    # The providers' reads are mostly the database's work: they run beside the reading of the
    # orders and the fitting; a provider that needs the orders waits for them.
    orders_read = Future()
    context = signals.ScoringContext(
        customer_ids=ids, now=now, today=today, historical=historical, history_source=orders_read
    )
    provided = _Alongside(context)
    try:
        cust, days, amounts = order_transactions(before=today)
        keep = np.isin(cust, ids)
        history = risk.order_history(
            cust[keep], days[keep], amounts[keep], today=today.toordinal(), universe=ids
        )
    except BaseException as error:
        orders_read.set_exception(error)  # a provider waiting for them gives up too
        raise
    orders_read.set_result(history)
    timings["read_orders"] = time.perf_counter() - started

    source = _signals_at(now=now, historical=historical)
    started = time.perf_counter()
    prediction = forecast(history, horizon_days=horizon_days)
    timings["fit_predict"] = time.perf_counter() - started

    started = time.perf_counter()
    # Every customer's past counts, those since marked lost included: they are who stopped.
    # One horizon back, only the model chosen today is refitted.
    combination = combine.learn(
        cust,
        days,
        amounts,
        today=today.toordinal(),
        horizon_days=horizon_days,
        source=source,
        model=prediction.model,
        k=getattr(prediction.fitted, "k", None),
    )
    timings["learn"] = time.perf_counter() - started

    started = time.perf_counter()
    found = risk.rhythm_signals(history, prediction)
    found.extend(provided.result())
    timings["read_signals"] = time.perf_counter() - started
    if provided.seconds is not None:
        timings["signals_alongside"] = provided.seconds

    started = time.perf_counter()
    learnable = {n for seg in combination.segments.values() for n in seg["names"]}
    probability, learned = combine.combined_risk(
        history, prediction, found, combination, learnable=learnable
    )
    # The combination learned from the models' own figures; what is shown and valued is the
    # count corrected by what the model got wrong after the training cutoff.
    prediction = combine.calibrate_orders(prediction, combination)
    # Learned: the value the customer brings in 12 months if it stays. Defaults: the annual
    # value, as the stated weights were set against it (docs/health.md).
    kept = np.isfinite(prediction.value_if_kept_12m) & learned
    value = np.where(kept, prediction.value_if_kept_12m, history.annual_value)
    assessment = risk.assess(found, value)
    assessment.risk = probability
    assessment.level = risk.levels(probability)
    assessment.value_at_risk = np.round(probability * value, 2)
    assessment.annual_value = history.annual_value
    timings["assess"] = time.perf_counter() - started
    return BookAssessment(
        history.customer_ids, history, prediction, assessment, timings, combination, learned
    )


def _money(value: float) -> str | None:
    """A money column's value, or None (unknown) when the model gave no finite value that
    fits the column: a snapshot is never lost to one customer's overflowing figure."""
    return _money_column(np.array([value], dtype=float))[0]


def _money_column(values) -> list[str | None]:
    """``_money`` over a whole column at once: 100,000 rows a night."""
    v = np.asarray(values, dtype=float)
    ok = (np.isfinite(v) & (np.abs(v) <= float(MONEY.largest))).tolist()
    return [f"{x:.2f}" if good else None for x, good in zip(v.tolist(), ok, strict=True)]


def _number_column(values) -> list[float | None]:
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v).tolist()
    return [x if good else None for x, good in zip(np.round(v, 6).tolist(), ok, strict=True)]


def _days_column(values) -> list[int | None]:
    v = np.asarray(values, dtype=float)
    ok = np.isfinite(v).tolist()
    return [int(x) if good else None for x, good in zip(v.tolist(), ok, strict=True)]


def snapshot_rows(book: BookAssessment, day: date):
    """One row per customer for ``HealthSnapshot`` (see ``SNAPSHOT_FIELDS``), built column by
    column: per-value Python calls cost seconds on 100,000 customers."""
    h, f, a = book.history, book.forecast, book.assessment
    since = h.days_since_last
    n = book.customer_ids.size
    columns = [
        book.customer_ids.tolist(),
        [day.isoformat()] * n,
        np.round(np.asarray(a.risk, dtype=float), 6).tolist(),
        [str(level) for level in a.level],
        [cause or "" for cause in a.cause],
        _money_column(a.value_at_risk),
        _money_column(a.annual_value),
        _number_column(f.p_alive),
        _number_column(f.expected_orders_12m),
        _money_column(f.expected_value_12m),
        _money_column(f.clv_36m),
        _days_column(since),
        _number_column(h.usual_gap),
        _money_column(h.revenue_12m),
        _money_column(h.revenue_prev_12m),
        [json.dumps(reasons) for reasons in a.reasons],
    ]
    return zip(*columns, strict=True)


SNAPSHOT_FIELDS = [
    "customer_id",
    "day",
    "risk",
    "level",
    "cause",
    "value_at_risk",
    "annual_value",
    "p_alive",
    "expected_orders_12m",
    "expected_value_12m",
    "clv_36m",
    "days_since_last_order",
    "usual_gap_days",
    "revenue_12m",
    "revenue_prev_12m",
    "reasons",
]


# PostgreSQL's memory per sort or hash while the book is scored: its default (4 MB) sends the
# year's order lines joined to their orders and the contact threads' counts to disk (about a
# third of the time of each at 100,000 customers). For this job's connection only.
SCORING_WORK_MEM = "64MB"


@contextmanager
def _roomy_sorts():
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET work_mem = '{SCORING_WORK_MEM}'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET work_mem")


def score_book(*, now: datetime | None = None, run_playbooks: bool = True) -> ScoreRun:
    """Score every customer and store today's snapshots (replacing today's earlier ones, keeping
    every other day's), then let the playbooks open tasks for the customers at risk."""
    with _roomy_sorts():
        return _score_book(now=now, run_playbooks=run_playbooks)


def _score_book(*, now: datetime | None, run_playbooks: bool) -> ScoreRun:
    now = now or timezone.now()
    today = timezone.localdate(now)
    run = ScoreRun(day=today, started_at=now)
    book = assess_book(now=now)
    timings = dict(book.timings)

    started = time.perf_counter()
    with transaction.atomic():
        HealthSnapshot.objects.filter(day=today).delete()
        # Streamed: the database stores the first rows while the next are built.
        append(HealthSnapshot, SNAPSHOT_FIELDS, snapshot_rows(book, today), now=now)
        risk_day_totals_write(today)
        run.customers = int(book.customer_ids.size)
        levels = dict(zip(*np.unique(book.assessment.level, return_counts=True), strict=True))
        run.parameters = {
            **book.forecast.parameters,
            "problem": book.forecast.problem,
            "combination": book.combination.summary() if book.combination else {},
            "levels": {str(k): int(v) for k, v in levels.items()},
        }
        timings["write"] = time.perf_counter() - started
        if run_playbooks:
            from .playbooks import run_playbooks as fire

            started = time.perf_counter()
            run.parameters["tasks_opened"] = fire(day=today, now=now)
            timings["playbooks"] = time.perf_counter() - started
        run.timings = {name: round(seconds, 3) for name, seconds in timings.items()}
        run.finished_at = timezone.now()
        run.save()
    return run


def prune_snapshots(*, keep_days: int = 730, now: datetime | None = None) -> int:
    """History is kept two years; older daily snapshots go, except each month's first."""
    today = timezone.localdate(now or timezone.now())
    old = HealthSnapshot.objects.filter(day__lt=today - timedelta(days=keep_days)).exclude(
        day__day=1
    )
    return old.delete()[0]
