"""Gamma-Gamma spend model (Fader, Hardie and Lee 2005; Fader and Hardie note 025).

Each order's value is Gamma(p, nu) with a customer-specific scale nu ~ Gamma(q, gamma), and
spend is independent of the order process. Data per customer are the number of repeat orders
x and their mean value m; customers without repeat orders carry no information and are left out
of the fit.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from tend.health.scoring._math import (
    FitResult,
    FloatArray,
    as_float_array,
    check_weights,
    dot,
    minimise,
    natural_standard_errors,
)

NAMES = ("p", "q", "gamma")


@dataclass(frozen=True)
class GammaGammaParams:
    """Gamma-Gamma parameters: order value ~ Gamma(p, nu), nu ~ Gamma(q, gamma)."""

    p: float
    q: float
    gamma: float

    def __post_init__(self) -> None:
        for name, value in zip(NAMES, astuple(self), strict=True):
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"Gamma-Gamma parameter {name} must be positive and finite")


def _check_spend(frequency: ArrayLike, monetary: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Validate (x, m); order values must be positive wherever there are orders."""
    x = as_float_array(frequency, "frequency")
    m = as_float_array(monetary, "monetary_value")
    x, m = (np.ascontiguousarray(a) for a in np.broadcast_arrays(x, m))
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency must be a non-negative whole number of repeat orders")
    if np.any(m[x > 0] <= 0):
        raise ValueError("mean order value must be positive for customers with repeat orders")
    return x, m


@dataclass(frozen=True)
class _Rows:
    """Repeat buyers' weighted (x, m) with the sums that do not depend on the parameters.

    The gamma functions depend on x only (few distinct values) and sum(w log m) terms are
    constant, so one fit iteration costs a single log and division per customer.
    """

    xm: FloatArray
    px_weights: FloatArray
    weights: FloatArray
    x_values: FloatArray
    x_weights: FloatArray
    sum_log_m: float
    sum_x_log_m: float
    mean_value: float

    @classmethod
    def build(cls, x: FloatArray, m: FloatArray, weights: FloatArray) -> _Rows:
        x_values, x_index = np.unique(x, return_inverse=True)
        x_weights = np.bincount(x_index, weights=weights, minlength=x_values.size)
        log_m = np.log(m)
        return cls(
            xm=x * m,
            px_weights=weights * x,
            weights=weights,
            x_values=x_values,
            x_weights=x_weights,
            sum_log_m=dot(weights, log_m),
            sum_x_log_m=dot(weights * x, log_m),
            mean_value=dot(weights, m) / max(float(weights.sum()), 1e-300),
        )


def _log_likelihood(
    params: GammaGammaParams, rows: _Rows, with_gradient: bool
) -> tuple[float, FloatArray | None]:
    """Weighted log density of the mean order values (note 025 eq. 1a) and its gradient.

    log f(m | x) = log Gamma(px+q) - log Gamma(px) - log Gamma(q) + q log gamma
                   + (px-1) log m + px log x - (px+q) log(x m + gamma)
    """
    p, q, g = astuple(params)
    xv, wx, w = rows.x_values, rows.x_weights, rows.weights
    pxv = p * xv
    total = float(wx.sum())
    log_xm_g = np.log(rows.xm + g)
    per_x = special.gammaln(pxv + q) - special.gammaln(pxv) + pxv * np.log(xv)
    ll = float(
        dot(wx, per_x)
        + total * (q * np.log(g) - special.gammaln(q))
        + p * rows.sum_x_log_m
        - rows.sum_log_m
        - p * dot(rows.px_weights, log_xm_g)
        - q * dot(w, log_xm_g)
    )
    if not with_gradient:
        return ll, None
    dig = special.digamma(pxv + q)
    grad = np.array(
        [
            dot(wx * xv, dig - special.digamma(pxv) + np.log(xv))
            + rows.sum_x_log_m
            - dot(rows.px_weights, log_xm_g),
            dot(wx, dig) - total * (special.digamma(q) - np.log(g)) - dot(w, log_xm_g),
            total * q / g - dot(p * rows.px_weights + q * w, 1.0 / (rows.xm + g)),
        ]
    )
    return ll, grad


def _repeat_rows(frequency: ArrayLike, monetary: ArrayLike, weights: ArrayLike | None) -> _Rows:
    x, m = _check_spend(frequency, monetary)
    w = check_weights(weights, x.size)
    repeat = (x > 0) & (w > 0)
    return _Rows.build(x[repeat], m[repeat], w[repeat])


def log_likelihood(
    params: GammaGammaParams,
    frequency: ArrayLike,
    monetary_value: ArrayLike,
    weights: ArrayLike | None = None,
) -> float:
    """Total log-likelihood of the repeat buyers' mean order values (zero-order rows skipped)."""
    rows = _repeat_rows(frequency, monetary_value, weights)
    return _log_likelihood(params, rows, with_gradient=False)[0]


def log_likelihood_gradient(
    params: GammaGammaParams,
    frequency: ArrayLike,
    monetary_value: ArrayLike,
    weights: ArrayLike | None = None,
) -> FloatArray:
    """Analytic gradient of the total log-likelihood in natural parameters (p, q, gamma)."""
    rows = _repeat_rows(frequency, monetary_value, weights)
    grad = _log_likelihood(params, rows, with_gradient=True)[1]
    assert grad is not None
    return grad


def fit(
    frequency: ArrayLike,
    monetary_value: ArrayLike,
    weights: ArrayLike | None = None,
) -> FitResult[GammaGammaParams]:
    """Maximum-likelihood Gamma-Gamma fit on the customers with at least one repeat order.

    Works on log-parameters with the analytic gradient; raises ValueError when nobody has a
    repeat order. Order values are continuous, so rows are not collapsed: per-customer work is
    already just one log and one division per iteration.
    """
    rows = _repeat_rows(frequency, monetary_value, weights)
    if rows.weights.size == 0:
        raise ValueError(
            "cannot fit Gamma-Gamma: no customer has a repeat order, so there is no spend to model"
        )
    total = float(rows.weights.sum())

    def objective(phi: FloatArray) -> tuple[float, FloatArray]:
        theta = np.exp(phi)
        ll, grad = _log_likelihood(GammaGammaParams(*theta), rows, with_gradient=True)
        assert grad is not None
        return -ll / total, -grad * theta / total

    x0 = np.array([0.0, np.log(2.0), np.log(rows.mean_value)])
    opt = minimise(objective, x0)
    theta = np.exp(opt.log_params)
    params = GammaGammaParams(*(float(v) for v in theta))
    return FitResult(
        params=params,
        log_likelihood=_log_likelihood(params, rows, with_gradient=False)[0],
        standard_errors=natural_standard_errors(NAMES, theta, opt, total),
        n=int(round(total)),
        n_unique=int(rows.weights.size),
        converged=opt.converged,
        iterations=opt.iterations,
        message=opt.message,
    )


def expected_order_value(
    params: GammaGammaParams, frequency: ArrayLike, monetary_value: ArrayLike
) -> FloatArray:
    """E[order value | x, m] (note 025 eq. 5): shrinks a customer's mean towards the book's.

    Written as p (gamma + x m) / (p x + q - 1), the weighted average of the population mean
    p gamma / (q - 1) and m with weight p x / (p x + q - 1). Customers with no repeat orders get
    the population mean, which is infinite when q <= 1; that raises ValueError rather than
    returning a meaningless number.
    """
    x, m = _check_spend(frequency, monetary_value)
    p, q, g = astuple(params)
    denominator = p * x + q - 1.0
    if np.any(denominator <= 0):
        raise ValueError(
            "expected order value is infinite: q <= 1 makes the population mean order value "
            "unbounded for customers with few repeat orders"
        )
    return p * (g + x * np.where(x > 0, m, 0.0)) / denominator
