"""Per-customer predictions equal the ``lifetimes`` package's, at the same parameters.

The reference numbers were computed once with lifetimes 0.11.3 (fixtures/
make_lifetimes_reference.py) for CDNOW's customers and a grid of heavier, older ones, at
lifetimes' own CDNOW fits; lifetimes itself is not needed to run these tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tend.health.scoring import (
    BGNBDParams,
    GammaGammaParams,
    ParetoNBDParams,
    bgnbd,
    customer_value,
    expected_order_value,
    paretonbd,
)

REFERENCE = Path(__file__).parent / "fixtures" / "lifetimes_reference.npz"
RTOL = 1e-6


@pytest.fixture(scope="module")
def ref() -> dict[str, np.ndarray]:
    with np.load(REFERENCE) as data:
        return {key: data[key] for key in data.files}


def _history(ref):
    return ref["frequency"], ref["recency"], ref["age"]


def test_bgnbd_probability_alive_equals_lifetimes_for_every_customer(ref):
    params = BGNBDParams(*ref["bgnbd_params"])
    got = bgnbd.probability_alive(params, *_history(ref))
    np.testing.assert_allclose(got, ref["bgnbd_alive"], rtol=RTOL, atol=0)


def test_bgnbd_expected_orders_equal_lifetimes_for_every_customer_and_horizon(ref):
    params = BGNBDParams(*ref["bgnbd_params"])
    for horizon in ref["horizons"]:
        got = bgnbd.expected_orders(params, horizon, *_history(ref))
        np.testing.assert_allclose(got, ref[f"bgnbd_orders_{int(horizon)}"], rtol=RTOL, atol=0)


def test_pareto_nbd_probability_alive_equals_lifetimes_for_every_customer(ref):
    params = ParetoNBDParams(*ref["paretonbd_params"])
    got = paretonbd.probability_alive(params, *_history(ref))
    np.testing.assert_allclose(got, ref["paretonbd_alive"], rtol=RTOL, atol=0)


def test_pareto_nbd_expected_orders_equal_lifetimes_for_every_customer_and_horizon(ref):
    params = ParetoNBDParams(*ref["paretonbd_params"])
    for horizon in ref["horizons"]:
        got = paretonbd.expected_orders(params, horizon, *_history(ref))
        expected = ref[f"paretonbd_orders_{int(horizon)}"]
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)


def test_gamma_gamma_expected_order_value_equals_lifetimes_for_repeat_buyers(ref):
    params = GammaGammaParams(*ref["gammagamma_params"])
    repeat = ref["frequency"] > 0
    got = expected_order_value(params, ref["frequency"][repeat], ref["monetary_value"][repeat])
    np.testing.assert_allclose(got, ref["gammagamma_value"][repeat], rtol=RTOL, atol=0)


def test_discounted_customer_value_equals_lifetimes_monthly_discounting(ref):
    order_params = BGNBDParams(*ref["bgnbd_params"])
    spend_params = GammaGammaParams(*ref["gammagamma_params"])
    values = customer_value(
        order_params,
        spend_params,
        *_history(ref),
        ref["monetary_value"],
        months=(12, 36),
        time_units_per_month=float(ref["weeks_per_month"]),
        monthly_discount_rate=0.01,
    )
    for months in (12, 36):
        np.testing.assert_allclose(values[months], ref[f"bgnbd_clv_{months}"], rtol=RTOL, atol=0)
