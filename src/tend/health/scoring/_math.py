"""Numerics shared by the buy-till-you-die models: input checks, collapsing, series, optimiser.

Nothing here knows about a particular model; the model modules pass in their log-likelihood and
gradient and get back a fitted optimum with standard errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]

P = TypeVar("P")

LOG_BOUND = 25.0
"""Log-parameters are clipped to [-25, 25] so that exp() can never overflow in a line search."""


@dataclass(frozen=True)
class FitResult(Generic[P]):
    """A fitted model: the maximum-likelihood parameters and what is needed to judge them.

    ``standard_errors`` come from the inverse Hessian of the negative log-likelihood in natural
    parameters at the optimum; an entry is ``inf`` when the data do not identify that parameter.
    """

    params: P
    log_likelihood: float
    standard_errors: Mapping[str, float] = field(hash=False)
    n: int
    n_unique: int
    converged: bool
    iterations: int
    message: str


def as_float_array(value: ArrayLike, name: str) -> FloatArray:
    """A float64 array of at least one dimension, refusing NaN and infinities early."""
    arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return arr


def check_rfm(
    frequency: ArrayLike, recency: ArrayLike, age: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate and broadcast (x, t_x, T); bad histories would silently poison the likelihood."""
    x = as_float_array(frequency, "frequency")
    t_x = as_float_array(recency, "recency")
    t = as_float_array(age, "age")
    x, t_x, t = (np.ascontiguousarray(a) for a in np.broadcast_arrays(x, t_x, t))
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must be a non-negative whole number of repeat orders")
    if np.any(t_x < 0):
        raise ValueError("recency must be non-negative")
    if np.any(t_x > t):
        raise ValueError("recency (time of the last order) cannot exceed age (T)")
    if np.any(t_x[x == 0] != 0):
        raise ValueError("recency must be 0 for customers with no repeat orders")
    return x, t_x, t


def check_weights(weights: ArrayLike | None, n: int) -> FloatArray:
    """Customer counts per row; ones when none are given."""
    if weights is None:
        return np.ones(n)
    w = as_float_array(weights, "weights")
    if w.shape != (n,):
        raise ValueError("weights must have one entry per customer")
    if np.any(w < 0):
        raise ValueError("weights must be non-negative")
    return w


def collapse(
    *columns: FloatArray, weights: FloatArray | None = None
) -> tuple[tuple[FloatArray, ...], FloatArray, IndexArray]:
    """Unique rows of the given columns, their summed weights, and the map back to input rows.

    Customers with an identical history contribute identical likelihood terms, so a book of a
    million customers recorded in whole weeks or days shrinks to far fewer rows. This is the
    ``np.unique(..., axis=0, return_inverse=True)`` idea done with a lexsort, which is several
    times faster on float columns.
    """
    n = columns[0].shape[0]
    if n == 0:
        empty = np.empty(0)
        return tuple(empty for _ in columns), empty, np.empty(0, dtype=np.intp)
    key = _integer_key(columns)
    order = np.argsort(key, kind="stable") if key is not None else np.lexsort(columns[::-1])
    ordered = [c[order] for c in columns]
    starts_mask = np.empty(n, dtype=bool)
    starts_mask[0] = True
    starts_mask[1:] = False
    for c in ordered:
        starts_mask[1:] |= c[1:] != c[:-1]
    group = np.cumsum(starts_mask) - 1
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = group
    starts = np.flatnonzero(starts_mask)
    if weights is None:
        counts = np.diff(np.append(starts, n)).astype(np.float64)
    else:
        counts = np.add.reduceat(weights[order], starts)
    return tuple(c[starts] for c in ordered), counts, inverse


def _integer_key(columns: tuple[FloatArray, ...]) -> NDArray[np.int64] | None:
    """One int64 sort key for columns of whole numbers (orders, days, weeks), else None.

    Sorting one integer key is several times faster than a lexsort over float columns.
    """
    key = np.zeros(columns[0].shape[0], dtype=np.int64)
    span = 1
    for c in columns:
        low, high = float(c.min()), float(c.max())
        width = high - low + 1
        span *= int(width)
        if span >= 2**62 or not np.array_equal(c, np.floor(c)):
            return None
        key = key * int(width) + (c - low).astype(np.int64)
    return key


def dot(a: FloatArray, b: FloatArray) -> float:
    """Inner product without BLAS.

    OpenBLAS wakes its thread pool for a large ``a @ b``; on a busy two-core server those
    threads wait for a core and one product can take 20 ms instead of 20 us, which made fits
    100 times slower under load. einsum's own loop is single-threaded and steady.
    """
    return float(np.einsum("i,i->", a, b))


def weighted_sum(rows: FloatArray, weights: FloatArray) -> FloatArray:
    """rows @ weights for a (k, n) array of per-row gradients, without BLAS (see ``dot``)."""
    return np.einsum("ij,j->i", rows, weights)


def expm1_ratio(c: ArrayLike, v: ArrayLike) -> FloatArray:
    """(1 - exp(-c v)) / c, continuous at c = 0 (where it is v); used for s -> 1 and a -> 1."""
    c_arr, v_arr = np.broadcast_arrays(np.asarray(c, dtype=float), np.asarray(v, dtype=float))
    small = np.abs(c_arr) < 1e-12
    safe_c = np.where(small, 1.0, c_arr)
    return np.where(small, v_arr, -np.expm1(-safe_c * v_arr) / safe_c)


_BLOCK = 2**20
MAX_TERMS = 2**17


def hyp2f1_sum(
    a: ArrayLike,
    b: ArrayLike,
    c: ArrayLike,
    z: ArrayLike,
    *,
    tol: float = 1e-16,
    max_terms: int = MAX_TERMS,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Gauss 2F1(a, b; c; z) for 0 <= z < 1 by direct summation, with d/da, d/dc and d/dz.

    scipy's hyp2f1 returns inf or NaN for some perfectly ordinary real arguments (for example
    2F1(1, 1; 102; 0.9)) and has no parameter derivatives, so the models sum the series
    themselves: terms are built with cumulative products in blocks of rows sharing a term
    count, the count starts from what z^k alone needs and is quadrupled until a bound on the
    remaining tail is below ``tol`` times the sum of absolute terms. Rows that still have not
    converged after ``max_terms`` terms (z within ~3e-4 of 1, far outside any sensible
    customer history) keep their partial sums.
    """
    a_, b_, c_, z_ = (
        np.ascontiguousarray(v, dtype=np.float64).ravel()
        for v in np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, c, z)))
    )
    f = np.ones_like(z_)
    f_a = np.zeros_like(z_)
    f_c = np.zeros_like(z_)
    with np.errstate(divide="ignore", invalid="ignore"):
        f_z = np.where(z_ > 0, 0.0, a_ * b_ / c_)
        guess = np.ceil(np.log(tol) / np.log(z_))
    terms_for = np.full(z_.size, 16, dtype=np.int64)
    positive = z_ > 0
    terms_for[positive] = 2 ** np.ceil(np.log2(np.clip(guess[positive], 16, max_terms)))
    pending = np.flatnonzero(positive)
    while pending.size:
        unconverged = []
        for count in np.unique(terms_for[pending]):
            rows = pending[terms_for[pending] == count]
            for chunk in np.array_split(rows, max(1, rows.size * int(count) // _BLOCK)):
                done = _sum_block(a_, b_, c_, z_, chunk, int(count), tol, (f, f_a, f_c, f_z))
                if count < max_terms:
                    terms_for[chunk[~done]] = min(4 * int(count), max_terms)
                    unconverged.append(chunk[~done])
        pending = np.concatenate(unconverged) if unconverged else pending[:0]
    return f, f_a, f_c, f_z


def _sum_block(
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    z: FloatArray,
    rows: IndexArray,
    count: int,
    tol: float,
    out: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
) -> NDArray[np.bool_]:
    """Sum ``count`` terms for ``rows`` into ``out``; return which rows have converged."""
    j = np.arange(count, dtype=np.float64)
    ar, br, cr, zr = a[rows, None], b[rows, None], c[rows, None], z[rows, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        terms = np.cumprod((ar + j) * (br + j) / ((cr + j) * (j + 1)) * zr, axis=1)
        total = 1.0 + terms.sum(axis=1)
        magnitude = 1.0 + np.abs(terms).sum(axis=1)
        d_a = (terms * np.cumsum(1.0 / (ar + j), axis=1)).sum(axis=1)
        d_c = -(terms * np.cumsum(1.0 / (cr + j), axis=1)).sum(axis=1)
        d_z = (terms * (j + 1)).sum(axis=1) / zr[:, 0]
        last = np.abs(terms[:, -1])
        k = float(count)
        ratio = np.abs((ar[:, 0] + k) * (br[:, 0] + k) / ((cr[:, 0] + k) * (k + 1))) * zr[:, 0]
        rho = np.maximum(ratio, zr[:, 0])
        bound = last * (k + 1 + 1 / np.abs(ar[:, 0])) * rho / (1 - rho) ** 2
    done = (rho < 1) & (bound <= tol * magnitude) | (last == 0)
    f, f_a, f_c, f_z = out
    f[rows], f_a[rows], f_c[rows], f_z[rows] = total, d_a, d_c, d_z
    return done


ObjectiveFn = Callable[[FloatArray], tuple[float, FloatArray]]


@dataclass(frozen=True)
class Optimum:
    """Where the optimiser stopped in log-parameter space, with the Hessian there."""

    log_params: FloatArray
    value: float
    gradient: FloatArray
    hessian: FloatArray
    converged: bool
    iterations: int
    message: str


def gradient_hessian(objective: ObjectiveFn, theta: FloatArray, step: float = 1e-5) -> FloatArray:
    """Central differences of the analytic gradient: a symmetric Hessian in 2k gradient calls."""
    k = theta.size
    hess = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = step
        hess[:, i] = (objective(theta + e)[1] - objective(theta - e)[1]) / (2 * step)
    return (hess + hess.T) / 2


def minimise(objective: ObjectiveFn, x0: FloatArray, gtol: float = 1e-7) -> Optimum:
    """BFGS in log-parameter space, then Newton polishing with a finite-difference Hessian.

    ``objective`` returns the mean negative log-likelihood and its gradient. Log-parameters are
    clipped to +-LOG_BOUND so no trial step can overflow. BFGS gets close cheaply (and, unlike
    L-BFGS-B, makes no BLAS calls that stall on a busy machine); a few Newton steps reusing one
    Hessian then take the parameters to the optimum to many more digits than BFGS's stopping
    rule would. The same Hessian gives the standard errors.
    """

    def clipped(phi: FloatArray) -> tuple[float, FloatArray]:
        return objective(np.clip(phi, -LOG_BOUND, LOG_BOUND))

    res = optimize.minimize(
        clipped, x0, jac=True, method="BFGS", options={"maxiter": 2000, "gtol": 1e-9}
    )
    theta = np.clip(np.asarray(res.x, dtype=float), -LOG_BOUND, LOG_BOUND)
    value, grad = objective(theta)
    iterations = int(res.nit)
    hess = gradient_hessian(objective, theta)
    for _ in range(4):
        if np.max(np.abs(grad)) < 1e-12:
            break
        try:
            step = -np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step)) or grad @ step >= 0:
            break
        trial = np.clip(theta + step, -LOG_BOUND, LOG_BOUND)
        trial_value, trial_grad = objective(trial)
        if not (np.isfinite(trial_value) and trial_value <= value + 1e-15 * abs(value)):
            break
        theta, value, grad = trial, trial_value, trial_grad
        iterations += 1
    at_bound = bool(np.any(np.abs(theta) >= LOG_BOUND - 1e-6))
    curved = _positive_definite(hess)
    stationary = bool(np.all(np.isfinite(grad)) and np.max(np.abs(grad)) < gtol)
    converged = stationary and curved and not at_bound
    if at_bound:
        message = "a parameter ran to the edge of the search space; the data do not identify it"
    elif stationary and not curved:
        message = (
            "the likelihood is flat in some direction; the data do not identify every parameter"
        )
    elif converged:
        message = "converged"
    else:
        message = f"not converged: {res.message}"
    return Optimum(theta, float(value), grad, hess, converged, iterations, message)


def _positive_definite(matrix: FloatArray) -> bool:
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return False
    return bool(np.all(np.isfinite(matrix)))


def natural_standard_errors(
    names: tuple[str, ...], params: FloatArray, optimum: Optimum, total_weight: float
) -> Mapping[str, float]:
    """Standard errors in natural parameters from the log-space Hessian of the mean NLL.

    With theta = exp(phi): H_theta = D^-1 (H_phi - diag(g_phi)) D^-1, D = diag(theta), where the
    Hessian of the *total* NLL is the mean's times the number of customers. The log-space
    Hessian is unchanged by the internal time rescaling (which only shifts phi).
    """
    h_phi = optimum.hessian * total_weight
    g_phi = optimum.gradient * total_weight
    d_inv = np.diag(1.0 / params)
    h_theta = d_inv @ (h_phi - np.diag(g_phi)) @ d_inv
    try:
        cov = np.linalg.inv(h_theta)
        var = np.diag(cov)
    except np.linalg.LinAlgError:
        var = np.full(params.size, np.inf)
    se = np.where(np.isfinite(var) & (var > 0), np.sqrt(np.abs(var)), np.inf)
    return MappingProxyType({n: float(v) for n, v in zip(names, se, strict=True)})


def time_scale(age: FloatArray) -> float:
    """Divisor that puts the longest age at 10, so time-scale parameters start near 1."""
    longest = float(np.max(age)) if age.size else 0.0
    return longest / 10.0 if longest > 0 else 1.0
