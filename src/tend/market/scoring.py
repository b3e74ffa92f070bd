"""Tiers from value, pure numpy (no Django): ABC classes by cumulative share and RFM quintiles.

ABC: customers sorted by value, largest first; a customer is A while the share of the total
*before* it is under the first cut-off (80%: the customers who make the top 80% of revenue, the
one crossing the line included), B while under the second (95%: the next 15%), C after. A
customer with no value (nothing in the 12 months) is C. Ties keep the id order given.

RFM: among customers with at least one order, each of recency (fewer days is better), frequency
and monetary value is scored 1..5 by quintile of its rank (5 best); customers without orders
score 0.
"""

import numpy as np

CLASSES = np.array(["A", "B", "C"])


def abc_classes(values: np.ndarray, cutoffs: tuple[float, float] = (80, 95)) -> np.ndarray:
    """The A/B/C class of each value (aligned with ``values``)."""
    values = np.asarray(values, dtype=float)
    out = np.full(values.size, "C", dtype="<U1")
    positive = values > 0
    total = values[positive].sum()
    if total <= 0:
        return out
    order = np.argsort(-values, kind="stable")
    sorted_values = np.where(values[order] > 0, values[order], 0.0)
    before = (np.cumsum(sorted_values) - sorted_values) / total * 100
    classes = np.where(before < cutoffs[0], "A", np.where(before < cutoffs[1], "B", "C"))
    classes = np.where(sorted_values > 0, classes, "C")
    out[order] = classes
    return out


def quintile_scores(values: np.ndarray, *, higher_is_better: bool = True) -> np.ndarray:
    """1..5 by quintile of rank (ties share the lower rank's score), for a non-empty array."""
    values = np.asarray(values, dtype=float)
    n = values.size
    if n == 0:
        return np.zeros(0, dtype=int)
    keyed = values if higher_is_better else -values
    # rank = how many are strictly worse: ties get the same score
    sorted_keys = np.sort(keyed)
    worse = np.searchsorted(sorted_keys, keyed, side="left")
    return (1 + np.floor(worse * 5 / n)).astype(int).clip(1, 5)


def rfm_scores(
    recency_days: np.ndarray, frequency: np.ndarray, monetary: np.ndarray, has_orders: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = np.asarray(has_orders).size
    r, f, m = (np.zeros(n, dtype=int) for _ in range(3))
    idx = np.flatnonzero(has_orders)
    if idx.size:
        r[idx] = quintile_scores(np.asarray(recency_days)[idx], higher_is_better=False)
        f[idx] = quintile_scores(np.asarray(frequency)[idx])
        m[idx] = quintile_scores(np.asarray(monetary)[idx])
    return r, f, m


def best_class(*columns: np.ndarray) -> np.ndarray:
    """Per customer, the best (alphabetically first) of several class columns; '' is ignored."""
    ranks = {"A": 0, "B": 1, "C": 2}
    stacked = np.vstack([[ranks.get(value, 2) for value in column] for column in columns])
    return CLASSES[stacked.min(axis=0)]


def potential_lift(
    proposed: np.ndarray, potential: np.ndarray, revenue: np.ndarray, classes: np.ndarray
) -> np.ndarray:
    """Potential lifts a customer one class at most: when its stated yearly potential would
    reach the smallest revenue of a better class, it is proposed one class up."""
    proposed = np.asarray(proposed).copy()
    potential = np.nan_to_num(np.asarray(potential, dtype=float), nan=0.0)
    revenue = np.asarray(revenue, dtype=float)
    for better, worse in (("A", "B"), ("B", "C")):
        members = revenue[(classes == better) & (revenue > 0)]
        if not members.size:
            continue
        floor = members.min()
        proposed = np.where((proposed == worse) & (potential >= floor), better, proposed)
    return proposed
