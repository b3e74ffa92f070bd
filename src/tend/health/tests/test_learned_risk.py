"""Risk learned from the book's own past: no leakage from the horizon, exact figures on a small
committed synthetic book, defaults (and the reason) for a young book, and CDNOW when present."""

import json
import os
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command

from tend.health import combine, risk
from tend.health.backtest import read_transactions
from tend.health.forecast import forecast

CUTOFF = 740_000  # an ordinal day (2027-01-xx); the book runs three years up to it


def synthetic_book(seed=3, customers=1200):
    """Regular buyers with a rhythm (gaps of 20-120 days, +-20%), a share that stops at a
    random moment, and one-time buyers; orders from three years before the cutoff to one
    year after. Returns (customer, day, amount) arrays."""
    rng = np.random.default_rng(seed)
    cust, days, amounts = [], [], []
    for c in range(customers):
        first = CUTOFF - int(rng.integers(30, 1100))
        gap = rng.uniform(20, 120)
        stop = first + rng.exponential(700.0) if rng.random() < 0.6 else CUTOFF + 400
        if rng.random() < 0.25:
            stop = first
        day = float(first)
        while day <= min(stop, CUTOFF + 365):
            cust.append(c)
            days.append(int(day))
            amounts.append(round(float(rng.gamma(3.0, 300.0)), 2))
            day += gap * rng.uniform(0.8, 1.2)
    return np.array(cust), np.array(days), np.array(amounts)


def tend_risk(cust, days, amounts, *, today=CUTOFF, horizon=365):
    combination = combine.learn(cust, days, amounts, today=today, horizon_days=horizon)
    history = risk.order_history(cust, days, amounts, today=today)
    prediction = forecast(history, horizon_days=horizon)
    signals = risk.rhythm_signals(history, prediction)
    probability, learned = combine.combined_risk(history, prediction, signals, combination)
    return probability, learned, combination


def test_shuffling_what_happened_after_the_cutoff_changes_no_score():
    cust, days, amounts = synthetic_book()
    before, learned, combination = tend_risk(cust, days, amounts)
    assert combination.learned and learned.all()

    after = days >= CUTOFF
    rng = np.random.default_rng(0)
    shuffled = cust.copy()
    shuffled[after] = rng.permutation(cust[after])  # who bought in the horizon, scrambled
    again, _, _ = tend_risk(shuffled, days, amounts * np.where(after, 7.0, 1.0))

    np.testing.assert_array_equal(before, again)


def write_book(path: Path, cust, days, amounts):
    from datetime import date

    lines = ["customer_id,date,amount"]
    lines += [
        f"C{c},{date.fromordinal(int(d)).isoformat()},{a:.2f}"
        for c, d, a in zip(cust, days, amounts, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def evaluate_json(*args):
    out = StringIO()
    call_command("evaluate", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_synthetic_book_backtest_gives_its_exact_figures(tmp_path):
    from datetime import date

    path = write_book(tmp_path / "book.csv", *synthetic_book())
    cutoff = date.fromordinal(CUTOFF).isoformat()

    r = evaluate_json("--cutoff", cutoff, "--file", str(path))

    assert (r["customers"], r["stopped"], r["orders"]["actual"]) == EXPECTED_COUNTS
    figures = {
        code: (round(v["auc"], 3), round(v["top_decile_lift"], 2))
        for code, v in r["rankings"].items()
    }
    assert figures == EXPECTED_RANKINGS
    assert r["model"] == EXPECTED_MODEL
    assert round(r["ece"], 3) == EXPECTED_ECE
    assert round(r["brier"], 3) == EXPECTED_BRIER
    assert r["combination"]["learned"] is True
    assert r["combination"]["train_horizon_days"] == 365
    # Tend ranks better than every honest baseline on this book, and is calibrated.
    tend = r["rankings"]["tend"]["auc"]
    assert all(tend > v["auc"] for code, v in r["rankings"].items() if code != "tend")
    assert r["ece"] < 0.05
    # The count corrected by what the model got wrong after the training cutoff: the model
    # alone is 5% high here.
    assert r["combination"]["order_ratio"] < 1
    assert r["orders"]["by_model"]["mbg_cnbd_k"] / r["orders"]["actual"] > 1.04
    assert abs(r["orders"]["predicted"] / r["orders"]["actual"] - 1) < 0.02


def test_the_count_correction_carries_its_growth_on_to_a_longer_horizon_and_is_bounded():
    combination = combine.Combination(names=[], train_horizon_days=100)
    assert combination.orders_factor(365) == 1.0  # nothing measured
    combination.order_ratio, combination.order_ratio_half = 1.2, 1.1
    assert combination.orders_factor(100) == pytest.approx(1.2)
    # One more doubling: the ratio grows by the same factor again.
    assert combination.orders_factor(200) == pytest.approx(1.2 * 1.2 / 1.1)
    combination.order_ratio, combination.order_ratio_half = 3.0, 1.0
    assert combination.orders_factor(800) == 2.0


EXPECTED_COUNTS = (1200, 595, 3544)
EXPECTED_RANKINGS = {
    "tend": (0.976, 2.02),
    "recency": (0.971, 2.02),
    "pareto_nbd": (0.947, 2.02),
    "mbg_cnbd_k": (0.972, 2.02),
    "bgnbd": (0.947, 2.02),
}
EXPECTED_MODEL = "mbg_cnbd_k"  # a book of regular buyers: the rhythm model wins held out
EXPECTED_ECE = 0.045
EXPECTED_BRIER = 0.04


def test_a_young_book_uses_the_defaults_and_says_why():
    cust, days, amounts = synthetic_book()
    young = days >= CUTOFF - 100
    probability, learned, combination = tend_risk(cust[young], days[young], amounts[young])

    assert not combination.learned and not learned.any()
    assert "too short" in combination.problems[0]
    assert np.all((probability >= 0) & (probability <= 1))


CDNOW = Path(os.environ.get("TEND_CDNOW", "/tmp/health-cdnow/CDNOW_master.txt"))


@pytest.mark.skipif(
    not CDNOW.exists(),
    reason=f"CDNOW_master.txt not found at {CDNOW} (set TEND_CDNOW; lifetimes ships it)",
)
def test_cdnow_39_weeks_calibration_39_weeks_holdout():
    lines = ["customer_id,date,amount"]
    for line in CDNOW.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[1].isdigit():
            d = parts[1]
            lines.append(f"{parts[0]},{d[:4]}-{d[4:6]}-{d[6:]},{parts[3]}")
    t = read_transactions(lines)
    from datetime import date

    from tend.health.backtest import backtest_transactions

    r = backtest_transactions(t, cutoff=date(1997, 10, 1), horizon_days=273).as_dict()

    assert (r["customers"], r["stopped"], r["orders"]["actual"]) == (23570, 16512, 19684)
    auc = {code: v["auc"] for code, v in r["rankings"].items()}
    # Where we stand (docs/health.md): the baselines as in the issue, Tend above them all.
    assert round(auc["recency"], 3) == 0.759
    assert round(auc["pareto_nbd"], 3) == 0.769
    assert round(auc["bgnbd"], 3) == 0.763
    # 0.7725 and 1.257: a logistic regression fitted on the holdout's own outcomes reaches
    # only 0.7734 and 1.262 from this file (docs/health.md), so the aims 0.78 and 1.28 are not.
    assert auc["tend"] >= 0.772
    assert auc["tend"] > max(v for code, v in auc.items() if code != "tend")
    assert r["rankings"]["tend"]["top_decile_lift"] >= 1.255
    # Learned at six horizons from 106 to 213 days, the horizon a feature (CDNOW's customers
    # all joined in its first quarter, so 273 days cannot be watched whole before the cutoff):
    # calibration error 0.015 (0.043 when learned at 136 days alone and moved to 273).
    windows = [w["horizon_days"] for w in r["combination"]["windows"]]
    assert windows == [213, 179, 151, 136, 127, 106]
    assert r["ece"] <= 0.02
    assert round(r["brier"], 3) <= 0.158
    # The models alone miss the holdout's orders by 14-20%; corrected, within 5%.
    assert abs(r["orders"]["by_model"]["mbg_cnbd_k"] / r["orders"]["actual"] - 1) > 0.14
    assert abs(r["orders"]["predicted"] / r["orders"]["actual"] - 1) <= 0.05


def test_a_figure_too_big_for_its_column_is_stored_as_unknown_not_an_overflow():
    """A degenerate fit on a tiny book once gave a 36-month value of 10^300, and PostgreSQL
    refused the whole day's snapshots."""
    from tend.health.services.scoring import _money

    assert _money(12.5) == "12.50"
    assert _money(1e300) is None
    assert _money(float("inf")) is None
    assert _money(float("nan")) is None


def test_a_book_younger_than_the_horizon_learns_at_several_horizons_with_the_horizon_a_feature():
    # CDNOW's dates: orders from 1 January, today 1 October (273 days), a 273-day horizon.
    from datetime import date

    first, today = date(1997, 1, 1).toordinal(), date(1997, 10, 1).toordinal()
    windows = combine.training_windows(first, today, 273)
    assert [h for _, h in windows] == [213, 179, 151, 136, 127, 106]
    assert all(cutoff + h == today for cutoff, h in windows)
    assert combine.training_windows(first, today, 200) == [(today - 200, 200)]
    assert combine.training_windows(first, first + 119, 365) == []

    cust, days, amounts = synthetic_book()
    young = days >= CUTOFF - 400
    probability, learned, combination = tend_risk(cust[young], days[young], amounts[young])
    assert [h for _, h in combination.windows] == [340, 286, 240, 202, 200, 170]
    assert all("log_horizon" in seg["names"] for seg in combination.segments.values())
    assert combination.ratio_horizon_days == 200  # the order count's error: half the span
    assert learned.all() and np.all((probability > 0) & (probability < 1))
