"""Properties that must hold for any parameters and any history, checked with hypothesis."""

from __future__ import annotations

import os

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tend.health.scoring import (
    BGNBDParams,
    GammaGammaParams,
    ParetoNBDParams,
    bgnbd,
    expected_order_value,
    gammagamma,
    paretonbd,
)

FEW = settings(max_examples=int(os.environ.get("TEND_SCORING_EXAMPLES", "60")), deadline=None)
"""Modest by default to keep the suite fast; raise TEND_SCORING_EXAMPLES for a deeper search."""

shape = st.floats(min_value=0.02, max_value=30.0)
scale = st.floats(min_value=0.05, max_value=2000.0)
frequency = st.integers(min_value=0, max_value=600)
age = st.floats(min_value=0.0, max_value=7300.0)
share = st.floats(min_value=0.0, max_value=1.0)
horizon = st.floats(min_value=0.0, max_value=2000.0)

bgnbd_params = st.builds(BGNBDParams, shape, scale, shape, shape)
paretonbd_params = st.builds(ParetoNBDParams, shape, scale, shape, scale)


def _history(x: int, t: float, fraction: float) -> tuple[float, float, float]:
    return float(x), (t * fraction if x > 0 else 0.0), t


@FEW
@given(bgnbd_params, frequency, age, share)
def test_bgnbd_probability_alive_is_a_probability(params, x, t, fraction):
    alive = bgnbd.probability_alive(params, *_history(x, t, fraction))
    assert np.all((alive >= 0) & (alive <= 1))


@FEW
@given(paretonbd_params, frequency, age, share)
def test_pareto_nbd_probability_alive_is_a_probability(params, x, t, fraction):
    alive = paretonbd.probability_alive(params, *_history(x, t, fraction))
    assert np.all((alive >= 0) & (alive <= 1))


@FEW
@given(bgnbd_params, horizon, frequency, age, share)
def test_bgnbd_expected_orders_are_finite_and_non_negative(params, h, x, t, fraction):
    orders = bgnbd.expected_orders(params, h, *_history(x, t, fraction))
    assert np.all(np.isfinite(orders))
    assert np.all(orders >= -1e-9 * (1 + x))


@FEW
@given(paretonbd_params, horizon, frequency, age, share)
def test_pareto_nbd_expected_orders_are_finite_and_non_negative(params, h, x, t, fraction):
    orders = paretonbd.expected_orders(params, h, *_history(x, t, fraction))
    assert np.all(np.isfinite(orders))
    assert np.all(orders >= 0)


@FEW
@given(bgnbd_params, st.floats(1.0, 500.0), st.integers(1, 300), st.floats(1.0, 3000.0))
def test_bgnbd_more_orders_by_the_same_recent_last_order_never_lowers_expected_orders(
    params, h, x, t
):
    fewer, more = bgnbd.expected_orders(params, h, [x, x + 1], [t, t], [t, t])
    assert more >= fewer * (1 - 1e-9)


@FEW
@given(paretonbd_params, st.floats(1.0, 500.0), st.integers(0, 300), st.floats(1.0, 3000.0))
def test_pareto_nbd_more_orders_by_the_same_recent_last_order_never_lowers_expected_orders(
    params, h, x, t
):
    fewer, more = paretonbd.expected_orders(params, h, [x, x + 1], [t if x > 0 else 0.0, t], [t, t])
    assert more >= fewer * (1 - 1e-9)


@FEW
@given(bgnbd_params, st.floats(1.0, 500.0), st.integers(1, 300), age, share, share)
def test_bgnbd_a_more_recent_last_order_never_lowers_expected_orders(params, h, x, t, f1, f2):
    early, late = sorted((f1 * t, f2 * t))
    before, after = bgnbd.expected_orders(params, h, [x, x], [early, late], [t, t])
    assert after >= before * (1 - 1e-9)


@FEW
@given(paretonbd_params, st.floats(1.0, 500.0), st.integers(1, 300), age, share, share)
def test_pareto_nbd_a_more_recent_last_order_never_lowers_expected_orders(params, h, x, t, f1, f2):
    early, late = sorted((f1 * t, f2 * t))
    before, after = paretonbd.expected_orders(params, h, [x, x], [early, late], [t, t])
    assert after >= before * (1 - 1e-9)


def test_more_orders_long_ago_can_lower_expected_orders_which_is_the_model_not_a_bug():
    """The iso-value effect (FHL 2005, fig. 4): many orders then silence means likely churned.

    So "more orders never lowers expected orders" only holds at equal recency *and* age when
    the last order is recent, which the two properties above check.
    """
    params = BGNBDParams(0.243, 4.414, 0.793, 2.426)
    few, many = bgnbd.expected_orders(params, 52.0, [2, 12], [5.0, 5.0], [78.0, 78.0])
    assert many < few


@FEW
@given(
    st.builds(GammaGammaParams, st.floats(0.1, 50.0), st.floats(1.05, 50.0), scale),
    st.integers(1, 600),
    st.floats(0.01, 1e5),
)
def test_expected_order_value_lies_between_the_customer_and_population_means(params, x, m):
    value = expected_order_value(params, x, m)[0]
    population = params.p * params.gamma / (params.q - 1)
    low, high = sorted((m, population))
    assert low * (1 - 1e-12) <= value <= high * (1 + 1e-12)


def _finite_difference(loglik, params_cls, theta, *data, step=1e-6):
    grad = np.empty(theta.size)
    for i in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[i] *= 1 + step
        down[i] *= 1 - step
        grad[i] = (loglik(params_cls(*up), *data) - loglik(params_cls(*down), *data)) / (
            2 * step * theta[i]
        )
    return grad


HISTORIES = (
    np.array([0, 1, 2, 5, 40, 500, 3]),
    np.array([0, 0.0, 30.0, 12.5, 300.0, 7000.0, 70.0]),
    np.array([39.0, 20.0, 38.0, 60.0, 400.0, 7300.0, 70.0]),
)


def test_bgnbd_analytic_gradient_matches_finite_differences():
    for theta in ([0.243, 4.414, 0.793, 2.426], [3.0, 0.3, 5.0, 0.4]):
        theta = np.array(theta)
        analytic = bgnbd.log_likelihood_gradient(BGNBDParams(*theta), *HISTORIES)
        numeric = _finite_difference(bgnbd.log_likelihood, BGNBDParams, theta, *HISTORIES)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6)


def test_pareto_nbd_analytic_gradient_matches_finite_differences_on_both_sides_of_alpha_beta():
    for theta in ([0.553, 10.578, 0.606, 11.669], [2.0, 30.0, 0.3, 2.0], [1, 5.0, 1, 5.0]):
        theta = np.array(theta, dtype=float)
        analytic = paretonbd.log_likelihood_gradient(ParetoNBDParams(*theta), *HISTORIES)
        numeric = _finite_difference(paretonbd.log_likelihood, ParetoNBDParams, theta, *HISTORIES)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6)


def test_gamma_gamma_analytic_gradient_matches_finite_differences():
    x = np.array([1, 2, 5, 40, 500, 3])
    m = np.array([10.0, 35.5, 12.0, 80.0, 23.0, 1000.0])
    theta = np.array([6.25, 3.74, 15.44])
    analytic = gammagamma.log_likelihood_gradient(GammaGammaParams(*theta), x, m)
    numeric = _finite_difference(gammagamma.log_likelihood, GammaGammaParams, theta, x, m)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-6)
