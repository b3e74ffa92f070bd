"""BG/NBD (Fader, Hardie and Lee 2005, "Counting your customers the easy way").

While alive a customer orders as a Poisson process with rate lambda ~ Gamma(r, alpha); after
each repeat order they drop out with probability p ~ Beta(a, b). Data per customer are the
number of repeat orders x, the time of the last one t_x and the age T (time since the first
order), all in one time unit of the caller's choosing; alpha is in that unit.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, replace

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from tend.health.scoring._math import (
    FitResult,
    FloatArray,
    IndexArray,
    as_float_array,
    check_rfm,
    check_weights,
    collapse,
    dot,
    hyp2f1_sum,
    minimise,
    natural_standard_errors,
    time_scale,
)

NAMES = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class BGNBDParams:
    """BG/NBD parameters: purchase rate ~ Gamma(r, alpha), dropout ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    def __post_init__(self) -> None:
        for name, value in zip(NAMES, astuple(self), strict=True):
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"BG/NBD parameter {name} must be positive and finite")


@dataclass(frozen=True)
class _Rows:
    """Weighted histories with their distinct frequencies, for per-frequency special functions.

    gammaln/digamma/betaln depend on x only, and a book has few distinct x, so they are
    evaluated once per distinct x and summed with the per-x customer counts.
    """

    x: FloatArray
    t_x: FloatArray
    age: FloatArray
    weights: FloatArray
    x_values: FloatArray
    x_index: IndexArray
    x_weights: FloatArray

    @classmethod
    def build(cls, x: FloatArray, t_x: FloatArray, age: FloatArray, weights: FloatArray) -> _Rows:
        x_values, x_index = np.unique(x, return_inverse=True)
        x_weights = np.bincount(x_index, weights=weights, minlength=x_values.size)
        return cls(x, t_x, age, weights, x_values, x_index, x_weights)

    def rescaled(self, scale: float) -> _Rows:
        return replace(self, t_x=self.t_x / scale, age=self.age / scale)


def _log_likelihood(
    params: BGNBDParams, rows: _Rows, with_gradient: bool
) -> tuple[float, FloatArray | None]:
    """Weighted log-likelihood (FHL 2005 eq. 6, in logs) and its gradient in natural params.

    log L = log[Gamma(r+x) alpha^r / Gamma(r)] + log[B(a, b+x) / B(a, b)]
            + log[(alpha+T)^-(r+x) + [x>0] a/(b+x-1) (alpha+t_x)^-(r+x)]
    """
    r, alpha, a, b = astuple(params)
    xv, w = rows.x_values, rows.weights
    x, t_x, age = rows.x, rows.t_x, rows.age
    repeat = x > 0
    log_b_x = np.log(b + np.maximum(xv, 1.0) - 1)
    per_x = (
        special.gammaln(r + xv)
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.betaln(a, b + xv)
        - special.betaln(a, b)
    )
    log_alpha_t = np.log(alpha + age)
    log_alpha_tx = np.log(alpha + t_x)
    a3 = -(r + x) * log_alpha_t
    a4 = np.where(repeat, np.log(a) - log_b_x[rows.x_index] - (r + x) * log_alpha_tx, -np.inf)
    ll = dot(rows.x_weights, per_x) + dot(w, np.logaddexp(a3, a4))
    if not with_gradient:
        return ll, None
    w4 = np.where(repeat, special.expit(a4 - a3), 0.0) * w
    w3 = w - w4
    w4_by_x = np.bincount(rows.x_index, weights=w4, minlength=xv.size)
    dig_ab = special.digamma(a + b) - special.digamma(a + b + xv)
    wx = rows.x_weights
    grad = np.array(
        [
            dot(wx, special.digamma(r + xv) - special.digamma(r) + np.log(alpha))
            - dot(w3, log_alpha_t)
            - dot(w4, log_alpha_tx),
            r / alpha * wx.sum() - dot(r + x, w3 / (alpha + age) + w4 / (alpha + t_x)),
            dot(wx, dig_ab) + w4.sum() / a,
            dot(wx, dig_ab + special.digamma(b + xv) - special.digamma(b))
            - dot(w4_by_x, np.exp(-log_b_x)),
        ]
    )
    return ll, grad


def log_likelihood(
    params: BGNBDParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    weights: ArrayLike | None = None,
) -> float:
    """Total log-likelihood of the histories; what fitting maximises and models are compared on."""
    x, t_x, t = check_rfm(frequency, recency, age)
    rows = _Rows.build(x, t_x, t, check_weights(weights, x.size))
    return _log_likelihood(params, rows, with_gradient=False)[0]


def log_likelihood_gradient(
    params: BGNBDParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    weights: ArrayLike | None = None,
) -> FloatArray:
    """Analytic gradient of the total log-likelihood in natural parameters (r, alpha, a, b)."""
    x, t_x, t = check_rfm(frequency, recency, age)
    rows = _Rows.build(x, t_x, t, check_weights(weights, x.size))
    grad = _log_likelihood(params, rows, with_gradient=True)[1]
    assert grad is not None
    return grad


def fit(
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    weights: ArrayLike | None = None,
) -> FitResult[BGNBDParams]:
    """Maximum-likelihood BG/NBD fit.

    Identical histories are collapsed into weighted rows first, time is rescaled internally so
    the longest age is 10, and the optimiser works on log-parameters with the analytic gradient.
    Raises ValueError when nobody has a repeat order: the likelihood then has no maximum.
    """
    x, t_x, t = check_rfm(frequency, recency, age)
    w = check_weights(weights, x.size)
    if not np.any((x > 0) & (w > 0)):
        raise ValueError(
            "cannot fit BG/NBD: no customer has a repeat order, so purchase rate and dropout "
            "are not identified"
        )
    (xu, txu, tu), wu, _ = collapse(x, t_x, t, weights=w)
    keep = wu > 0
    rows = _Rows.build(xu[keep], txu[keep], tu[keep], wu[keep])
    scale = time_scale(rows.age)
    scaled = rows.rescaled(scale)
    total = float(rows.weights.sum())

    def objective(phi: FloatArray) -> tuple[float, FloatArray]:
        theta = np.exp(phi)
        ll, grad = _log_likelihood(BGNBDParams(*theta), scaled, with_gradient=True)
        assert grad is not None
        return -ll / total, -grad * theta / total

    opt = minimise(objective, np.zeros(4))
    theta = np.exp(opt.log_params)
    theta[1] *= scale
    params = BGNBDParams(*(float(v) for v in theta))
    return FitResult(
        params=params,
        log_likelihood=_log_likelihood(params, rows, with_gradient=False)[0],
        standard_errors=natural_standard_errors(NAMES, theta, opt, total),
        n=int(round(total)),
        n_unique=int(rows.x.size),
        converged=opt.converged,
        iterations=opt.iterations,
        message=opt.message,
    )


def probability_alive(
    params: BGNBDParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """P(still active | x, t_x, T) (Fader, Hardie and Lee, note 021).

    Computed as a logistic of a log-odds, so it stays in [0, 1] for any history; customers with
    no repeat order have not yet had a chance to drop out and get exactly 1.
    """
    x, t_x, t = check_rfm(frequency, recency, age)
    r, alpha, a, b = astuple(params)
    log_odds_dead = (
        np.log(a)
        - np.log(b + np.maximum(x, 1.0) - 1)
        + (r + x) * (np.log(alpha + t) - np.log(alpha + t_x))
    )
    return np.where(x > 0, special.expit(-log_odds_dead), 1.0)


_NUDGE = 1e-5


def _orders_if_alive(
    params: tuple[float, float, float, float], h: FloatArray, x: FloatArray, age: FloatArray
) -> FloatArray:
    """c/(a-1) [1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z)], c = a+b+x-1, z = h/(alpha+T+h)."""
    r, alpha, a, b = params
    c = a + b + x - 1
    z = h / (alpha + age + h)
    log_1mz = np.log(alpha + age) - np.log(alpha + age + h)
    hyp = hyp2f1_sum(a + b - 1 - r, a - 1, c, z)[0].reshape(z.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        value = c * (1.0 - np.exp((a - 1) * log_1mz) * hyp) / (a - 1)
    return np.where(h == 0, 0.0, value)


# From this a on, the dropout probability's posterior Beta(a, b + x) is narrow enough (relative
# spread under 1/sqrt(a)) to be used at its mean: expected orders then differ from the exact
# formula by under 0.3%. The exact series would need about a * z terms there and loses all
# precision from a ~ 600 (a fit runs a and b off to millions when nobody seems to drop out).
_CONCENTRATED = 300.0


def _orders_if_alive_concentrated(
    params: tuple[float, float, float, float], h: FloatArray, x: FloatArray, age: FloatArray
) -> FloatArray:
    """E[orders in h | alive] = E[(1 - exp(-lambda p h)) / p] with lambda ~ Gamma(r + x,
    alpha + T) integrated exactly and p at its posterior mean a / (a + b + x)."""
    r, alpha, a, b = params
    p = a / (a + b + x)
    log_ratio = np.log(alpha + age) - np.log(alpha + age + p * h)
    return -np.expm1((r + x) * log_ratio) / p


def expected_orders(
    params: BGNBDParams,
    horizon: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
) -> FloatArray:
    """Expected repeat orders in the next ``horizon`` time units given the history (FHL eq. 10).

    The Gauss hypergeometric 2F1(r+x, b+x; a+b+x-1; z) of the paper overflows for customers
    with hundreds of orders, so it is used in Euler-transformed form:
    (1-z)^(r+x) 2F1(r+x, b+x; c; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; c; z), z = t/(alpha+T+t),
    whose parameters stay small however large x is. The formula has removable singularities
    at a = 1 and at c = a+b+x-1 = 0; within 1e-5 of them the value is the mean of the two
    neighbours 1e-5 either side, accurate to about 1e-10.
    """
    x, t_x, t = check_rfm(frequency, recency, age)
    h = as_float_array(horizon, "horizon")
    if np.any(h < 0):
        raise ValueError("horizon must be non-negative")
    h, x, t_x, t = np.broadcast_arrays(h, x, t_x, t)
    r, alpha, a, b = astuple(params)
    if a >= _CONCENTRATED:
        return _orders_if_alive_concentrated((r, alpha, a, b), h, x, t) * probability_alive(
            params, x, t_x, t
        )
    if abs(a - 1) < _NUDGE:
        values = 0.5 * (
            _orders_if_alive((r, alpha, 1 + _NUDGE, b), h, x, t)
            + _orders_if_alive((r, alpha, 1 - _NUDGE, b), h, x, t)
        )
    else:
        values = _orders_if_alive((r, alpha, a, b), h, x, t)
    near_c = np.abs(a + b + x - 1) < _NUDGE
    if np.any(near_c):
        up, down = (1 - a + _NUDGE, 1 - a - _NUDGE) if b > 2 * _NUDGE else (2 * b, b / 2)
        hc, xc, tc = h[near_c], x[near_c], t[near_c]
        values[near_c] = 0.5 * (
            _orders_if_alive((r, alpha, a, up), hc, xc, tc)
            + _orders_if_alive((r, alpha, a, down), hc, xc, tc)
        )
    return values * probability_alive(params, x, t_x, t)


def expected_orders_new_customer(params: BGNBDParams, horizon: ArrayLike) -> FloatArray:
    """Expected repeat orders within ``horizon`` of a first order (FHL eq. 9), for planning."""
    h = as_float_array(horizon, "horizon")
    zero = np.zeros_like(h)
    return expected_orders(params, h, zero, zero, zero)
