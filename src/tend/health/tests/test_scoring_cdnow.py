"""The models reproduce the published CDNOW fits (2,357 customers, 39-week calibration, weeks).

Sources: Fader, Hardie and Lee (2005) "Counting your customers the easy way" for BG/NBD,
Fader and Hardie's note 008/009 figures for Pareto/NBD, note 025 for Gamma-Gamma.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tend.health.scoring import bgnbd, fit_bgnbd, fit_gamma_gamma, fit_pareto_nbd

CDNOW = Path(__file__).parent / "fixtures" / "cdnow_customers_summary_with_transactions.csv"


@pytest.fixture(scope="module")
def cdnow() -> dict[str, np.ndarray]:
    data = np.genfromtxt(CDNOW, delimiter=",", names=True)
    return {name: np.asarray(data[name], dtype=float) for name in ("x", "t_x", "T", "zbar")}


def _assert_within(fitted: dict[str, float], published: dict[str, float], rel: float) -> None:
    for name, value in published.items():
        assert fitted[name] == pytest.approx(value, rel=rel), name


def test_the_cdnow_fixture_is_the_full_calibration_sample(cdnow):
    assert cdnow["x"].size == 2357
    assert int((cdnow["x"] > 0).sum()) == 946
    assert cdnow["x"].sum() == 2457


def test_bgnbd_reproduces_fader_hardie_lee_cdnow(cdnow):
    fit = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    params = fit.params
    _assert_within(
        {"r": params.r, "alpha": params.alpha, "a": params.a, "b": params.b},
        {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
        rel=0.005,
    )
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.05)
    assert fit.converged
    assert fit.n == 2357
    assert fit.n_unique < fit.n


def test_bgnbd_standard_errors_match_the_inverse_hessian_reported_by_lifetimes(cdnow):
    fit = fit_bgnbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    lifetimes_se = {"r": 0.012557, "alpha": 0.378221, "a": 0.185719, "b": 0.705345}
    _assert_within(dict(fit.standard_errors), lifetimes_se, rel=1e-3)


def test_pareto_nbd_reproduces_the_published_cdnow_fit(cdnow):
    fit = fit_pareto_nbd(cdnow["x"], cdnow["t_x"], cdnow["T"])
    params = fit.params
    _assert_within(
        {"r": params.r, "alpha": params.alpha, "s": params.s, "beta": params.beta},
        {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
        rel=0.005,
    )
    assert fit.log_likelihood == pytest.approx(-9595.0, abs=0.05)
    assert fit.converged
    assert all(np.isfinite(v) and v > 0 for v in fit.standard_errors.values())


def test_gamma_gamma_reproduces_the_published_cdnow_spend_fit(cdnow):
    fit = fit_gamma_gamma(cdnow["x"], cdnow["zbar"])
    params = fit.params
    _assert_within(
        {"p": params.p, "q": params.q, "gamma": params.gamma},
        {"p": 6.25, "q": 3.74, "gamma": 15.44},
        rel=0.005,
    )
    assert fit.log_likelihood == pytest.approx(-4055.9, abs=0.05)
    assert fit.n == 946
    assert fit.converged


def test_collapsed_rows_give_the_same_likelihood_as_one_row_per_customer(cdnow):
    x, t_x, age = cdnow["x"], cdnow["t_x"], cdnow["T"]
    params = fit_bgnbd(x, t_x, age).params
    rows = np.unique(np.stack([x, t_x, age], axis=1), axis=0, return_counts=True)
    (ux, utx, uage), counts = rows[0].T, rows[1]
    assert bgnbd.log_likelihood(params, ux, utx, uage, weights=counts) == pytest.approx(
        bgnbd.log_likelihood(params, x, t_x, age), rel=1e-12
    )


def test_a_fit_on_collapsed_weighted_rows_matches_the_fit_on_customers(cdnow):
    x, t_x, age = cdnow["x"], cdnow["t_x"], cdnow["T"]
    rows, counts = np.unique(np.stack([x, t_x, age], axis=1), axis=0, return_counts=True)
    weighted = fit_pareto_nbd(rows[:, 0], rows[:, 1], rows[:, 2], weights=counts)
    plain = fit_pareto_nbd(x, t_x, age)
    assert weighted.params.r == pytest.approx(plain.params.r, rel=1e-6)
    assert weighted.params.beta == pytest.approx(plain.params.beta, rel=1e-6)
    assert weighted.n == plain.n
