"""Discounted customer value from an order model (BG/NBD or Pareto/NBD) and Gamma-Gamma spend.

The value over H months is

    CLV_H = E[order value | x, m] * sum_{k=1..H} (E[Y(k D)] - E[Y((k-1) D)]) / (1 + d)^k

where E[Y(t)] is the expected number of orders in the next t time units given (x, t_x, T), D is
the number of model time units in a month and d the monthly discount rate: each month's expected
orders are valued at the expected order value and discounted back to today. This is the
monthly-discounted form used by Fader, Hardie and Lee (2005) and the ``lifetimes`` package.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from tend.health.scoring import bgnbd, gammagamma, mbgcnbd, paretonbd
from tend.health.scoring._math import FloatArray, as_float_array, check_rfm, collapse

OrderParams = bgnbd.BGNBDParams | paretonbd.ParetoNBDParams | mbgcnbd.MBGCNBDParams

DAYS_PER_MONTH = 365.25 / 12
WEEKS_PER_MONTH = 365.25 / 12 / 7


def _expected_orders(
    params: OrderParams, horizon: float, x: FloatArray, t_x: FloatArray, age: FloatArray
) -> FloatArray:
    if isinstance(params, bgnbd.BGNBDParams):
        return bgnbd.expected_orders(params, horizon, x, t_x, age)
    if isinstance(params, paretonbd.ParetoNBDParams):
        return paretonbd.expected_orders(params, horizon, x, t_x, age)
    if isinstance(params, mbgcnbd.MBGCNBDParams):
        return mbgcnbd.expected_orders(params, horizon, x, t_x, age)
    raise TypeError("order model parameters must be BGNBDParams or ParetoNBDParams")


def discounted_expected_orders(
    params: OrderParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    *,
    months: Sequence[int] = (12, 36),
    time_units_per_month: float = DAYS_PER_MONTH,
    monthly_discount_rate: float = 0.01,
) -> dict[int, FloatArray]:
    """Discounted expected orders over each horizon in ``months``, one array per horizon.

    Histories are collapsed to distinct (x, t_x, T) first, so a large book costs one model
    evaluation per distinct history and month rather than per customer and month.
    """
    if not months or min(months) < 1:
        raise ValueError("months must be a non-empty list of positive whole months")
    if time_units_per_month <= 0:
        raise ValueError("time_units_per_month must be positive")
    if monthly_discount_rate <= -1:
        raise ValueError("monthly_discount_rate must be greater than -100%")
    x, t_x, t = check_rfm(frequency, recency, age)
    (xu, txu, tu), _, inverse = collapse(x, t_x, t)
    longest = max(months)
    cumulative = np.zeros((longest + 1, xu.size))
    for k in range(1, longest + 1):
        cumulative[k] = _expected_orders(params, k * time_units_per_month, xu, txu, tu)
    discount = (1.0 + monthly_discount_rate) ** -np.arange(1, longest + 1)
    discounted = np.cumsum(np.diff(cumulative, axis=0) * discount[:, None], axis=0)
    return {h: discounted[h - 1][inverse] for h in months}


def customer_value(
    order_params: OrderParams,
    spend_params: gammagamma.GammaGammaParams,
    frequency: ArrayLike,
    recency: ArrayLike,
    age: ArrayLike,
    monetary_value: ArrayLike,
    *,
    months: Sequence[int] = (12, 36),
    time_units_per_month: float = DAYS_PER_MONTH,
    monthly_discount_rate: float = 0.01,
) -> dict[int, FloatArray]:
    """Discounted expected customer value per horizon (module docstring has the formula).

    ``monetary_value`` is the mean value of the repeat orders (ignored where there are none);
    ``time_units_per_month`` says what unit (x, t_x, T) are in: DAYS_PER_MONTH for days,
    WEEKS_PER_MONTH for weeks.
    """
    orders = discounted_expected_orders(
        order_params,
        frequency,
        recency,
        age,
        months=months,
        time_units_per_month=time_units_per_month,
        monthly_discount_rate=monthly_discount_rate,
    )
    x = as_float_array(frequency, "frequency")
    value = gammagamma.expected_order_value(spend_params, x, monetary_value)
    return {h: value * n for h, n in orders.items()}
