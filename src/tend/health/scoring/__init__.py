"""Buy-till-you-die customer scoring: BG/NBD, Pareto/NBD, MBG/CNBD-k, Gamma-Gamma and value.

Pure numpy/scipy, no Django: fit on arrays of (frequency x, recency t_x, age T) and, for spend,
the mean repeat-order value, then score every customer in one vectorised call.
"""

from tend.health.scoring import bgnbd, clv, gammagamma, mbgcnbd, paretonbd, simulate
from tend.health.scoring._math import FitResult
from tend.health.scoring.bgnbd import BGNBDParams
from tend.health.scoring.bgnbd import fit as fit_bgnbd
from tend.health.scoring.clv import (
    DAYS_PER_MONTH,
    WEEKS_PER_MONTH,
    customer_value,
    discounted_expected_orders,
)
from tend.health.scoring.gammagamma import GammaGammaParams, expected_order_value
from tend.health.scoring.gammagamma import fit as fit_gamma_gamma
from tend.health.scoring.paretonbd import ParetoNBDParams
from tend.health.scoring.paretonbd import fit as fit_pareto_nbd

__all__ = [
    "DAYS_PER_MONTH",
    "WEEKS_PER_MONTH",
    "BGNBDParams",
    "FitResult",
    "GammaGammaParams",
    "ParetoNBDParams",
    "bgnbd",
    "clv",
    "customer_value",
    "discounted_expected_orders",
    "expected_order_value",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "fit_pareto_nbd",
    "gammagamma",
    "mbgcnbd",
    "paretonbd",
    "simulate",
]
