"""How well the risk ranking predicted who stopped buying: pure numpy/scipy, no Django, so
``tend evaluate`` runs the same arithmetic on the database book and on a transaction file.

Fit on everything before a cutoff date, rank the customers who had ordered by then, and compare
with what happened in the horizon: the days from the cutoff date on (``horizon_days`` of them,
the cutoff date included, as the cutoff is that day at 00:00). A customer *stopped buying* when
they have no order in the horizon. Orders on the same day count as one, as in the models.

Three rankings are compared on the same customers: Tend's risk, recency alone (days since the
last order) and the plain BG/NBD ``1 - p_alive``. For each: ROC AUC (the chance that a customer
who stopped is ranked above one who kept buying; 0.5 is a coin toss) and top-decile lift (the
share who stopped among the riskiest 10%, over the share overall). Customers with equal scores
share their places evenly: average ranks in the AUC, and split fractionally between deciles,
so the result never depends on the order the customers happen to be listed in.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import rankdata

from tend.health import combine, risk, scoring
from tend.health.forecast import Forecast, forecast

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

DECILES = 10
HEADER = ("customer_id", "date", "amount")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BacktestError(ValueError):
    """A backtest that cannot be run as asked: a bad file, no orders before the cutoff."""


# --- metrics ---------------------------------------------------------------------------------


def _scores(scores: ArrayLike) -> FloatArray:
    s = np.asarray(scores, dtype=float)
    if s.ndim != 1:
        raise ValueError("scores must be one-dimensional")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite")
    return s


def roc_auc(scores: ArrayLike, positive: ArrayLike) -> float:
    """Area under the ROC curve: P(score of a positive > score of a negative), ties counting
    one half (Mann-Whitney U from average ranks). NaN when either class is empty."""
    s = _scores(scores)
    p = np.asarray(positive, dtype=bool)
    if p.shape != s.shape:
        raise ValueError("scores and outcomes must have the same length")
    n_pos = int(p.sum())
    n_neg = s.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(s)  # average ranks for ties
    u = ranks[p].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def rank_bins(scores: ArrayLike, values: ArrayLike, bins: int = DECILES) -> FloatArray:
    """Sums of ``values`` (one row per quantity, one column per customer) over equal slices of
    the customers ranked from the highest score down: result[k, 0] is the riskiest slice.

    Slice edges fall at n * j / bins places. A group of customers with equal scores holding
    places [lo, hi) is spread evenly over them, each slice getting the overlap's share of the
    group's sums: the expected sums under a random order within ties, computed exactly. Sum a
    row of ones to get the customers per slice (n / bins each)."""
    s = _scores(scores)
    v = np.atleast_2d(np.asarray(values, dtype=float))
    if v.shape[1] != s.size:
        raise ValueError("values must have one column per customer")
    n = s.size
    if n == 0:
        return np.zeros((v.shape[0], bins))
    _, group, size = np.unique(-s, return_inverse=True, return_counts=True)
    hi = np.cumsum(size).astype(float)
    lo = hi - size
    edges = n * np.arange(bins + 1) / bins
    overlap = np.minimum(hi[:, None], edges[None, 1:]) - np.maximum(lo[:, None], edges[None, :-1])
    share = np.clip(overlap, 0.0, None) / size[:, None]
    sums = np.vstack([np.bincount(group, weights=row, minlength=size.size) for row in v])
    return sums @ share


def top_share(scores: ArrayLike, positive: ArrayLike, bins: int = DECILES) -> float:
    """Share of positives among the highest-scored 1/bins of customers (ties split evenly)."""
    p = np.asarray(positive, dtype=float)
    s = _scores(scores)
    if p.shape != s.shape:
        raise ValueError("scores and outcomes must have the same length")
    if s.size == 0:
        return float("nan")
    counts = rank_bins(s, np.vstack([np.ones_like(p), p]), bins)
    return float(counts[1, 0] / counts[0, 0])


def top_decile_lift(scores: ArrayLike, positive: ArrayLike) -> float:
    """Share of positives in the top decile over the share overall; NaN when all or none are
    positive (there is nothing to tell apart)."""
    p = np.asarray(positive, dtype=float)
    overall = p.mean() if p.size else 0.0
    if overall == 0 or overall == 1:
        return float("nan")
    return top_share(scores, p) / overall


# --- calibration ------------------------------------------------------------------------------


def brier(probability: ArrayLike, positive: ArrayLike) -> float:
    """Mean squared gap between the predicted probability and what happened (0 or 1)."""
    p = np.asarray(probability, dtype=float)
    y = np.asarray(positive, dtype=float)
    return float(np.mean((p - y) ** 2)) if p.size else float("nan")


def calibration_bins(probability: ArrayLike, positive: ArrayLike, bins: int = DECILES):
    """Per slice of equal size by predicted probability (highest first, ties shared): customers,
    mean predicted probability, observed share. ``expected_calibration_error`` weighs the
    gaps by slice size."""
    p = _scores(probability)
    y = np.asarray(positive, dtype=float)
    sums = rank_bins(p, np.vstack([np.ones_like(p), p, y]), bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums[0], sums[1] / sums[0], sums[2] / sums[0]


def expected_calibration_error(probability: ArrayLike, positive: ArrayLike) -> float:
    n, predicted, observed = calibration_bins(probability, positive)
    keep = n > 0
    return float(np.sum(n[keep] * np.abs(predicted[keep] - observed[keep])) / n.sum())


# --- the backtest ----------------------------------------------------------------------------


@dataclass
class Ranking:
    code: str
    label: str
    auc: float
    top_decile_stopped: float  # share who stopped among the riskiest 10%
    lift: float
    problem: str = ""
    lift_by_decile: list[float] = field(default_factory=list)


@dataclass
class Decile:
    number: int  # 1 = riskiest
    customers: float
    stopped: float  # share
    predicted_orders: float
    actual_orders: float
    predicted_risk: float = float("nan")  # mean of Tend's probability of no order


@dataclass
class Backtest:
    source: str
    cutoff: date
    horizon_days: int
    observed_until: date  # last day the data covers
    customers: int
    stopped: int
    predicted_orders: float
    actual_orders: int
    rankings: list[Ranking]
    deciles: list[Decile]
    tend_ranking: str  # what Tend's risk is made of in this run
    tend_zero_risk: int  # customers for whom no signal fired
    problems: list[str] = field(default_factory=list)
    brier: float = float("nan")
    ece: float = float("nan")
    calibration: list[dict] = field(default_factory=list)
    predicted_value: float = float("nan")
    actual_value: float = float("nan")
    model: str = ""
    orders_by_model: dict = field(default_factory=dict)
    combination: dict = field(default_factory=dict)

    @property
    def horizon_end(self) -> date:
        """The last day of the horizon."""
        return self.cutoff + timedelta(days=self.horizon_days - 1)

    @property
    def fully_observed(self) -> bool:
        return self.horizon_end <= self.observed_until

    @property
    def stopped_share(self) -> float:
        return self.stopped / self.customers if self.customers else float("nan")

    @property
    def auc_defined(self) -> bool:
        return 0 < self.stopped < self.customers

    def as_dict(self) -> dict:
        def number(value: float) -> float | None:
            return None if not np.isfinite(value) else round(float(value), 6)

        return {
            "source": self.source,
            "cutoff": self.cutoff.isoformat(),
            "horizon_days": self.horizon_days,
            "horizon_end": self.horizon_end.isoformat(),
            "observed_until": self.observed_until.isoformat(),
            "fully_observed": self.fully_observed,
            "customers": self.customers,
            "stopped": self.stopped,
            "stopped_share": number(self.stopped_share),
            "auc_defined": self.auc_defined,
            "tend_ranking": self.tend_ranking,
            "tend_zero_risk": self.tend_zero_risk,
            "model": self.model,
            "combination": self.combination,
            "rankings": {
                r.code: {
                    "label": r.label,
                    "auc": number(r.auc),
                    "top_decile_stopped_share": number(r.top_decile_stopped),
                    "top_decile_lift": number(r.lift),
                    "lift_by_decile": [number(v) for v in r.lift_by_decile],
                    "problem": r.problem,
                }
                for r in self.rankings
            },
            "brier": number(self.brier),
            "ece": number(self.ece),
            "calibration": [{k: number(v) for k, v in row.items()} for row in self.calibration],
            "orders": {
                "predicted": number(self.predicted_orders),
                "actual": self.actual_orders,
                "by_model": {k: number(v) for k, v in self.orders_by_model.items()},
            },
            "value": {
                "predicted": number(self.predicted_value),
                "actual": number(self.actual_value),
            },
            "deciles": [
                {
                    "decile": d.number,
                    "customers": number(d.customers),
                    "stopped_share": number(d.stopped),
                    "predicted_risk": number(d.predicted_risk),
                    "predicted_orders": number(d.predicted_orders),
                    "actual_orders": number(d.actual_orders),
                }
                for d in self.deciles
            ],
            "problems": self.problems,
        }


MODEL_RANKING_LABELS = {
    "pareto_nbd": "Pareto/NBD orders",
    "mbg_cnbd_k": "MBG/CNBD-k orders",
    "bgnbd": "BG/NBD orders",
}


def bgnbd_expected_orders(history: risk.OrderHistory, horizon_days: int) -> FloatArray:
    """BG/NBD's expected orders in the horizon: an honest baseline (NaN when it cannot fit)."""
    out = np.full(history.customer_ids.size, np.nan)
    has = history.has_orders
    x, t_x, age = history.frequency[has], history.recency[has], history.age[has]
    try:
        params = scoring.fit_bgnbd(x, t_x, age).params
    except ValueError:
        return out
    out[has] = scoring.bgnbd.expected_orders(params, float(horizon_days), x, t_x, age)
    return out


def _ranking(code: str, label: str, scores: FloatArray, stopped, problem: str = "") -> Ranking:
    if problem or not np.all(np.isfinite(scores)):
        nan = float("nan")
        return Ranking(code, label, nan, nan, nan, problem=problem or "no fit")
    overall = stopped.mean()
    shares = rank_bins(scores, np.vstack([np.ones(scores.size), stopped]))
    lifts = (shares[1] / shares[0] / overall).tolist() if 0 < overall < 1 else []
    return Ranking(
        code,
        label,
        roc_auc(scores, stopped),
        top_share(scores, stopped),
        top_decile_lift(scores, stopped),
        lift_by_decile=lifts,
    )


def evaluate(
    *,
    source: str,
    history: risk.OrderHistory,
    prediction: Forecast,
    tend_risk: ArrayLike,
    actual_orders: ArrayLike,
    horizon_days: int,
    observed_until: date,
    tend_ranking: str,
    actual_value: ArrayLike | None = None,
    combination: dict | None = None,
) -> Backtest:
    """Score Tend's risk and the honest baselines against what happened. Arrays are aligned
    with ``history.customer_ids``; customers without an order before the cutoff are left out,
    and ``actual_orders`` counts each customer's order days in the horizon."""
    if horizon_days < 1:
        raise BacktestError("the horizon must be at least one day")
    has = history.has_orders
    if not has.any():
        raise BacktestError("no customer has an order before the cutoff")
    actual = np.asarray(actual_orders, dtype=float)[has]
    stopped = actual == 0
    tend = np.asarray(tend_risk, dtype=float)[has]
    predicted = prediction.expected_orders[has]
    problems = []
    if prediction.problem:
        problems.append(f"Buying model: {prediction.problem}")

    rankings = [
        _ranking("tend", "Tend risk", tend, stopped),
        _ranking("recency", "Recency alone", history.days_since_last[has], stopped),
    ]
    by_model = dict(prediction.by_model)
    by_model["bgnbd"] = bgnbd_expected_orders(history, horizon_days)
    for code, label in MODEL_RANKING_LABELS.items():
        orders = by_model.get(code)
        if orders is None:
            rankings.append(_ranking(code, label, np.zeros(0), stopped, "no fit"))
        else:
            rankings.append(_ranking(code, label, -orders[has], stopped))

    sums = rank_bins(tend, np.vstack([np.ones_like(actual), stopped, predicted, actual, tend]))
    deciles = [
        Decile(
            number=k + 1,
            customers=float(sums[0, k]),
            stopped=float(sums[1, k] / sums[0, k]) if sums[0, k] else float("nan"),
            predicted_orders=float(sums[2, k]),
            actual_orders=float(sums[3, k]),
            predicted_risk=float(sums[4, k] / sums[0, k]) if sums[0, k] else float("nan"),
        )
        for k in range(DECILES)
    ]
    n, mean_p, observed = calibration_bins(tend, stopped)
    calibration = [
        {"customers": float(n[k]), "predicted": float(mean_p[k]), "observed": float(observed[k])}
        for k in range(DECILES)
    ]
    value = prediction.order_value[has] * predicted
    return Backtest(
        source=source,
        cutoff=date.fromordinal(history.today),
        horizon_days=horizon_days,
        observed_until=observed_until,
        customers=int(has.sum()),
        stopped=int(stopped.sum()),
        predicted_orders=float(predicted.sum()),
        actual_orders=int(actual.sum()),
        rankings=rankings,
        deciles=deciles,
        tend_ranking=tend_ranking,
        tend_zero_risk=int((tend == 0).sum()),
        problems=problems,
        brier=brier(tend, stopped),
        ece=expected_calibration_error(tend, stopped),
        calibration=calibration,
        predicted_value=float(np.nansum(value)) if np.isfinite(value).any() else float("nan"),
        actual_value=(
            float(np.asarray(actual_value, dtype=float)[has].sum())
            if actual_value is not None
            else float("nan")
        ),
        model=prediction.model,
        orders_by_model={k: float(np.nansum(v[has])) for k, v in by_model.items()},
        combination=combination or {},
    )


# --- a plain transaction file ----------------------------------------------------------------


@dataclass
class Transactions:
    """Transactions read from a file: customers numbered 0.. in order of their ids as text."""

    customer_keys: NDArray[np.str_]
    customers: IntArray  # index into customer_keys, per transaction
    days: IntArray  # ordinal day numbers
    amounts: FloatArray

    @property
    def last_day(self) -> date:
        return date.fromordinal(int(self.days.max()))


def read_transactions(lines: Iterable[str]) -> Transactions:
    """Read ``customer_id,date,amount`` rows (a header naming those columns first, in any
    order; other columns are ignored). Dates are ISO (YYYY-MM-DD), amounts plain decimals, not
    negative. A bad row raises ``BacktestError`` naming its line; blank lines are skipped."""
    reader = csv.reader(lines)
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)
    if header is None:
        raise BacktestError("the file is empty: it needs a header customer_id,date,amount")
    names = [cell.strip().lower().lstrip("\ufeff") for cell in header]
    missing = [name for name in HEADER if name not in names]
    if missing:
        raise BacktestError(
            f"line {reader.line_num}: the header must name the columns customer_id, date and "
            f"amount (missing: {', '.join(missing)})"
        )
    where = [names.index(name) for name in HEADER]
    width = max(where) + 1
    keys: list[str] = []
    days: list[int] = []
    amounts: list[float] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        if len(row) < width:
            raise BacktestError(
                f"line {line}: expected the columns customer_id, date and amount, "
                f"found {len(row)} value(s)"
            )
        key, day_text, amount_text = (row[i].strip() for i in where)
        if not key:
            raise BacktestError(f"line {line}: the customer_id is empty")
        try:
            if not ISO_DATE.fullmatch(day_text):
                raise ValueError
            day = date.fromisoformat(day_text)
        except ValueError:
            raise BacktestError(f"line {line}: {day_text!r} is not a date (YYYY-MM-DD)") from None
        try:
            amount = Decimal(amount_text)
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite():
            raise BacktestError(f"line {line}: {amount_text!r} is not an amount (e.g. 1250.00)")
        if amount < 0:
            raise BacktestError(f"line {line}: the amount {amount_text} is negative")
        keys.append(key)
        days.append(day.toordinal())
        amounts.append(float(amount))
    if not keys:
        raise BacktestError("the file has a header but no transactions")
    customer_keys, customers = np.unique(np.array(keys), return_inverse=True)
    return Transactions(
        customer_keys=customer_keys,
        customers=customers.astype(np.int64),
        days=np.array(days, dtype=np.int64),
        amounts=np.array(amounts, dtype=float),
    )


def order_days_in_horizon(
    customers: ArrayLike, days: ArrayLike, *, start: int, horizon_days: int, universe: ArrayLike
) -> IntArray:
    """Distinct order days per customer of ``universe`` (sorted) in [start, start + horizon)."""
    c = np.asarray(customers, dtype=np.int64)
    d = np.asarray(days, dtype=np.int64)
    ids = np.asarray(universe, dtype=np.int64)
    inside = (d >= start) & (d < start + horizon_days) & np.isin(c, ids)
    pairs = np.unique(np.stack([c[inside], d[inside]]), axis=1)
    return np.bincount(np.searchsorted(ids, pairs[0]), minlength=ids.size).astype(np.int64)


FILE_RANKING = (
    "the learned probability of no order, from the orders alone (buying model, recency, "
    "frequency, age, rhythm, revenue decline): a transaction file has no promises, inquiries, "
    "owners or approvals"
)


def value_in_horizon(
    customers: ArrayLike,
    days: ArrayLike,
    amounts: ArrayLike,
    *,
    start: int,
    horizon_days: int,
    universe: ArrayLike,
) -> FloatArray:
    """Order value per customer of ``universe`` (sorted) in [start, start + horizon)."""
    c = np.asarray(customers, dtype=np.int64)
    d = np.asarray(days, dtype=np.int64)
    inside = (d >= start) & (d < start + horizon_days)
    where = risk.positions(np.asarray(universe, dtype=np.int64), c[inside])
    keep = where >= 0
    weights = np.asarray(amounts, dtype=float)[inside][keep]
    return np.bincount(where[keep], weights=weights, minlength=np.size(universe))


def backtest_transactions(
    transactions: Transactions, *, cutoff: date, horizon_days: int = risk.YEAR_DAYS
) -> Backtest:
    """The backtest on a transaction file: Tend's risk learned from the orders before the
    cutoff only (``combine.learn`` drops everything from the cutoff on)."""
    t = transactions
    today = cutoff.toordinal()
    if not np.any(t.days < today):
        raise BacktestError(f"no orders before the cutoff {cutoff.isoformat()}")
    history = risk.order_history(t.customers, t.days, t.amounts, today=today)
    prediction = forecast(history, horizon_days=horizon_days)
    combination = combine.learn(
        t.customers,
        t.days,
        t.amounts,
        today=today,
        horizon_days=horizon_days,
        model=prediction.model,
        k=getattr(prediction.fitted, "k", None),
    )
    signals = risk.rhythm_signals(history, prediction)
    tend_risk, _ = combine.combined_risk(history, prediction, signals, combination)
    prediction = combine.calibrate_orders(prediction, combination)
    actual = order_days_in_horizon(
        t.customers,
        t.days,
        start=today,
        horizon_days=horizon_days,
        universe=history.customer_ids,
    )
    value = value_in_horizon(
        t.customers,
        t.days,
        t.amounts,
        start=today,
        horizon_days=horizon_days,
        universe=history.customer_ids,
    )
    return evaluate(
        source="file",
        history=history,
        prediction=prediction,
        tend_risk=tend_risk,
        actual_orders=actual,
        actual_value=value,
        horizon_days=horizon_days,
        observed_until=t.last_day,
        tend_ranking=FILE_RANKING,
        combination=combination.summary(),
    )
