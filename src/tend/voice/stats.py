"""The arithmetic of the voice reports. Pure: no Django, no database.

Every figure is a mean of per-response values with a 95% interval by the normal (Wald)
approximation: mean ± 1.96 · sqrt(v / n), v the plug-in (population) variance of the values.

- NPS: each answer scores +1 (promoter, 9–10), 0 (passive, 7–8) or −1 (detractor, 0–6); NPS is
  100 × their mean = promoters % − detractors %, and v = p + d − (p − d)² is the trinomial
  variance (p, d the promoter and detractor shares).
- A share (promises kept on time, customers touched in cadence): values 1/0, v = q(1 − q).
- A time (working hours to answer an inquiry): the values themselves.

A gap between a group and the rest is flagged when the 95% interval of the difference excludes
zero: |a − b| > 1.96 · sqrt(se_a² + se_b²), a two-sample z-test at the 5% level, and both have
at least ``MIN_FLAG_N`` values: below that the normal approximation does not hold (two cases
both missed read as "0 ± 0" and would be flagged against anything)."""

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
CONFIDENCE_PCT = 95  # the interval's level, as the pages name it
MIN_FLAG_N = 10
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


@dataclass(frozen=True)
class Moments:
    """What a figure needs from SQL: the count, the sum and the sum of squares of the values."""

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0

    def __add__(self, other: "Moments") -> "Moments":
        return Moments(self.n + other.n, self.total + other.total, self.total_sq + other.total_sq)

    @property
    def mean(self) -> float | None:
        return self.total / self.n if self.n else None

    @property
    def variance(self) -> float | None:
        if not self.n:
            return None
        mean = self.total / self.n
        return max(self.total_sq / self.n - mean * mean, 0.0)

    @property
    def se(self) -> float | None:
        return math.sqrt(self.variance / self.n) if self.n else None


@dataclass(frozen=True)
class Estimate:
    """A figure with its sample size and 95% interval, on the scale it is shown in."""

    value: float | None
    n: int
    low: float | None
    high: float | None
    se: float | None

    @classmethod
    def of(cls, moments: Moments, scale: float = 1.0) -> "Estimate":
        if not moments.n:
            return cls(None, 0, None, None, None)
        if moments.n < 2:  # one value has no spread to measure: no interval, not "± 0"
            return cls(moments.mean * scale, 1, None, None, None)
        mean, se = moments.mean * scale, moments.se * scale
        return cls(mean, moments.n, mean - Z95 * se, mean + Z95 * se, se)

    @property
    def margin(self) -> float | None:
        return None if self.se is None else Z95 * self.se


def nps_moments(promoters: int, passives: int, detractors: int) -> Moments:
    """The +1/0/−1 values of NPS answers, from their counts (squares: promoters + detractors)."""
    return Moments(
        promoters + passives + detractors,
        float(promoters - detractors),
        float(promoters + detractors),
    )


def nps(promoters: int, passives: int, detractors: int) -> Estimate:
    """NPS in points (−100..100) with n and its 95% Wald interval."""
    return Estimate.of(nps_moments(promoters, passives, detractors), scale=100.0)


def nps_of_scores(scores) -> Estimate:
    scores = list(scores)
    promoters = sum(1 for s in scores if s >= PROMOTER_MIN)
    detractors = sum(1 for s in scores if s <= DETRACTOR_MAX)
    return nps(promoters, len(scores) - promoters - detractors, detractors)


@dataclass(frozen=True)
class Gap:
    """A group against the rest: the difference, its 95% interval, and whether it is flagged."""

    difference: float | None
    low: float | None
    high: float | None
    flagged: bool
    worse: bool  # flagged, and in the direction that is worse for the group


def gap(group: Estimate, rest: Estimate, *, higher_is_better: bool) -> Gap:
    if group.value is None or rest.value is None or group.n < 2 or rest.n < 2:
        return Gap(None, None, None, False, False)
    difference = group.value - rest.value
    margin = Z95 * math.sqrt(group.se**2 + rest.se**2)
    flagged = abs(difference) > margin and min(group.n, rest.n) >= MIN_FLAG_N
    worse = flagged and (difference < 0 if higher_is_better else difference > 0)
    return Gap(difference, difference - margin, difference + margin, flagged, worse)
