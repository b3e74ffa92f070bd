"""Risk as a calibrated probability, learned from the book's own past: pure numpy, no Django.

The risk shown is the probability that the customer places **no order in the horizon** (365
days for the nightly scoring). It is learned the way a careful analyst would check a model:

1. Go back one horizon (the *training cutoff*), look at the book as it was then: fit the order
   models on the orders before it, compute every feature that can be dated (the model's
   probability of no order, days since the last order, orders, age, how overdue against the
   customer's own gap, expected orders, and the weights of the datable signals: revenue decline,
   ageing products, broken promises, unanswered inquiries, special-terms requests).
2. Observe what happened in the horizon after it: who placed no order.
3. Fit a logistic regression of that outcome on the features, separately for one-time and
   repeat buyers (they behave differently: one-time buyers stop far more often at the same
   silence). A logistic regression fitted by maximum likelihood is calibrated on its own
   training data, so the combination and the calibration are one step, with nothing hand-set.
4. Apply the coefficients to today's features.

Signals that describe only today and cannot be reconstructed at a past date (overdue touches,
an owner who left, nobody in charge, a single thread) cannot be learned from the past; they
keep their stated weights and are added on top, noisy-or: risk = 1 - (1 - p) prod(1 - w).

When the book is too young or too small (too few customers who stopped, or who kept buying,
in a segment), that segment uses the defaults: the buying model's own probability of no order,
combined noisy-or with the other signals' stated weights. The run records which, and why.

Nothing after the training cutoff + its horizon enters the learning, and nothing on or after
"today" enters anything: ``learn`` drops such transactions before it starts.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from tend.health import risk
from tend.health.forecast import MODELS, Forecast, forecast
from tend.health.scoring import mbgcnbd, paretonbd

_models = {"pareto_nbd": paretonbd, "mbg_cnbd_k": mbgcnbd}

FloatArray = NDArray[np.float64]

# Signals computed from the order history itself: the features carry them already.
ORDER_SIGNALS = ("rhythm_break", "single_order_long_ago", "model_no_order")
# Signals whose weights are learned along with the order features. None yet: on the demo book
# (and on any book where a revenue drop, ageing products, broken promises or unanswered
# inquiries are rare or recorded unevenly) the past gives them no reliable weight, and the
# stories they tell would vanish from the at-risk list. They keep their stated weights and
# are added on top, noisy-or, as docs/health.md says. A code listed here enters the learning.
LEARNED_SIGNALS: tuple[str, ...] = ()
BASE_FEATURES = (
    "model_logit",
    "log_days_since",
    "log_orders",
    "log_age",
    "log_expected_orders",
    "log_overdue",
    "log_order_value",
    "log_first_value",
    "log_horizon",
)
SEGMENTS = ("one_time", "repeat")
MIN_CLASS = 50  # customers who stopped, and who kept buying, needed per segment to learn
MIN_SPAN_DAYS = 60  # the shortest training horizon worth learning from
MIN_ORDER_DAYS = 200  # order days after the training cutoff needed to correct the model's count
MIN_ORDER_FACTOR = 0.5  # the count correction stays within [1/2, 2]
# A young book learns at several horizons, from the longest its orders allow down to half of
# it, a quarter octave apart (five windows), the horizon being a feature.
YOUNG_WINDOWS = 5
# Customers a young book learns from per window, drawn at random (seeded): six windows of the
# whole book would cost six fits and predictions of 100,000 customers. The order ratio's window
# counts every customer (a sum), and gives the stack the same number of rows as the others.
YOUNG_SAMPLE = 20_000
SAMPLE_SEED = 0
L2 = 1.0  # ridge penalty on standardised coefficients (a prior, in units of one customer)

SignalSource = Callable[[risk.OrderHistory, Forecast, bool], list[risk.Signal]]


def segment_of(history: risk.OrderHistory) -> NDArray[np.str_]:
    return np.where(history.order_days > 1, "repeat", "one_time")


def features(
    history: risk.OrderHistory, prediction: Forecast, signals: list[risk.Signal]
) -> tuple[FloatArray, list[str]]:
    """One row per customer (NaN rows for customers without orders), one column per feature."""
    q = np.clip(np.nan_to_num(prediction.p_no_order, nan=1.0), 1e-4, 1 - 1e-4)
    since = np.nan_to_num(history.days_since_last, nan=0.0)
    gap = history.usual_gap
    with np.errstate(invalid="ignore", divide="ignore"):
        overdue = np.where(np.isfinite(gap), np.log((1.0 + since) / (1.0 + gap)), 0.0)
    columns = [
        np.log(q / (1 - q)),
        np.log1p(since),
        np.log1p(history.frequency),
        np.log1p(history.age),
        np.log1p(np.nan_to_num(prediction.expected_orders, nan=0.0)),
        overdue,
        np.log1p(np.maximum(history.total_value / np.maximum(history.order_days, 1), 0.0)),
        np.log1p(np.maximum(history.first_value, 0.0)),
        np.full(history.customer_ids.size, np.log(prediction.horizon_days)),
    ]
    names = list(BASE_FEATURES)
    for signal in sorted(signals, key=lambda s: s.code):
        if signal.code not in LEARNED_SIGNALS:
            continue
        names.append(signal.code)
        columns.append(np.asarray(signal.weight, dtype=float))
    matrix = np.column_stack(columns)
    matrix[~history.has_orders] = np.nan
    return matrix, names


def fit_logistic(x: FloatArray, y: NDArray[np.bool_], *, l2: float = L2) -> FloatArray:
    """Ridge logistic regression by Newton's method; returns [intercept, coefficients...].
    The intercept is not penalised."""
    design = np.column_stack([np.ones(len(x)), x])
    beta = np.zeros(design.shape[1])
    mean = y.mean()
    beta[0] = np.log(mean / (1 - mean))
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    target = y.astype(float)
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        grad = design.T @ (target - p) - penalty * beta
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.max(np.abs(step)) < 1e-9:
            break
    return beta


@dataclass
class Combination:
    """The learned model: per segment, the standardisation and the coefficients."""

    names: list[str]
    segments: dict[str, dict] = field(default_factory=dict)
    trained_cutoff: int | None = None  # ordinal day (the earliest, for a young book)
    train_horizon_days: int | None = None  # the longest horizon learned from
    # (cutoff, horizon) of every window learned from: one for a book at least a horizon old.
    windows: list[tuple[int, int]] = field(default_factory=list)
    ratio_horizon_days: int | None = None  # the horizon the order ratio was measured over
    problems: list[str] = field(default_factory=list)
    # Actual over the model's expected order days after the training cutoff, over the training
    # horizon and over its first half (how the model's error grows with the horizon).
    order_ratio: float | None = None
    order_ratio_half: float | None = None

    def orders_factor(self, horizon_days: int) -> float:
        """What the model's expected orders over ``horizon_days`` are multiplied by: the ratio
        seen at the training cutoff; for a horizon longer than the training one (a young book),
        the ratio's change from half the training horizon to all of it is carried on, per
        doubling, and the result kept within [1/2, 2]. 1 when nothing could be measured."""
        measured = self.ratio_horizon_days or self.train_horizon_days
        if not self.order_ratio or not measured:
            return 1.0
        log_ratio = np.log(self.order_ratio)
        if horizon_days > measured and self.order_ratio_half:
            growth = log_ratio - np.log(self.order_ratio_half)
            log_ratio += growth * np.log2(horizon_days / measured)
        return float(np.clip(np.exp(log_ratio), MIN_ORDER_FACTOR, 1.0 / MIN_ORDER_FACTOR))

    @property
    def learned(self) -> bool:
        return bool(self.segments)

    def summary(self) -> dict:
        from datetime import date

        return {
            "learned": self.learned,
            "trained_cutoff": (
                date.fromordinal(self.trained_cutoff).isoformat() if self.trained_cutoff else None
            ),
            "train_horizon_days": self.train_horizon_days,
            "windows": [
                {"cutoff": date.fromordinal(c).isoformat(), "horizon_days": h}
                for c, h in self.windows
            ],
            "ratio_horizon_days": self.ratio_horizon_days,
            "segments": {
                name: {
                    "customers": seg["customers"],
                    "stopped": seg["stopped"],
                    "coefficients": {
                        n: round(float(c), 4)
                        for n, c in zip(["intercept", *seg["names"]], seg["beta"], strict=True)
                    },
                }
                for name, seg in self.segments.items()
            },
            "defaults": [s for s in SEGMENTS if s not in self.segments],
            "order_ratio": None if self.order_ratio is None else round(self.order_ratio, 4),
            "order_ratio_half": (
                None if self.order_ratio_half is None else round(self.order_ratio_half, 4)
            ),
            "problems": self.problems,
        }

    def predict(self, matrix: FloatArray, names: list[str], segment) -> FloatArray:
        """P(no order in the horizon) where a segment was learned; NaN elsewhere."""
        out = np.full(len(matrix), np.nan)
        where = {n: i for i, n in enumerate(names)}
        for name, seg in self.segments.items():
            rows = (segment == name) & np.all(np.isfinite(matrix), axis=1)
            if not rows.any():
                continue
            cols = np.column_stack(
                [
                    matrix[rows, where[n]] if n in where else np.zeros(int(rows.sum()))
                    for n in seg["names"]
                ]
            )
            z = (cols - seg["mean"]) / seg["std"]
            logit = seg["beta"][0] + z @ seg["beta"][1:]
            out[rows] = 1.0 / (1.0 + np.exp(-logit))
        return out


def fit_combination(
    matrix: FloatArray, names: list[str], segment, stopped: NDArray[np.bool_]
) -> Combination:
    combination = Combination(names=names)
    usable = np.all(np.isfinite(matrix), axis=1)
    for name in SEGMENTS:
        rows = usable & (segment == name)
        n_stop = int(stopped[rows].sum())
        n_kept = int(rows.sum()) - n_stop
        if min(n_stop, n_kept) < MIN_CLASS:
            combination.problems.append(
                f"{name.replace('_', '-')} buyers: {n_stop} stopped and {n_kept} kept buying "
                f"at the training cutoff, fewer than {MIN_CLASS} of each to learn from"
            )
            continue
        x = matrix[rows]
        mean, std = x.mean(axis=0), x.std(axis=0)
        keep = std > 1e-9
        x = (x[:, keep] - mean[keep]) / std[keep]
        beta = fit_logistic(x, stopped[rows])
        combination.segments[name] = {
            "names": [n for n, k in zip(names, keep, strict=True) if k],
            "mean": mean[keep],
            "std": std[keep],
            "beta": beta,
            "customers": int(rows.sum()),
            "stopped": n_stop,
        }
    return combination


def training_windows(first_day: int, today: int, horizon_days: int) -> list[tuple[int, int]]:
    """The (training cutoff, training horizon) windows to learn from, all ending today.

    A book at least one horizon old (with MIN_SPAN_DAYS of history before the cutoff): one
    window, a full horizon back. A younger book cannot watch the horizon whole: it learns at
    several shorter horizons, stacked, with the horizon as a feature. They run from the
    longest its orders allow (MIN_SPAN_DAYS of history before the cutoff) down to half of it,
    a quarter octave apart, plus half the book's span (where the order ratio is measured).
    None when even half the span is under MIN_SPAN_DAYS.

    Why several horizons, and the long ones (docs/health.md, CDNOW): learned at half the span
    alone and moved to the horizon asked by the buying model's own change, the probability was
    4 points low on CDNOW (calibration error 0.043); the short horizons (two months) fit the
    horizon's effect worse than the long ones do."""
    span = today - first_day
    if span >= horizon_days + MIN_SPAN_DAYS:
        return [(today - horizon_days, horizon_days)]
    half = span // 2
    if half < MIN_SPAN_DAYS:
        return []
    longest = span - MIN_SPAN_DAYS
    spans = {half}
    for j in range(YOUNG_WINDOWS):
        h = int(round(longest * 2 ** (-j / 4)))
        if h >= MIN_SPAN_DAYS:
            spans.add(h)
    return [(today - h, h) for h in sorted(spans, reverse=True)]


def order_days_between(cust, days, universe, start: int, end: int) -> np.ndarray:
    """Distinct order days per customer of ``universe`` (sorted) in [start, end)."""
    inside = (days >= start) & (days < end)
    c, d = cust[inside], days[inside]
    where = risk.positions(universe, c)
    c, d = where[where >= 0], d[where >= 0]
    if c.size == 0:
        return np.zeros(universe.size, dtype=np.int64)
    key = np.unique(c.astype(np.int64) * 10_000_000 + d)
    return np.bincount(key // 10_000_000, minlength=universe.size).astype(np.int64)


def learn(
    cust,
    days,
    amounts,
    *,
    today: int,
    horizon_days: int,
    source: SignalSource | None = None,
    model: str = "",
    k: int | None = None,
) -> Combination:
    """Learn the combination at the training cutoffs (``training_windows``) from transactions
    before ``today``, with the buying model ``model`` (the one chosen today) and, for
    MBG/CNBD-k, its regularity ``k`` (today's), or, if none is named, the better one at the
    first window (and the same at the others). Why k is not chosen again at each window: on
    a young book's earliest window (customers with two months of orders) the choice flips
    between 1 and 2 with the customers it is chosen on, and the risk learned with it moved by
    up to 4 points on CDNOW."""
    cust = np.asarray(cust, dtype=np.int64)
    days = np.asarray(days, dtype=np.int64)
    amounts = np.asarray(amounts, dtype=float)
    seen = days < today
    cust, days, amounts = cust[seen], days[seen], amounts[seen]
    names = list(BASE_FEATURES)
    if days.size == 0:
        return Combination(names, problems=["no orders yet"])
    windows = training_windows(int(days.min()), today, horizon_days)
    if not windows:
        return Combination(
            names,
            problems=[
                f"the book's orders span {today - int(days.min())} days, too short to look "
                f"back {MIN_SPAN_DAYS} days and see what happened"
            ],
        )
    # The order ratio: over the one window, or (a young book) over half the book's span.
    ratio_span = windows[0][1] if len(windows) == 1 else (today - int(days.min())) // 2
    matrices, segments, stops, used = [], [], [], []
    ratio: tuple[float | None, float | None] = (None, None)
    problems = []
    rng = np.random.default_rng(SAMPLE_SEED)
    for cutoff, span in windows:
        ids = np.unique(cust[days < cutoff])
        sample = len(windows) > 1 and ids.size > YOUNG_SAMPLE
        c, d, a = cust, days, amounts
        if sample and span != ratio_span:
            ids = np.sort(rng.choice(ids, YOUNG_SAMPLE, replace=False))
            inside = risk.positions(ids, cust) >= 0
            c, d, a = cust[inside], days[inside], amounts[inside]
        history = risk.order_history(c, d, a, today=cutoff, universe=ids)
        prediction = forecast(
            history, horizon_days=span, value=False, models=(model,) if model else MODELS, k=k
        )
        if prediction.problem and not prediction.model:
            problems.append(f"at the training cutoff: {prediction.problem}")
            continue
        model = prediction.model
        k = getattr(prediction.fitted, "k", None)
        signals = risk.rhythm_signals(history, prediction)
        if source is not None and LEARNED_SIGNALS:
            # Only when some provider signal is learned: else its SQL would be read for nothing.
            signals.extend(source(history, prediction, True))
        matrix, names = features(history, prediction, signals)
        after = order_days_between(c, d, ids, cutoff, cutoff + span)
        if span == ratio_span:
            ratio = _ratios(c, d, ids, history, prediction, after, cutoff, span, horizon_days)
        rows = np.arange(ids.size)
        if sample and ids.size > YOUNG_SAMPLE:
            rows = np.sort(rng.choice(rows, YOUNG_SAMPLE, replace=False))
        matrices.append(matrix[rows])
        segments.append(segment_of(history)[rows])
        stops.append(after[rows] == 0)
        used.append((cutoff, span))
    if not used:
        return Combination(names, problems=problems[:1])
    combination = fit_combination(
        np.vstack(matrices), names, np.concatenate(segments), np.concatenate(stops)
    )
    # A window whose model could not be fitted (a young book's earliest, say) is left out of
    # ``windows``; its problem is not a reason for defaults when others were learned from.
    combination.windows = used
    combination.trained_cutoff, combination.train_horizon_days = used[0]
    combination.ratio_horizon_days = ratio_span
    combination.order_ratio, combination.order_ratio_half = ratio
    return combination


def _ratios(cust, days, ids, history, prediction, after, cutoff, span, horizon_days):
    """(actual over the model's expected order days after ``cutoff`` over ``span``, and over
    its first half when ``span`` is shorter than the horizon asked: how the model's error grows
    with the horizon)."""
    whole = _order_ratio(after.sum(), np.nansum(prediction.expected_orders))
    if span >= horizon_days:
        return whole, None
    half = span // 2
    module = _models[prediction.model]
    has = history.has_orders
    x, t_x, age = history.frequency[has], history.recency[has], history.age[has]
    expected = np.sum(module.expected_orders(prediction.fitted, half, x, t_x, age))
    actual = order_days_between(cust, days, ids, cutoff, cutoff + half).sum()
    return whole, _order_ratio(actual, expected)


def _order_ratio(actual, expected) -> float | None:
    """Actual over expected order days; None when too few were seen to correct the model by."""
    if actual < MIN_ORDER_DAYS or not expected > 0:
        return None
    return float(actual / expected)


def calibrate_orders(prediction: Forecast, combination: Combination) -> Forecast:
    """The forecast with the chosen model's expected orders and values corrected by what the
    model got wrong after the training cutoff (``Combination.orders_factor``). The models'
    own figures stay in ``by_model``: they are the honest baselines."""
    horizon = combination.orders_factor(prediction.horizon_days)
    year = combination.orders_factor(risk.YEAR_DAYS)
    out = Forecast(**prediction.__dict__)
    out.expected_orders = prediction.expected_orders * horizon
    out.expected_orders_12m = prediction.expected_orders_12m * year
    out.expected_value_12m = prediction.expected_value_12m * year
    out.value_if_kept_12m = prediction.value_if_kept_12m * year
    out.clv_36m = prediction.clv_36m * year
    out.parameters = {**prediction.parameters, "orders_factor": round(horizon, 4)}
    return out


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def _model_no_order(history: risk.OrderHistory, prediction: Forecast, days: int) -> FloatArray:
    out = np.full(history.customer_ids.size, np.nan)
    params = prediction.fitted
    has = history.has_orders
    if params is None or not has.any():
        return out
    module = _models[prediction.model]
    x, t_x, age = history.frequency[has], history.recency[has], history.age[has]
    out[has] = module.probability_no_order(params, days, x, t_x, age)
    return out


def combined_risk(
    history: risk.OrderHistory,
    prediction: Forecast,
    signals: list[risk.Signal],
    combination: Combination,
    *,
    learnable: set[str] | None = None,
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """(risk, learned?) per customer. Learned rows: the combination's probability, with the
    signals it could not learn from (codes not in ``learnable``) added noisy-or. Other rows:
    the stated weights of every signal, noisy-or (``risk.assess``)."""
    train_q = prediction.p_no_order
    horizon_learned = any("log_horizon" in seg["names"] for seg in combination.segments.values())
    trained = combination.train_horizon_days
    if not horizon_learned and trained and trained != prediction.horizon_days:
        # Learned on one shorter horizon only (a young book whose other windows failed): apply
        # it to the model's probability for that horizon, then move the result to the horizon
        # asked for by the model's own change in log-odds between the two horizons.
        train_q = _model_no_order(history, prediction, combination.train_horizon_days)
    short = Forecast(**{**prediction.__dict__, "p_no_order": train_q})
    matrix, names = features(history, short, signals)
    learned_p = combination.predict(matrix, names, segment_of(history))
    if train_q is not prediction.p_no_order:
        shift = _logit(prediction.p_no_order) - _logit(train_q)
        learned_p = 1.0 / (1.0 + np.exp(-(_logit(learned_p) + np.nan_to_num(shift))))
    learned = np.isfinite(learned_p)
    learnable = set(names) if learnable is None else learnable
    today_only = np.ones(history.customer_ids.size)
    for signal in signals:
        if signal.code in ORDER_SIGNALS:
            continue
        w = np.clip(np.asarray(signal.weight, dtype=float), 0.0, 0.99)
        w = np.where(w < risk.MIN_WEIGHT, 0.0, w)
        if signal.code not in learnable:
            today_only *= 1.0 - w
    n = history.customer_ids.size
    default = risk.noisy_or(risk.signal_weights(signals, n), n)
    out = np.where(learned, 1.0 - (1.0 - np.nan_to_num(learned_p)) * today_only, default)
    return out, learned
