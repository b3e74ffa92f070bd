"""Fits on books simulated from known parameters recover them within three standard errors."""

from __future__ import annotations

import numpy as np

from tend.health.scoring import (
    BGNBDParams,
    GammaGammaParams,
    ParetoNBDParams,
    bgnbd,
    fit_bgnbd,
    fit_gamma_gamma,
    fit_pareto_nbd,
    paretonbd,
    simulate,
)


def _assert_recovered(fit, truth) -> None:
    for name, se in fit.standard_errors.items():
        estimate, true = getattr(fit.params, name), getattr(truth, name)
        assert np.isfinite(se) and se > 0, name
        assert abs(estimate - true) <= 3 * se, f"{name}: {estimate} vs {true} (se {se})"


def test_bgnbd_fit_recovers_simulated_parameters_within_three_standard_errors():
    rng = np.random.default_rng(20050301)
    truth = BGNBDParams(r=0.25, alpha=4.0, a=0.8, b=2.5)
    age = simulate.simulate_ages(rng, 6000, 80.0)
    x, t_x = simulate.simulate_bgnbd(rng, truth, age)
    fit = fit_bgnbd(x, t_x, age)
    assert fit.converged
    _assert_recovered(fit, truth)


def test_pareto_nbd_fit_recovers_simulated_parameters_within_three_standard_errors():
    rng = np.random.default_rng(19870101)
    truth = ParetoNBDParams(r=0.55, alpha=10.5, s=0.6, beta=11.7)
    age = simulate.simulate_ages(rng, 6000, 80.0)
    x, t_x = simulate.simulate_paretonbd(rng, truth, age)
    fit = fit_pareto_nbd(x, t_x, age)
    assert fit.converged
    _assert_recovered(fit, truth)


def test_gamma_gamma_fit_recovers_simulated_spend_parameters_within_three_standard_errors():
    rng = np.random.default_rng(2005)
    truth = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    x = rng.integers(0, 12, size=20_000).astype(float)
    spend = simulate.simulate_spend(rng, truth, x)
    fit = fit_gamma_gamma(x, spend)
    assert fit.converged
    assert fit.n == int((x > 0).sum())
    _assert_recovered(fit, truth)


def test_simulated_orders_average_out_to_the_models_expected_orders():
    rng = np.random.default_rng(7)
    bg = BGNBDParams(r=0.25, alpha=4.0, a=0.8, b=2.5)
    pn = ParetoNBDParams(r=0.55, alpha=10.5, s=0.6, beta=11.7)
    age = np.full(200_000, 52.0)
    x_bg, _ = simulate.simulate_bgnbd(rng, bg, age)
    x_pn, _ = simulate.simulate_paretonbd(rng, pn, age)
    assert x_bg.mean() == np.float64(x_bg.mean())
    np.testing.assert_allclose(
        x_bg.mean(), bgnbd.expected_orders_new_customer(bg, 52.0)[0], rtol=0.02
    )
    np.testing.assert_allclose(
        x_pn.mean(), paretonbd.expected_orders_new_customer(pn, 52.0)[0], rtol=0.02
    )


def test_rounding_histories_to_whole_weeks_keeps_them_consistent_and_collapsible():
    rng = np.random.default_rng(3)
    age = simulate.simulate_ages(rng, 50_000, 104.0, step=1.0)
    x, t_x = simulate.simulate_paretonbd(rng, ParetoNBDParams(0.55, 10.5, 0.6, 11.7), age, 1.0)
    assert np.all(t_x <= age)
    assert np.all(t_x[x == 0] == 0)
    assert np.all(t_x == np.round(t_x))
    fit = fit_pareto_nbd(x, t_x, age)
    assert fit.n == 50_000
    assert fit.n_unique < 15_000
