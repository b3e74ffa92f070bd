"""MBG/CNBD-k: the regular buyer (Platzer and Reutterer 2016; Reutterer, Platzer and Schroeder
2021; the R package BTYDplus, ``mbgcnbd.*``).

Importers and dealers reorder on a rhythm. Poisson-based models (Pareto/NBD, BG/NBD) treat the
times between orders as exponential, so a customer who orders every 60 days like clockwork
looks no different from one who orders at random with the same mean. Here the times between
orders are Erlang-k with rate lambda (k = 1 is Poisson; larger k is more regular), lambda ~
Gamma(r, alpha) across customers, and after every order, the first included, the customer drops
out with probability p ~ Beta(a, b). Dropping out right after the first order ("M" for modified)
is what lets a one-time buyer be gone, which BG/NBD does not allow.

Data per customer: x repeat orders, t_x the time of the last one, T the age, and ``litt`` the
sum of the logs of the x times between orders (the regularity evidence). With u = T - t_x,
integrating lambda and p out of

    L = (1-p)^x prod f_k(itt) [p + (1-p) P(Erlang-k > u)]

gives (BTYDplus ``mbgcnbd.LL``; every term derived again here)

    log L = (k-1) litt - x log((k-1)!) + log B(a, b+x+1) - log B(a, b)
            + log G(r+kx) - log G(r) + r log alpha - (r+kx) log(alpha+T) + log(S1 + S2)
    S1 = a/(b+x) ((alpha+T)/(alpha+t_x))^(r+kx)                         (gone after order x)
    S2 = sum_{j<k} G(r+kx+j) / (G(r+kx) j!) (u/(alpha+T))^j              (alive, mid-cycle)

so P(alive) = S2 / (S1 + S2). Alive and j phases into the current cycle, lambda's posterior is
Gamma(r+kx+j, alpha+T) with weight proportional to S2's j-th term, and the phases still to come
in a horizon h are negative binomial; no order in h means fewer than k - j of them, which gives
P(no order in h) in closed form. Expected orders in h use the renewal rate lambda/k with the
geometric dropout (the BG-type formula with r+kx+j, k(alpha+T) and b+x+1): exact for k = 1 and
close for the longer horizons valuation uses. The log-likelihood is the density of the order
times, as Pareto/NBD's is, so the two can be compared on held-out customers.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

from tend.health.scoring._math import (
    FloatArray,
    as_float_array,
    check_rfm,
    collapse,
    hyp2f1_sum,
    time_scale,
)

NAMES = ("k", "r", "alpha", "a", "b")
MAX_K = 12
K_STEPS = (1, 2, 3, 4, 5, 6, 8, 10, 12)  # tried in turn while the likelihood improves
SEARCH_SAMPLE = 2_000  # customers on which k is chosen


@dataclass(frozen=True)
class MBGCNBDParams:
    """Regularity k (whole, >= 1), purchase rate ~ Gamma(r, alpha), dropout ~ Beta(a, b)."""

    k: int
    r: float
    alpha: float
    a: float
    b: float

    def __post_init__(self) -> None:
        if int(self.k) != self.k or self.k < 1:
            raise ValueError("MBG/CNBD-k parameter k must be a whole number >= 1")
        for name, value in zip(NAMES[1:], astuple(self)[1:], strict=True):
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"MBG/CNBD-k parameter {name} must be positive and finite")


@dataclass(frozen=True)
class MBGCNBDFit:
    params: MBGCNBDParams
    log_likelihood: float
    n: int
    converged: bool
    by_k: dict[int, float]  # log-likelihood of the best fit for each k tried


def _branches(
    k: int, r: float, alpha: float, a: float, b: float, x, t_x, t
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """(log S1, log S2, the log S2 terms (k rows), the part of log L outside the litt terms)."""
    s = r + k * x
    log_at = np.log(alpha + t)
    log_s1 = np.log(a) - np.log(b + x) + s * (log_at - np.log(alpha + t_x))
    u = t - t_x
    with np.errstate(divide="ignore"):
        log_ratio = np.log(u) - log_at
    terms = np.empty((k, np.size(x)))
    terms[0] = 0.0
    # G(s+j)/(G(s) j!) ratio^j, built up term by term; 0^j = 0 when no time has passed.
    step = np.where(u > 0, log_ratio, -np.inf)
    for j in range(1, k):
        terms[j] = terms[j - 1] + np.log(s + j - 1.0) - np.log(j) + step
    log_s2 = special.logsumexp(terms, axis=0)
    base = (
        special.betaln(a, b + x + 1.0)
        - special.betaln(a, b)
        + special.gammaln(s)
        - special.gammaln(r)
        + r * np.log(alpha)
        - s * log_at
    )
    return log_s1, log_s2, terms, base


def log_likelihood(
    params: MBGCNBDParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike, litt
) -> FloatArray:
    """log L per customer (see the module docstring); ``litt`` sums the logs of the times
    between orders, in the same time unit."""
    x, t_x, t = check_rfm(frequency, recency, age)
    lt = np.broadcast_to(as_float_array(litt, "litt"), x.shape)
    k, r, alpha, a, b = astuple(params)
    log_s1, log_s2, _, base = _branches(k, r, alpha, a, b, x, t_x, t)
    return (k - 1) * lt - x * special.gammaln(k) + base + np.logaddexp(log_s1, log_s2)


def probability_alive(
    params: MBGCNBDParams, frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> FloatArray:
    x, t_x, t = check_rfm(frequency, recency, age)
    log_s1, log_s2, _, _ = _branches(*astuple(params), x, t_x, t)
    return special.expit(log_s2 - log_s1)


def probability_no_order(
    params: MBGCNBDParams,
    horizon: float,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
) -> FloatArray:
    """P(no order in the next ``horizon`` | history): gone, or alive and fewer than k - j
    Erlang phases in the horizon (j phases already done), the phases negative binomial."""
    x, t_x, t = check_rfm(frequency, recency, age)
    k, r, alpha, a, b = astuple(params)
    log_s1, log_s2, terms, _ = _branches(k, r, alpha, a, b, x, t_x, t)
    alive = special.expit(log_s2 - log_s1)
    weights = np.exp(terms - log_s2)
    beta = alpha + t
    log_keep = np.log(beta) - np.log(beta + horizon)
    log_more = np.log(horizon) - np.log(beta + horizon) if horizon > 0 else -np.inf
    quiet = np.zeros_like(x)
    for j in range(k):
        s = r + k * x + j
        for n in range(k - j):
            log_nb = (
                special.gammaln(s + n)
                - special.gammaln(s)
                - special.gammaln(n + 1.0)
                + s * log_keep
                + (n * log_more if n else 0.0)
            )
            quiet += weights[j] * np.exp(log_nb)
    return np.clip(1.0 - alive + alive * quiet, 0.0, 1.0)


def _orders_if_alive(shape, rate, a: float, b, h: float) -> FloatArray:
    """BG-type E[orders in h | alive] for purchase rate ~ Gamma(shape, rate) and dropout
    ~ Beta(a, b) after each order: (a+b-1)/(a-1) [1 - (rate/(rate+h))^shape 2F1(shape, b;
    a+b-1; h/(rate+h))], Euler-transformed so the series stays short for large shapes."""
    if abs(a - 1.0) < 1e-5:
        a = 1.0 + 2e-5
    if a >= 300.0:
        p = a / (a + b)
        return -np.expm1(shape * (np.log(rate) - np.log(rate + p * h))) / p
    c = a + b - 1.0
    z = h / (rate + h)
    log_1mz = np.log(rate) - np.log(rate + h)
    hyp = hyp2f1_sum(c - shape, a - 1.0, c, z)[0].reshape(np.shape(z))
    with np.errstate(over="ignore", invalid="ignore"):
        return c * (1.0 - np.exp((a - 1.0) * log_1mz) * hyp) / (a - 1.0)


def expected_orders(
    params: MBGCNBDParams,
    horizon: float,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
) -> FloatArray:
    """Expected orders in the next ``horizon`` given the history (see the module docstring)."""
    x, t_x, t = check_rfm(frequency, recency, age)
    if horizon <= 0:
        return np.zeros_like(x)
    k, r, alpha, a, b = astuple(params)
    log_s1, log_s2, terms, _ = _branches(k, r, alpha, a, b, x, t_x, t)
    alive = special.expit(log_s2 - log_s1)
    weights = np.exp(terms - log_s2)
    # The phases already done in the current cycle, at their posterior mean: one series
    # instead of k, and the difference is a fraction of one phase's worth of rate.
    done = (weights * np.arange(k)[:, None]).sum(axis=0)
    total = _orders_if_alive(r + k * x + done, k * (alpha + t), a, b + x + 1.0, float(horizon))
    return alive * np.maximum(total, 0.0)


def _gradient(k: int, r, alpha, a, b, x, t_x, t, parts) -> FloatArray:
    """d log L / d(r, alpha, a, b) per row (the litt terms do not depend on them), from the
    pieces ``_branches`` returns: every term of the module docstring's formula differentiated
    by hand (digamma for the Gamma and Beta functions; S2 through its terms' softmax)."""
    log_s1, log_s2, terms, _ = parts
    s = r + k * x
    at, axt = alpha + t, alpha + t_x
    gone = special.expit(log_s1 - log_s2)  # S1's share of S1 + S2
    alive = 1.0 - gone
    weights = np.exp(terms - log_s2)  # each S2 term's share of S2
    # d terms_j / dr = sum_{i<j} 1/(s+i); d terms_j / dalpha = -j/(alpha+T).
    d_terms_r = np.zeros_like(terms)
    for j in range(1, k):
        d_terms_r[j] = d_terms_r[j - 1] + 1.0 / (s + j - 1.0)
    phases = np.arange(k, dtype=float)[:, None]
    d_s2_r = (weights * d_terms_r).sum(axis=0)
    d_s2_alpha = -(weights * phases).sum(axis=0) / at
    log_ratio = np.log(at) - np.log(axt)
    psi_ab = special.digamma(a + b)
    psi_abx = special.digamma(a + b + x + 1.0)
    grad = np.empty((4, np.size(x)))
    grad[0] = (
        special.digamma(s)
        - special.digamma(r)
        + np.log(alpha)
        - np.log(at)
        + gone * log_ratio
        + alive * d_s2_r
    )
    grad[1] = r / alpha - s / at + gone * s * (1.0 / at - 1.0 / axt) + alive * d_s2_alpha
    grad[2] = psi_ab - psi_abx + gone / a
    grad[3] = special.digamma(b + x + 1.0) - psi_abx - special.digamma(b) + psi_ab - gone / (b + x)
    return grad


def _fit_k(k: int, xu, txu, tu, wu, start: np.ndarray) -> tuple[float, np.ndarray, bool]:
    total = float(wu.sum())

    def objective(phi: np.ndarray) -> tuple[float, np.ndarray]:
        theta = np.exp(np.clip(phi, -25.0, 25.0))
        r, alpha, a, b = theta
        parts = _branches(k, r, alpha, a, b, xu, txu, tu)
        log_s1, log_s2, _, base = parts
        ll = base + np.logaddexp(log_s1, log_s2)
        value = -float(np.dot(wu, ll)) / total
        if not np.isfinite(value):
            return 1e300, np.zeros(4)
        grad = -(_gradient(k, r, alpha, a, b, xu, txu, tu, parts) @ wu) * theta / total
        return value, grad

    best = optimize.minimize(objective, start, jac=True, method="BFGS", options={"gtol": 1e-6})
    if not np.isfinite(best.fun) or best.fun >= 1e299:
        best = optimize.minimize(lambda phi: objective(phi)[0], start, method="Nelder-Mead")
    return -float(best.fun) * total, np.asarray(best.x), bool(best.success)


def _prepare(x, t_x, t, lt):
    (xu, txu, tu), wu, _ = collapse(x, t_x, t)
    scale = time_scale(t)
    # litt in the rescaled unit: each of the x gaps shrinks by ``scale``.
    litt_sum = float(lt.sum()) - float(x.sum()) * np.log(scale)
    return xu, txu / scale, tu / scale, wu, litt_sum, float(x.sum()), scale


def _fit_total(k: int, rows, start) -> tuple[float, np.ndarray, bool]:
    """Total log-likelihood in the original time unit, the log-parameters, converged?"""
    xu, txs, ts, wu, litt_sum, x_sum, scale = rows
    core, phi, ok = _fit_k(k, xu, txs, ts, wu, start)
    ll = core + (k - 1) * litt_sum - x_sum * special.gammaln(k)
    # Back in the original unit: the density of x order times scales by scale^-x.
    return ll - x_sum * np.log(scale), phi, ok


def fit(
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    litt: ArrayLike,
    *,
    max_k: int = MAX_K,
    k: int | None = None,
) -> MBGCNBDFit:
    """Maximum-likelihood fit: the four continuous parameters for k = 1, 2, ... while the
    likelihood improves (it is unimodal in k in practice, as BTYDplus also assumes), or for
    the one ``k`` given."""
    x, t_x, t = check_rfm(frequency, recency, age)
    lt = np.broadcast_to(as_float_array(litt, "litt"), x.shape)
    if not np.any(x > 0):
        raise ValueError("cannot fit MBG/CNBD-k: no customer has a repeat order")
    if k is not None:
        if int(k) != k or not 1 <= k <= max_k:
            raise ValueError(f"MBG/CNBD-k: k must be a whole number from 1 to {max_k}")
        ll, phi, ok = _fit_total(int(k), _prepare(x, t_x, t, lt), np.zeros(4))
        r, alpha, a, b = np.exp(phi)
        scale = time_scale(t)
        params = MBGCNBDParams(int(k), float(r), float(alpha * scale), float(a), float(b))
        return MBGCNBDFit(params, float(ll), int(x.size), ok, {int(k): ll})
    search = np.arange(x.size)
    if x.size > SEARCH_SAMPLE:
        search = np.random.default_rng(0).choice(x.size, SEARCH_SAMPLE, replace=False)
    by_k: dict[int, float] = {}
    best: tuple[float, int, np.ndarray, bool] | None = None
    rows = _prepare(x[search], t_x[search], t[search], lt[search])
    start = np.zeros(4)
    for k in (k for k in K_STEPS if k <= max_k):
        ll, phi, ok = _fit_total(k, rows, start)
        by_k[k] = ll
        if best is not None and ll < best[0]:
            break
        best = (ll, k, phi, ok)
        start = phi
    if best is not None and search.size < x.size:
        # k chosen on a sample; the four rates refitted on every customer given.
        k = best[1]
        ll, phi, ok = _fit_total(k, _prepare(x, t_x, t, lt), best[2])
        best = (ll, k, phi, ok)
    assert best is not None
    ll, k, phi, ok = best
    r, alpha, a, b = np.exp(phi)
    scale = time_scale(t)
    params = MBGCNBDParams(k=k, r=float(r), alpha=float(alpha * scale), a=float(a), b=float(b))
    return MBGCNBDFit(params, float(ll), int(x.size), ok, by_k)
