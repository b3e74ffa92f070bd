"""Is a lot's complaint rate unusual for its product? Pure: arrays in, arrays out.

For each lot: ``c`` complaints over ``u`` units shipped. Its product's normal rate is that of the
product's other lots, pooled (with half a complaint added, so a product with no complaints
elsewhere still has a small positive rate). Under that rate the lot's complaints are Poisson with
mean ``rate * u``; the alert fires when seeing ``c`` or more is less likely than ``alpha`` and
``c`` reaches ``min_count``. A big lot with the same count as a small one expects more
complaints, so it does not fire."""

import numpy as np
from scipy.stats import poisson

ALPHA = 0.001
MIN_COUNT = 3


def lot_p_values(
    product_index: np.ndarray, complaints: np.ndarray, units: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(normal rate, p-value) per lot; lots given as parallel arrays with a product index."""
    product_index = np.asarray(product_index, dtype=np.int64)
    complaints = np.asarray(complaints, dtype=float)
    units = np.asarray(units, dtype=float)
    if product_index.size == 0:
        return np.zeros(0), np.ones(0)
    products = int(product_index.max()) + 1
    total_c = np.bincount(product_index, weights=complaints, minlength=products)
    total_u = np.bincount(product_index, weights=units, minlength=products)
    other_c = total_c[product_index] - complaints
    other_u = total_u[product_index] - units
    # With no other lots shipped, compare against the product as a whole.
    base_u = np.where(other_u > 0, other_u, np.maximum(total_u[product_index], 1.0))
    base_c = np.where(other_u > 0, other_c, total_c[product_index])
    rate = (base_c + 0.5) / base_u
    expected = rate * units
    p = np.where(complaints > 0, poisson.sf(complaints - 1, expected), 1.0)
    return rate, p


def unstable(
    complaints: np.ndarray, p: np.ndarray, *, alpha: float = ALPHA, min_count: int = MIN_COUNT
) -> np.ndarray:
    return (np.asarray(complaints) >= min_count) & (np.asarray(p) < alpha)
