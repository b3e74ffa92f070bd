"""Pareto/NBD (Schmittlein, Morrison and Colombo 1987; Fader and Hardie note 009).

While alive a customer orders as a Poisson process with rate lambda ~ Gamma(r, alpha); the
lifetime is exponential with rate mu ~ Gamma(s, beta), so dropout can happen at any time, not
only after an order as in BG/NBD. Data are (x, t_x, T) as for BG/NBD.

The likelihood involves the integral J = int_{t_x}^{T} (alpha+u)^-(r+x) (beta+u)^-(s+1) du.
It is computed as the difference of two tails H(t) = int_t^inf, each a positive power series
(``hyp2f1_sum``) that also yields exact derivatives in r, alpha, s and beta, so the fit
uses an analytic gradient. Tails are evaluated once per distinct (x, t) pair, which a book
recorded in whole weeks or days has few of.
"""

from __future__ import annotations

import time
from dataclasses import astuple, dataclass

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
    expm1_ratio,
    hyp2f1_sum,
    minimise,
    natural_standard_errors,
    time_scale,
    weighted_sum,
)

NAMES = ("r", "alpha", "s", "beta")


@dataclass(frozen=True)
class ParetoNBDParams:
    """Pareto/NBD parameters: purchase rate ~ Gamma(r, alpha), dropout rate ~ Gamma(s, beta)."""

    r: float
    alpha: float
    s: float
    beta: float

    def __post_init__(self) -> None:
        for name, value in zip(NAMES, astuple(self), strict=True):
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"Pareto/NBD parameter {name} must be positive and finite")


def _log_tail(
    params: ParetoNBDParams, x: FloatArray, t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """log H(t) = log int_t^inf (alpha+u)^-(r+x) (beta+u)^-(s+1) du and its gradient.

    With k the larger and l the smaller of alpha and beta, p and q their exponents (r+x and
    s+1 in some order) and m = r+s+x = p+q-1, substituting y = (l+t)/(l+u) and applying
    Pfaff's transformation gives
        H = (k+t)^-p (l+t)^(1-q) / m * 2F1(p, 1; m+1; z),   z = (k-l)/(k+t) in [0, 1),
    a series of positive terms each at most z times the previous one.
    """
    r, alpha, s, beta = params.r, params.alpha, params.s, params.beta
    m = r + s + x
    alpha_larger = alpha >= beta
    if alpha_larger:
        kappa, lam, p, q = alpha, beta, r + x, np.full_like(x, s + 1.0)
    else:
        kappa, lam, p, q = beta, alpha, np.full_like(x, s + 1.0), r + x
    log_kt = np.log(kappa + t)
    log_lt = np.log(lam + t)
    z = (kappa - lam) / (kappa + t)
    f, f_p, f_c, f_z = hyp2f1_sum(p, 1.0, m + 1.0, z)
    log_h = -p * log_kt + (1.0 - q) * log_lt - np.log(m) + np.log(f)
    dp = -log_kt + f_p / f
    dq = -log_lt
    dm = -1.0 / m + f_c / f
    dkappa = -p / (kappa + t) + f_z / f * (lam + t) / (kappa + t) ** 2
    dlam = (1.0 - q) / (lam + t) - f_z / f / (kappa + t)
    grad = np.empty((4, x.size))
    if alpha_larger:
        grad[0], grad[1], grad[2], grad[3] = dp + dm, dkappa, dq + dm, dlam
    else:
        grad[0], grad[1], grad[2], grad[3] = dq + dm, dlam, dp + dm, dkappa
    return log_h, grad


@dataclass(frozen=True)
class _Pairs:
    """Distinct (x, t) pairs behind the t_x and T columns, so each tail is computed once."""

    x: FloatArray
    t: FloatArray
    at_recency: IndexArray
    at_age: IndexArray

    @classmethod
    def build(cls, x: FloatArray, t_x: FloatArray, age: FloatArray) -> _Pairs:
        (px, pt), _, inverse = collapse(np.concatenate([x, x]), np.concatenate([t_x, age]))
        return cls(px, pt, inverse[: x.size], inverse[x.size :])


def _terms(
    params: ParetoNBDParams,
    x: FloatArray,
    t_x: FloatArray,
    age: FloatArray,
    pairs: _Pairs | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Per-row log L (note 009 eq. 18), the share of L from "still alive at T", and the gradient.

    L = A1 [B + s J], B = (alpha+T)^-(r+x) (beta+T)^-s, J = H(t_x) - H(T); all in logs.
    """
    r, alpha, s, beta = astuple(params)
    if pairs is None:
        pairs = _Pairs.build(x, t_x, age)
    log_h, g_h = _log_tail(params, pairs.x, pairs.t)
    log_h1, g1 = log_h[pairs.at_recency], g_h[:, pairs.at_recency]
    log_h2, g2 = log_h[pairs.at_age], g_h[:, pairs.at_age]
    log_alpha_t = np.log(alpha + age)
    log_beta_t = np.log(beta + age)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    b_alive = -(r + x) * log_alpha_t - s * log_beta_t
    delta = np.minimum(log_h2 - log_h1, 0.0)
    one_minus = -np.expm1(delta)
    with np.errstate(divide="ignore"):
        c_dead = np.log(s) + log_h1 + np.log(one_minus)
    w_alive = special.expit(b_alive - c_dead)
    w_dead = special.expit(c_dead - b_alive)
    ll = a1 + np.logaddexp(b_alive, c_dead)
    positive = one_minus > 0
    safe = np.where(positive, one_minus, 1.0)
    d_log_j = np.where(positive, (g1 - np.exp(delta) * g2) / safe, 0.0)
    grad = np.empty((4, x.size))
    grad[0] = (
        special.digamma(r + x)
        - special.digamma(r)
        + np.log(alpha)
        - w_alive * log_alpha_t
        + w_dead * d_log_j[0]
    )
    grad[1] = r / alpha - w_alive * (r + x) / (alpha + age) + w_dead * d_log_j[1]
    grad[2] = np.log(beta) - w_alive * log_beta_t + w_dead * (1.0 / s + d_log_j[2])
    grad[3] = s / beta - w_alive * s / (beta + age) + w_dead * d_log_j[3]
    return ll, w_alive, grad


def log_likelihood(
    params: ParetoNBDParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    weights: ArrayLike | None = None,
) -> float:
    """Total log-likelihood of the histories; what fitting maximises and models are compared on."""
    x, t_x, t = check_rfm(frequency, recency, age)
    w = check_weights(weights, x.size)
    return dot(w, _terms(params, x, t_x, t)[0])


def log_likelihood_rows(
    params: ParetoNBDParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """log L per customer, for comparing models on customers the fit did not see."""
    x, t_x, t = check_rfm(frequency, recency, age)
    return _terms(params, x, t_x, t)[0]


def log_likelihood_gradient(
    params: ParetoNBDParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    weights: ArrayLike | None = None,
) -> FloatArray:
    """Analytic gradient of the total log-likelihood in natural parameters (r, alpha, s, beta)."""
    x, t_x, t = check_rfm(frequency, recency, age)
    w = check_weights(weights, x.size)
    return weighted_sum(_terms(params, x, t_x, t)[2], w)


def fit(
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    weights: ArrayLike | None = None,
    deadline: float | None = None,
) -> FitResult[ParetoNBDParams]:
    """Maximum-likelihood Pareto/NBD fit.

    With ``deadline`` (a ``time.thread_time()`` value: this thread's CPU time, so neither a busy
    machine nor the scoring's reader thread beside the fit changes the result), a fit still
    running then raises
    TimeoutError: on books where nobody seems to leave, the parameters run off and each step
    needs ever longer series, and the nightly scoring cannot wait for that.

    Identical histories are collapsed into weighted rows, time is rescaled internally so the
    longest age is 10, and the optimiser works on log-parameters with the analytic gradient.
    Raises ValueError when nobody has a repeat order: the likelihood then has no maximum.
    """
    x, t_x, t = check_rfm(frequency, recency, age)
    w = check_weights(weights, x.size)
    if not np.any((x > 0) & (w > 0)):
        raise ValueError(
            "cannot fit Pareto/NBD: no customer has a repeat order, so purchase and dropout "
            "rates are not identified"
        )
    (xu, txu, tu), wu, _ = collapse(x, t_x, t, weights=w)
    keep = wu > 0
    xu, txu, tu, wu = xu[keep], txu[keep], tu[keep], wu[keep]
    scale = time_scale(tu)
    txs, ts = txu / scale, tu / scale
    pairs = _Pairs.build(xu, txs, ts)
    total = float(wu.sum())

    def objective(phi: FloatArray) -> tuple[float, FloatArray]:
        if deadline is not None and time.thread_time() > deadline:
            raise TimeoutError("the Pareto/NBD fit did not settle in time")
        theta = np.exp(phi)
        ll, _, grad = _terms(ParetoNBDParams(*theta), xu, txs, ts, pairs)
        return -dot(wu, ll) / total, -weighted_sum(grad, wu) * theta / total

    opt = minimise(objective, np.zeros(4))
    theta = np.exp(opt.log_params)
    theta[1] *= scale
    theta[3] *= scale
    params = ParetoNBDParams(*(float(v) for v in theta))
    ll_rows = _terms(params, xu, txu, tu)[0]
    return FitResult(
        params=params,
        log_likelihood=dot(wu, ll_rows),
        standard_errors=natural_standard_errors(NAMES, theta, opt, total),
        n=int(round(total)),
        n_unique=int(xu.size),
        converged=opt.converged,
        iterations=opt.iterations,
        message=opt.message,
    )


def probability_alive(
    params: ParetoNBDParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    """P(still active at T | x, t_x, T) (note 009 eq. 36-37): the alive branch's share of L.

    A logistic of the log-ratio of the two branches, so it stays in [0, 1] for any history.
    """
    x, t_x, t = check_rfm(frequency, recency, age)
    return _terms(params, x, t_x, t)[1]


def expected_orders(
    params: ParetoNBDParams,
    horizon: ArrayLike,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
) -> FloatArray:
    """Expected repeat orders in the next ``horizon`` time units given the history (eq. 41).

    E = P(alive) (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)], with the
    bracket over (s-1) evaluated through expm1 so s = 1 is not a singularity.
    """
    x, t_x, t = check_rfm(frequency, recency, age)
    h = as_float_array(horizon, "horizon")
    if np.any(h < 0):
        raise ValueError("horizon must be non-negative")
    h, x, t_x, t = np.broadcast_arrays(h, x, t_x, t)
    r, alpha, s, beta = astuple(params)
    alive = probability_alive(params, x, t_x, t)
    rate = np.exp(np.log(r + x) + np.log(beta + t) - np.log(alpha + t))
    return alive * rate * expm1_ratio(s - 1.0, np.log1p(h / (beta + t)))


def expected_orders_new_customer(params: ParetoNBDParams, horizon: ArrayLike) -> FloatArray:
    """Expected repeat orders within ``horizon`` of a first order (note 009 eq. 27)."""
    h = as_float_array(horizon, "horizon")
    zero = np.zeros_like(h)
    return expected_orders(params, h, zero, zero, zero)


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(40)


def probability_no_order(
    params: ParetoNBDParams,
    horizon: float,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
) -> FloatArray:
    """P(no order in the next ``horizon`` | history).

    Alive at T, lambda ~ Gamma(r+x, alpha+T) and mu ~ Gamma(s, beta+T) independently; an order
    comes before dropout and within h with probability E[lambda int_0^h e^-(lambda+mu)u du] =
    int_0^h (r+x)/(alpha+T) ((alpha+T)/(alpha+T+u))^(r+x+1) ((beta+T)/(beta+T+u))^s du,
    integrated by Gauss-Legendre in v with u = h v^2 (the integrand is steepest near 0).
    """
    x, t_x, t = check_rfm(frequency, recency, age)
    if horizon <= 0:
        return np.zeros_like(x)
    r, alpha, s, beta = astuple(params)
    alive = probability_alive(params, x, t_x, t)
    v = 0.5 * (_NODES + 1.0)
    u = horizon * v**2
    du = horizon * 2.0 * v * 0.5 * _WEIGHTS  # du/dv times the rule's weights on [0, 1]
    at, bt = (alpha + t)[:, None], (beta + t)[:, None]
    shape = (r + x)[:, None]
    log_f = (
        np.log(shape)
        - np.log(at)
        - (shape + 1.0) * np.log1p(u[None, :] / at)
        - s * np.log1p(u[None, :] / bt)
    )
    bought = np.exp(log_f) @ du
    return np.clip(1.0 - alive * bought, 0.0, 1.0)
