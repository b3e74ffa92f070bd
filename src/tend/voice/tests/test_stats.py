"""NPS arithmetic and intervals against values worked out by hand, and the gap test."""

import math

import pytest

from tend.voice import stats


def test_nps_is_promoters_minus_detractors_with_a_wald_interval():
    # 10 answers: promoters 10,10,9,9,10 (5), passives 8,7 (2), detractors 6,3,0 (3).
    result = stats.nps_of_scores([10, 10, 9, 8, 7, 6, 3, 0, 9, 10])
    assert result.n == 10
    assert result.value == pytest.approx(20.0)  # 50% − 30%
    # Trinomial variance p + d − (p − d)² = 0.5 + 0.3 − 0.04 = 0.76; se = sqrt(0.76 / 10).
    assert result.se == pytest.approx(100 * math.sqrt(0.076))
    assert result.margin == pytest.approx(54.0325, abs=1e-3)
    assert (result.low, result.high) == (
        pytest.approx(-34.0325, abs=1e-3),
        pytest.approx(74.0325, abs=1e-3),
    )


def test_all_promoters_is_100_with_no_spread_and_no_answers_is_nothing():
    assert stats.nps(4, 0, 0).value == 100.0 and stats.nps(4, 0, 0).margin == 0.0
    empty = stats.nps(0, 0, 0)
    assert (empty.value, empty.n, empty.low, empty.high) == (None, 0, None, None)


def test_one_answer_has_a_value_but_no_interval():
    """One value has no spread to measure: the page shows "n=1", never "± 0.00"."""
    one = stats.Estimate.of(stats.Moments(1, 4.0, 16.0))
    assert (one.value, one.n, one.low, one.high, one.margin) == (4.0, 1, None, None, None)
    assert stats.gap(one, stats.nps(4, 0, 0), higher_is_better=True).difference is None


def test_a_share_uses_the_binomial_variance():
    # 7 of 10 kept on time: 70% ± 1.96 · sqrt(0.7 · 0.3 / 10) = 70 ± 28.40.
    share = stats.Estimate.of(stats.Moments(10, 7, 7), scale=100)
    assert share.value == pytest.approx(70.0)
    assert share.margin == pytest.approx(28.4027, abs=1e-3)


def test_moments_add_up_to_the_rest():
    rest = stats.Moments(2, 3.0, 5.0) + stats.Moments(1, 4.0, 16.0)
    assert rest == stats.Moments(3, 7.0, 21.0)


def test_a_gap_outside_the_interval_is_flagged_and_one_inside_is_not():
    rest = stats.Estimate(value=2.0, n=40, low=None, high=None, se=0.2)
    slow = stats.Estimate(value=5.0, n=40, low=None, high=None, se=0.5)
    # difference 3.0, margin 1.96 · sqrt(0.25 + 0.04) = 1.0555: outside → flagged, worse.
    outside = stats.gap(slow, rest, higher_is_better=False)
    assert outside.flagged and outside.worse
    assert outside.difference == pytest.approx(3.0)
    assert outside.low == pytest.approx(3.0 - 1.05549, abs=1e-4)
    close = stats.Estimate(value=2.9, n=40, low=None, high=None, se=0.5)
    inside = stats.gap(close, rest, higher_is_better=False)  # 0.9 < 1.0555
    assert not inside.flagged and not inside.worse


def test_a_flagged_gap_in_the_better_direction_is_not_called_worse():
    rest = stats.Estimate(value=50.0, n=100, low=None, high=None, se=2.0)
    good = stats.Estimate(value=70.0, n=100, low=None, high=None, se=2.0)
    result = stats.gap(good, rest, higher_is_better=True)
    assert result.flagged and not result.worse


def test_a_tier_with_too_few_values_is_never_flagged():
    """Two cases both missed read "0 ± 0": against 80 ± 10 the interval test alone would flag
    it; the normal approximation does not hold there."""
    rest = stats.Estimate(value=80.0, n=40, low=None, high=None, se=5.0)
    two = stats.Estimate.of(stats.Moments(2, 0.0, 0.0), scale=100.0)
    assert (two.value, two.margin) == (0.0, 0.0)
    small = stats.gap(two, rest, higher_is_better=True)
    assert small.difference == pytest.approx(-80.0) and not small.flagged and not small.worse
    ten = stats.Estimate.of(stats.Moments(stats.MIN_FLAG_N, 0.0, 0.0), scale=100.0)
    assert stats.gap(ten, rest, higher_is_better=True).worse
