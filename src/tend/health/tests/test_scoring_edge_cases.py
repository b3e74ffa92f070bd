"""Numerical edge cases: very heavy and very old customers, no repeat orders, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from tend.health.scoring import (
    DAYS_PER_MONTH,
    BGNBDParams,
    GammaGammaParams,
    ParetoNBDParams,
    bgnbd,
    customer_value,
    discounted_expected_orders,
    expected_order_value,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    gammagamma,
    paretonbd,
    simulate,
)

# Parameters in days, roughly CDNOW's weekly fits rescaled.
BG_DAYS = BGNBDParams(r=0.243, alpha=30.9, a=0.793, b=2.426)
PN_DAYS = ParetoNBDParams(r=0.553, alpha=74.0, s=0.606, beta=81.7)
TWENTY_YEARS = 7300.0


def test_a_customer_with_500_orders_over_20_years_gets_finite_sensible_scores():
    x, t_x, age = 500.0, TWENTY_YEARS - 10, TWENTY_YEARS
    yearly_rate = x / age * 365.0
    for model, params in ((bgnbd, BG_DAYS), (paretonbd, PN_DAYS)):
        alive = model.probability_alive(params, x, t_x, age)[0]
        orders = model.expected_orders(params, 365.0, x, t_x, age)[0]
        assert 0.9 < alive <= 1.0
        assert 0.8 * yearly_rate < orders < 1.05 * yearly_rate
        assert np.isfinite(model.log_likelihood(params, x, t_x, age))
        assert np.all(np.isfinite(model.log_likelihood_gradient(params, x, t_x, age)))


def test_a_heavy_customer_who_went_quiet_years_ago_is_scored_as_gone_not_nan():
    x, t_x, age = 500.0, 2000.0, TWENTY_YEARS
    for model, params in ((bgnbd, BG_DAYS), (paretonbd, PN_DAYS)):
        alive = model.probability_alive(params, x, t_x, age)[0]
        orders = model.expected_orders(params, 365.0, x, t_x, age)[0]
        assert 0.0 <= alive < 1e-12
        assert 0.0 <= orders < 1e-9


def test_a_book_with_a_500_order_customer_still_fits_and_converges():
    rng = np.random.default_rng(11)
    age = simulate.simulate_ages(rng, 3000, 1095.0, step=1.0)
    x, t_x = simulate.simulate_bgnbd(rng, BG_DAYS, age, step=1.0)
    x, t_x, age = np.append(x, 500), np.append(t_x, 7290), np.append(age, 7300)
    for fit in (fit_bgnbd, fit_pareto_nbd):
        result = fit(x, t_x, age)
        assert result.converged
        assert np.isfinite(result.log_likelihood)


def test_a_customer_with_no_repeat_orders_is_scored():
    for horizon in (0.0, 30.0, 3650.0):
        assert bgnbd.probability_alive(BG_DAYS, 0, 0, TWENTY_YEARS)[0] == 1.0
        assert 0 < paretonbd.probability_alive(PN_DAYS, 0, 0, TWENTY_YEARS)[0] < 1
        for model, params in ((bgnbd, BG_DAYS), (paretonbd, PN_DAYS)):
            orders = model.expected_orders(params, horizon, 0, 0, TWENTY_YEARS)[0]
            assert np.isfinite(orders) and orders >= 0


def test_a_customer_scored_on_the_day_of_the_first_order_gets_the_population_forecast():
    for model, params in ((bgnbd, BG_DAYS), (paretonbd, PN_DAYS)):
        new = model.expected_orders_new_customer(params, 365.0)[0]
        assert model.expected_orders(params, 365.0, 0, 0, 0)[0] == new
        assert 0 < new < 10


def test_fitting_a_book_where_nobody_ordered_twice_raises_a_clear_error():
    x = np.zeros(100)
    t_x = np.zeros(100)
    age = np.linspace(1, 300, 100)
    for fit in (fit_bgnbd, fit_pareto_nbd):
        with pytest.raises(ValueError, match="no customer has a repeat order"):
            fit(x, t_x, age)
    with pytest.raises(ValueError, match="no customer has a repeat order"):
        fit_gamma_gamma(x, np.zeros(100))


def test_fitting_a_single_repeat_buyer_gives_numbers_not_nan():
    x = np.array([0, 0, 0, 1.0])
    t_x = np.array([0, 0, 0, 5.0])
    age = np.array([10.0, 20.0, 30.0, 40.0])
    for fit in (fit_bgnbd, fit_pareto_nbd):
        result = fit(x, t_x, age)
        params = np.array([getattr(result.params, f) for f in result.standard_errors])
        assert np.all(np.isfinite(params))
        assert np.isfinite(result.log_likelihood)
        assert all(not np.isnan(se) for se in result.standard_errors.values())


@pytest.mark.parametrize(
    ("x", "t_x", "age", "message"),
    [
        (1, 11.0, 10.0, "cannot exceed age"),
        (0, 3.0, 10.0, "recency must be 0"),
        (-1, 0.0, 10.0, "non-negative whole number"),
        (1.5, 1.0, 10.0, "non-negative whole number"),
        (1, float("nan"), 10.0, "finite"),
        (1, 1.0, float("inf"), "finite"),
    ],
)
def test_impossible_histories_are_rejected_with_a_reason(x, t_x, age, message):
    for model, params in ((bgnbd, BG_DAYS), (paretonbd, PN_DAYS)):
        with pytest.raises(ValueError, match=message):
            model.probability_alive(params, x, t_x, age)


def test_parameters_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        BGNBDParams(r=0.0, alpha=1.0, a=1.0, b=1.0)
    with pytest.raises(ValueError, match="positive"):
        ParetoNBDParams(r=1.0, alpha=float("nan"), s=1.0, beta=1.0)
    with pytest.raises(ValueError, match="positive"):
        GammaGammaParams(p=1.0, q=-1.0, gamma=1.0)


def test_expected_order_value_refuses_an_infinite_population_mean():
    params = GammaGammaParams(p=2.0, q=0.9, gamma=10.0)
    assert expected_order_value(params, 3, 20.0)[0] == pytest.approx(2 * (10 + 60) / 5.9)
    with pytest.raises(ValueError, match="infinite"):
        expected_order_value(params, 0, 0.0)


def test_gamma_gamma_ignores_customers_without_repeat_orders():
    x = np.array([0, 2, 3, 0, 5.0])
    m = np.array([0, 10.0, 12.0, 0, 8.0])
    params = GammaGammaParams(6.25, 3.74, 15.44)
    assert gammagamma.log_likelihood(params, x, m) == pytest.approx(
        gammagamma.log_likelihood(params, x[x > 0], m[x > 0])
    )


def test_pareto_nbd_is_finite_when_one_rate_scale_dwarfs_the_other():
    for alpha, beta in ((5000.0, 0.05), (0.05, 5000.0)):
        params = ParetoNBDParams(r=2.0, alpha=alpha, s=0.7, beta=beta)
        x = np.array([0, 1, 40, 300.0])
        t_x = np.array([0, 0.5, 1.0, 2.0])
        age = np.full(4, 3.0)
        alive = paretonbd.probability_alive(params, x, t_x, age)
        assert np.all((alive >= 0) & (alive <= 1))
        assert np.all(np.isfinite(paretonbd.log_likelihood_gradient(params, x, t_x, age)))


def test_discounted_value_grows_with_the_horizon_and_discounting_lowers_it():
    x = np.array([0, 1, 4, 12.0])
    t_x = np.array([0, 100, 300, 360.0])
    age = np.full(4, 365.0)
    spend = GammaGammaParams(6.25, 3.74, 15.44)
    m = np.array([0, 20.0, 35.0, 18.0])
    values = customer_value(BG_DAYS, spend, x, t_x, age, m, time_units_per_month=DAYS_PER_MONTH)
    assert np.all(values[36] >= values[12]) and np.all(values[12] > 0)
    undiscounted = discounted_expected_orders(
        PN_DAYS, x, t_x, age, months=(12,), monthly_discount_rate=0.0
    )
    np.testing.assert_allclose(
        undiscounted[12], paretonbd.expected_orders(PN_DAYS, 12 * DAYS_PER_MONTH, x, t_x, age)
    )
    discounted = discounted_expected_orders(PN_DAYS, x, t_x, age, months=(12,))
    assert np.all(discounted[12] < undiscounted[12])


def test_expected_orders_when_dropout_is_nearly_certain_per_order_rate():
    """A fit can run a and b off to millions (nobody seems to drop out). Expected orders then use
    the dropout probability at its posterior mean: finite, fast, and within 0.4% of the exact
    formula where that formula still works."""
    from tend.health.scoring import bgnbd

    rng = np.random.default_rng(0)
    x = rng.integers(0, 300, 500).astype(float)
    age = rng.uniform(10, 3000, 500)
    t_x = np.where(x > 0, age * rng.uniform(0, 1, 500), 0)
    near = bgnbd.BGNBDParams(2.85, 136.8, 299.0, 299.0 * 127)
    exact = bgnbd.expected_orders(near, 365, x, t_x, age)
    concentrated = bgnbd._orders_if_alive_concentrated(
        (2.85, 136.8, 299.0, 299.0 * 127), np.full(500, 365.0), x, age
    ) * bgnbd.probability_alive(near, x, t_x, age)
    assert np.all(np.isfinite(exact)) and np.all(np.isfinite(concentrated))
    assert np.max(np.abs(concentrated / exact - 1)) < 0.004
    huge = bgnbd.BGNBDParams(2.85, 136.8, 5e4, 6.5e6)
    values = bgnbd.expected_orders(huge, 365, x, t_x, age)
    assert np.all(np.isfinite(values)) and np.all(values >= 0)
