"""Simulate customer books from known parameters, for parameter-recovery tests and benchmarks.

Everything is vectorised and driven by a caller-supplied ``numpy.random.Generator`` so a seed
reproduces the book exactly. Histories can be rounded to a time grid (whole days or weeks),
as real order data are; that also makes collapsing identical histories effective.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from tend.health.scoring._math import FloatArray, as_float_array
from tend.health.scoring.bgnbd import BGNBDParams
from tend.health.scoring.gammagamma import GammaGammaParams
from tend.health.scoring.paretonbd import ParetoNBDParams

_TINY = 1e-300


def _ages(age: ArrayLike) -> FloatArray:
    t = as_float_array(age, "age")
    if np.any(t < 0):
        raise ValueError("age must be non-negative")
    return t


def _last_order(
    rng: np.random.Generator, x: FloatArray, observed: FloatArray, orders_in_window: FloatArray
) -> FloatArray:
    """Time of the x-th of k uniform order times on [0, observed]: observed * Beta(x, k-x+1)."""
    repeat = x > 0
    shape_a = np.where(repeat, x, 1.0)
    shape_b = np.where(repeat, orders_in_window - x + 1.0, 1.0)
    return np.where(repeat, observed * rng.beta(shape_a, shape_b), 0.0)


def _to_grid(t_x: FloatArray, age: FloatArray, step: float | None) -> FloatArray:
    if step is None:
        return t_x
    if step <= 0:
        raise ValueError("step must be positive")
    return np.minimum(np.round(t_x / step) * step, age)


def simulate_bgnbd(
    rng: np.random.Generator, params: BGNBDParams, age: ArrayLike, step: float | None = None
) -> tuple[FloatArray, FloatArray]:
    """(x, t_x) for customers of the given ages under BG/NBD.

    The number of repeat orders before dropping out is Geometric(p) (dropout happens only after
    an order); the orders seen by T are min(that, Poisson(lambda T)), and the last one's time
    is an order statistic of uniform order times. ``step`` rounds t_x to a time grid.
    """
    t = _ages(age)
    lam = rng.gamma(params.r, 1.0 / params.alpha, size=t.size)
    p = np.clip(rng.beta(params.a, params.b, size=t.size), _TINY, 1.0)
    orders_before_dropout = rng.geometric(p).astype(np.float64)
    orders_in_window = rng.poisson(lam * t).astype(np.float64)
    x = np.minimum(orders_before_dropout, orders_in_window)
    return x, _to_grid(_last_order(rng, x, t, orders_in_window), t, step)


def simulate_paretonbd(
    rng: np.random.Generator, params: ParetoNBDParams, age: ArrayLike, step: float | None = None
) -> tuple[FloatArray, FloatArray]:
    """(x, t_x) for customers of the given ages under Pareto/NBD.

    Each customer lives an Exponential(mu) time; orders are Poisson(lambda) over the part of
    [0, T] they are alive for, and the last one is the largest of those uniform order times.
    """
    t = _ages(age)
    lam = rng.gamma(params.r, 1.0 / params.alpha, size=t.size)
    mu = np.maximum(rng.gamma(params.s, 1.0 / params.beta, size=t.size), _TINY)
    observed = np.minimum(rng.exponential(1.0 / mu), t)
    x = rng.poisson(lam * observed).astype(np.float64)
    return x, _to_grid(_last_order(rng, x, observed, x), t, step)


def simulate_spend(
    rng: np.random.Generator, params: GammaGammaParams, frequency: ArrayLike
) -> FloatArray:
    """Mean order value per customer under Gamma-Gamma (0 where there are no repeat orders).

    nu ~ Gamma(q, gamma); the mean of x Gamma(p, nu) values is Gamma(p x, x nu).
    """
    x = as_float_array(frequency, "frequency")
    nu = rng.gamma(params.q, 1.0 / params.gamma, size=x.size)
    repeat = x > 0
    shape = np.where(repeat, params.p * x, 1.0)
    spend = rng.gamma(shape, 1.0 / (np.maximum(x, 1.0) * nu))
    return np.where(repeat, spend, 0.0)


def simulate_ages(
    rng: np.random.Generator, n: int, longest: float, step: float | None = None
) -> FloatArray:
    """Ages of a book acquired evenly over ``longest`` time units, optionally on a grid."""
    if n < 0 or longest <= 0:
        raise ValueError("n must be non-negative and longest positive")
    if step is None:
        return rng.uniform(0.0, longest, size=n)
    slots = int(np.floor(longest / step))
    return rng.integers(1, slots + 1, size=n).astype(np.float64) * step


def simulate_mbgcnbd(
    rng: np.random.Generator, params, age: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(x, t_x, litt) for customers of the given ages under MBG/CNBD-k.

    After the first order at 0 and after every later one, the customer drops out with
    probability p ~ Beta(a, b); while alive, the times between orders are Erlang-k with rate
    lambda ~ Gamma(r, alpha). ``litt`` sums the logs of the times between orders.
    """
    t = _ages(age)
    n = t.size
    lam = rng.gamma(params.r, 1.0 / params.alpha, size=n)
    p = rng.beta(params.a, params.b, size=n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    litt = np.zeros(n)
    active = rng.random(n) >= p  # survived the coin after the first order
    while active.any():
        rows = np.flatnonzero(active)
        gap = rng.gamma(params.k, 1.0 / np.maximum(lam[rows], _TINY))
        when = t_x[rows] + gap
        inside = when <= t[rows]
        hit = rows[inside]
        x[hit] += 1
        t_x[hit] = when[inside]
        litt[hit] += np.log(gap[inside])
        active[rows[~inside]] = False
        active[hit] = rng.random(hit.size) >= p[hit]
    return x, t_x, litt
