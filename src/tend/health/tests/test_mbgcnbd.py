"""MBG/CNBD-k, the regular-buyer model: it recovers the parameters of books simulated by it,
and its probabilities agree with closed forms where those exist."""

import numpy as np
import pytest
from scipy import special

from tend.health.scoring import mbgcnbd, simulate


def simulated(params, n=6000, seed=11):
    rng = np.random.default_rng(seed)
    age = rng.uniform(200.0, 700.0, n)
    x, t_x, litt = simulate.simulate_mbgcnbd(rng, params, age)
    return x, t_x, age, litt


def test_the_regular_buyer_model_recovers_known_parameters_from_its_own_simulation():
    true = mbgcnbd.MBGCNBDParams(k=3, r=1.5, alpha=60.0, a=0.8, b=3.0)
    x, t_x, age, litt = simulated(true)

    fit = mbgcnbd.fit(x, t_x, age, litt)

    assert fit.params.k == 3
    assert fit.by_k[3] > fit.by_k[2] and fit.by_k[3] > fit.by_k[4]
    assert fit.params.r == pytest.approx(1.5, rel=0.15)
    assert fit.params.alpha == pytest.approx(60.0, rel=0.15)
    assert fit.params.a == pytest.approx(0.8, rel=0.2)
    assert fit.params.b == pytest.approx(3.0, rel=0.25)


def test_random_buyers_are_recognised_as_k_1():
    true = mbgcnbd.MBGCNBDParams(k=1, r=0.8, alpha=40.0, a=0.6, b=2.5)
    x, t_x, age, litt = simulated(true, seed=5)
    assert mbgcnbd.fit(x, t_x, age, litt).params.k == 1


def test_with_k_1_no_order_is_gone_or_a_silent_poisson_year():
    params = mbgcnbd.MBGCNBDParams(k=1, r=0.9, alpha=30.0, a=0.7, b=2.0)
    x = np.array([0.0, 1.0, 4.0, 12.0])
    t_x = np.array([0.0, 100.0, 150.0, 380.0])
    age = np.array([50.0, 300.0, 400.0, 400.0])
    alive = mbgcnbd.probability_alive(params, x, t_x, age)
    silent = ((30.0 + age) / (30.0 + age + 365.0)) ** (0.9 + x)
    expected = 1 - alive + alive * silent
    got = mbgcnbd.probability_no_order(params, 365.0, x, t_x, age)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_p_alive_is_the_alive_branch_share_of_the_likelihood():
    params = mbgcnbd.MBGCNBDParams(k=2, r=1.2, alpha=50.0, a=0.9, b=2.2)
    x, t_x, age = np.array([3.0]), np.array([120.0]), np.array([365.0])
    # By hand: S1 = a/(b+x) ((alpha+T)/(alpha+t_x))^(r+kx); S2 = 1 + (r+kx) u/(alpha+T).
    s = 1.2 + 2 * 3
    s1 = 0.9 / (2.2 + 3) * ((50 + 365) / (50 + 120)) ** s
    s2 = 1 + s * (365 - 120) / (50 + 365)
    assert mbgcnbd.probability_alive(params, x, t_x, age)[0] == pytest.approx(s2 / (s1 + s2))
    ll = mbgcnbd.log_likelihood(params, x, t_x, age, np.array([np.log(40 * 40 * 40.0)]))[0]
    by_hand = (
        np.log(40**3)
        + special.betaln(0.9, 2.2 + 4)
        - special.betaln(0.9, 2.2)
        + special.gammaln(s)
        - special.gammaln(1.2)
        + 1.2 * np.log(50)
        - s * np.log(415)
        + np.log(s1 + s2)
    )
    assert ll == pytest.approx(by_hand, rel=1e-12)


def test_expected_orders_grow_with_the_horizon_and_vanish_for_the_gone():
    params = mbgcnbd.MBGCNBDParams(k=3, r=2.0, alpha=80.0, a=1.5, b=4.0)
    x, t_x, age = np.array([5.0, 5.0]), np.array([390.0, 60.0]), np.array([400.0, 400.0])
    year = mbgcnbd.expected_orders(params, 365.0, x, t_x, age)
    two = mbgcnbd.expected_orders(params, 730.0, x, t_x, age)
    assert np.all(two > year) and year[0] > 10 * year[1]


@pytest.mark.parametrize("k", [1, 3])
def test_the_analytic_gradient_matches_finite_differences(k):
    true = mbgcnbd.MBGCNBDParams(k=k, r=1.5, alpha=60.0, a=0.8, b=3.0)
    x, t_x, age, _ = simulated(true, n=800, seed=2)
    theta = np.array([1.1, 45.0, 0.9, 2.4])

    def total(v):
        log_s1, log_s2, _, base = mbgcnbd._branches(k, *v, x, t_x, age)
        return float((base + np.logaddexp(log_s1, log_s2)).sum())

    parts = mbgcnbd._branches(k, *theta, x, t_x, age)
    analytic = mbgcnbd._gradient(k, *theta, x, t_x, age, parts).sum(axis=1)
    step = 1e-6 * theta
    numeric = [
        (total(theta + np.eye(4)[i] * step[i]) - total(theta - np.eye(4)[i] * step[i]))
        / (2 * step[i])
        for i in range(4)
    ]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5)


def test_a_given_k_is_fitted_as_is_and_gives_the_searchs_parameters():
    true = mbgcnbd.MBGCNBDParams(k=3, r=1.5, alpha=60.0, a=0.8, b=3.0)
    x, t_x, age, litt = simulated(true)
    searched = mbgcnbd.fit(x, t_x, age, litt)

    given = mbgcnbd.fit(x, t_x, age, litt, k=3)
    assert given.params.k == 3 and list(given.by_k) == [3]
    for name in ("r", "alpha", "a", "b"):
        assert getattr(given.params, name) == pytest.approx(getattr(searched.params, name), 1e-3)
    # Another k is fitted too, worse: the learning windows keep today's k whatever fits there.
    assert mbgcnbd.fit(x, t_x, age, litt, k=1).log_likelihood < given.log_likelihood
    with pytest.raises(ValueError, match="whole number"):
        mbgcnbd.fit(x, t_x, age, litt, k=0)
