"""The backtest: its metrics against brute force and hand examples, the transaction file, and
``tend evaluate`` end to end on a file and on the book."""

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from tend.customers.models import CustomerStatus
from tend.customers.tests.factories import CustomerFactory
from tend.health import backtest
from tend.health.services.backtest import order_days_between
from tend.orders.models import Order, OrderStatus

# --- metrics ---------------------------------------------------------------------------------


def pairwise_auc(scores, positive):
    """The definition: over every (stopped, kept) pair, 1 if the stopped one scores higher,
    1/2 on a tie."""
    pos, neg = scores[positive], scores[~positive]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return wins / (pos.size * neg.size)


def test_auc_equals_the_pairwise_count_on_random_data_with_and_without_ties():
    rng = np.random.default_rng(20251124)
    for trial in range(300):
        n = int(rng.integers(2, 80))
        tied = trial % 2 == 0
        scores = rng.integers(0, 5, n).astype(float) if tied else rng.normal(size=n)
        positive = rng.random(n) < rng.uniform(0.05, 0.95)
        if positive.all() or not positive.any():
            continue
        assert backtest.roc_auc(scores, positive) == pytest.approx(
            pairwise_auc(scores, positive), abs=1e-12
        )


def test_auc_is_one_for_a_perfect_ranking_zero_reversed_and_a_half_when_all_tie():
    scores = np.array([0.9, 0.8, 0.3, 0.1])
    stopped = np.array([True, True, False, False])
    assert backtest.roc_auc(scores, stopped) == 1.0
    assert backtest.roc_auc(-scores, stopped) == 0.0
    assert backtest.roc_auc(np.zeros(4), stopped) == 0.5


def test_auc_is_undefined_when_nobody_or_everybody_stopped():
    scores = np.array([0.2, 0.5, 0.7])
    assert np.isnan(backtest.roc_auc(scores, np.zeros(3, bool)))
    assert np.isnan(backtest.roc_auc(scores, np.ones(3, bool)))
    assert np.isnan(backtest.top_decile_lift(scores, np.zeros(3, bool)))
    assert np.isnan(backtest.top_decile_lift(scores, np.ones(3, bool)))


def test_top_decile_lift_by_hand():
    # 20 customers, riskiest first; 4 stopped (20%), both of the riskiest two among them.
    scores = np.arange(20, 0, -1, dtype=float)
    stopped = np.zeros(20, bool)
    stopped[[0, 1, 7, 15]] = True
    assert backtest.top_share(scores, stopped) == 1.0
    assert backtest.top_decile_lift(scores, stopped) == pytest.approx(5.0)


def test_customers_tied_at_the_decile_edge_share_the_place_evenly():
    # 10 customers: the top decile is one place, held jointly by two tied at 0.9, one of whom
    # stopped. Half a stopper in a decile of one: 50%, over 10% overall = 5x, in any order.
    scores = np.array([0.9, 0.9, 0.5, 0.4, 0.3, 0.2, 0.2, 0.1, 0.0, 0.0])
    for stopped_at in (0, 1):
        stopped = np.zeros(10, bool)
        stopped[stopped_at] = True
        assert backtest.top_share(scores, stopped) == 0.5
        assert backtest.top_decile_lift(scores, stopped) == pytest.approx(5.0)


def test_deciles_of_equal_scores_each_get_the_book_average():
    values = np.vstack([np.ones(25), np.arange(25.0)])
    sums = backtest.rank_bins(np.zeros(25), values)
    assert sums[0] == pytest.approx(np.full(10, 2.5))
    assert sums[1] == pytest.approx(np.full(10, 300.0 / 10))


def test_deciles_keep_every_customer_once_and_follow_the_ranking():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 6, 137).astype(float)
    values = np.vstack([np.ones(137), rng.random(137)])
    sums = backtest.rank_bins(scores, values)
    assert sums.sum(axis=1) == pytest.approx(values.sum(axis=1))
    assert sums[0] == pytest.approx(np.full(10, 13.7))
    ranked = backtest.rank_bins(np.arange(10.0), np.arange(10.0))
    assert ranked[0] == pytest.approx(np.arange(9.0, -1.0, -1.0))


# --- the transaction file --------------------------------------------------------------------


def test_a_file_with_a_bom_columns_in_any_order_and_blank_lines_reads():
    text = "\ufeffDate,Amount,Customer_ID,Note\n2025-01-02,10.50,acme,x\n\n2025-03-04,4,zeta,\n"
    t = backtest.read_transactions(StringIO(text))
    assert t.customer_keys.tolist() == ["acme", "zeta"]
    assert t.customers.tolist() == [0, 1]
    assert t.days.tolist() == [date(2025, 1, 2).toordinal(), date(2025, 3, 4).toordinal()]
    assert t.amounts.tolist() == [10.5, 4.0]
    assert t.last_day == date(2025, 3, 4)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("customer,date,amount\n", "line 1: the header must name the columns"),
        ("customer_id,date,amount\n", "no transactions"),
        ("customer_id,date,amount\na,2025-01-02,1\nb,02/01/2025,1\n", "line 3: '02/01/2025'"),
        ("customer_id,date,amount\na,20250102,1\n", "line 2: '20250102' is not a date"),
        ("customer_id,date,amount\na,2025-02-30,1\n", "line 2: '2025-02-30' is not a date"),
        ("customer_id,date,amount\na,2025-01-02,1\n\nb,2025-01-02,1.2.3\n", "line 4: '1.2.3'"),
        ("customer_id,date,amount\na,2025-01-02,NaN\n", "line 2: 'NaN' is not an amount"),
        ("customer_id,date,amount\na,2025-01-02,-5\n", "line 2: the amount -5 is negative"),
        ("customer_id,date,amount\na,2025-01-02\n", "line 2: expected the columns"),
        ("customer_id,date,amount\n ,2025-01-02,1\n", "line 2: the customer_id is empty"),
    ],
)
def test_a_bad_file_is_refused_naming_the_line(text, message):
    with pytest.raises(backtest.BacktestError, match=message.replace(".", r"\.")):
        backtest.read_transactions(StringIO(text))


# --- tend evaluate on a file -----------------------------------------------------------------

CUTOFF = date(2025, 1, 1)


def simulated_book(seed=7, customers=200):
    """Customers buying every 20-80 days; about a third went quiet 150-500 days before the
    cutoff and never came back, the rest buy until 400 days after it. Ten more first buy
    after the cutoff. Returns (rows, stopper keys)."""
    rng = np.random.default_rng(seed)
    start = CUTOFF.toordinal()
    end = start + 400
    rows, stoppers = [], set()
    for k in range(customers):
        key = f"C{k:03d}"
        first = start - int(rng.integers(200, 900))
        gap = rng.uniform(20, 80)
        last = end
        if rng.random() < 0.35:
            stoppers.add(key)
            last = max(first, start - int(rng.integers(150, 500)))
        day = float(first)
        while day <= last:
            rows.append((key, int(day), round(float(rng.gamma(4.0, 250.0)), 2)))
            day += gap * rng.uniform(0.7, 1.3)
    for k in range(10):
        rows.append((f"N{k}", start + 30 + k, 100.0))
    return rows, stoppers


def write_csv(path, rows):
    lines = ["customer_id,date,amount"]
    lines += [f"{key},{date.fromordinal(day).isoformat()},{amount}" for key, day, amount in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def evaluate(*args):
    out = StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


def test_evaluate_on_a_file_ranks_recency_driven_stoppers_and_counts_what_happened(tmp_path):
    rows, stoppers = simulated_book()
    path = write_csv(tmp_path / "orders.csv", rows)
    start = CUTOFF.toordinal()
    in_horizon = {
        (key, day)
        for key, day, _ in rows
        if start <= day < start + 365 and not key.startswith("N")  # newcomers are not scored
    }

    result = json.loads(evaluate("--cutoff", "2025-01-01", "--file", str(path), "--json"))

    assert result["source"] == "file"
    assert result["customers"] == 200
    assert result["stopped"] == len(stoppers)
    assert result["orders"]["actual"] == len(in_horizon)
    assert result["fully_observed"] is True
    assert result["horizon_end"] == "2025-12-31"
    assert set(result["rankings"]) == {"tend", "recency", "pareto_nbd", "mbg_cnbd_k", "bgnbd"}
    assert result["rankings"]["tend"]["auc"] > 0.9
    assert result["rankings"]["recency"]["auc"] > 0.9
    assert result["rankings"]["tend"]["top_decile_lift"] == pytest.approx(200 / len(stoppers))
    assert 0.5 * len(in_horizon) < result["orders"]["predicted"] < 1.5 * len(in_horizon)
    assert [d["decile"] for d in result["deciles"]] == list(range(1, 11))
    assert sum(d["customers"] for d in result["deciles"]) == pytest.approx(200)
    assert sum(d["actual_orders"] for d in result["deciles"]) == pytest.approx(len(in_horizon))
    assert result["deciles"][0]["stopped_share"] == 1.0

    text = evaluate("--cutoff", "2025-01-01", "--file", str(path))
    assert "200 customers with orders before the cutoff; horizon 365 days" in text
    assert f"Stopped buying (no order in the horizon): {len(stoppers)} of 200" in text
    for label in ("Tend risk", "Recency alone", "BG/NBD orders", "Pareto/NBD orders"):
        assert label in text
    assert "Tend's ranking here: the learned probability of no order" in text
    assert f"actual {len(in_horizon):,}" in text
    assert "Warning" not in text


def test_a_shorter_horizon_predicts_fewer_orders(tmp_path):
    path = write_csv(tmp_path / "orders.csv", simulated_book()[0])
    year = json.loads(evaluate("--cutoff", "2025-01-01", "--file", str(path), "--json"))
    quarter = json.loads(
        evaluate("--cutoff", "2025-01-01", "--horizon", "90", "--file", str(path), "--json")
    )
    assert quarter["horizon_end"] == "2025-03-31"
    model = "mbg_cnbd_k"
    assert 0.15 < quarter["orders"]["by_model"][model] / year["orders"]["by_model"][model] < 0.35
    # Each horizon's count is corrected by the model's error over that horizon one horizon
    # back: this book's stoppers all left in the year before the cutoff, so the year's
    # correction is down and the quarter's is not, but fewer orders are still predicted.
    assert quarter["orders"]["predicted"] < 0.5 * year["orders"]["predicted"]


def test_a_horizon_past_the_end_of_the_data_is_computed_with_a_warning(tmp_path):
    rows = simulated_book()[0]
    last = date.fromordinal(max(day for _, day, _ in rows))
    path = write_csv(tmp_path / "orders.csv", rows)
    text = evaluate("--cutoff", "2025-06-01", "--file", str(path))
    assert f"Warning: the horizon is not fully observed: the data end on {last}" in text
    assert "the horizon on 2026-05-31" in text
    assert "Tend risk" in text


def test_when_nobody_stopped_the_auc_is_undefined_not_a_crash(tmp_path):
    rows = [(key, day, 10.0) for key in ("a", "b", "c") for day in range(738000, 739000, 30)]
    path = write_csv(tmp_path / "orders.csv", rows)
    cutoff = date.fromordinal(738500).isoformat()
    text = evaluate("--cutoff", cutoff, "--file", str(path))
    assert "Stopped buying (no order in the horizon): 0 of 3 (0.0%)" in text
    assert "ROC AUC and lift are undefined: nobody stopped" in text
    result = json.loads(evaluate("--cutoff", cutoff, "--file", str(path), "--json"))
    assert result["auc_defined"] is False
    assert result["rankings"]["tend"]["auc"] is None


def test_when_everybody_stopped_the_auc_is_undefined_too(tmp_path):
    path = write_csv(tmp_path / "orders.csv", simulated_book()[0])
    text = evaluate("--cutoff", "2026-06-01", "--file", str(path))
    assert "ROC AUC and lift are undefined: everybody stopped" in text


def test_a_bad_row_stops_the_command_naming_the_line(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,date,amount\na,2024-01-02,5\na,2024-13-02,5\n")
    out = StringIO()
    with pytest.raises(CommandError, match=r"orders\.csv: line 3: '2024-13-02' is not a date"):
        call_command("evaluate", "--cutoff", "2025-01-01", "--file", str(path), stdout=out)
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cutoff", "last year"], "--cutoff 'last year' is not a date"),
        (["--cutoff", "2025-01-01", "--horizon", "0"], "--horizon must be at least 1 day"),
        (["--cutoff", "2025-01-01", "--horizon", "a year"], "is not a number of days"),
        (["--cutoff", "2025-01-01", "--file", "/nonexistent.csv"], "cannot read"),
        (["--cutoff", "2000-01-01", "--file", "{csv}"], "no orders before the cutoff 2000-01-01"),
    ],
)
def test_clear_errors(tmp_path, args, message):
    path = write_csv(tmp_path / "orders.csv", [("a", 738000, 5.0)])
    args = [str(path) if a == "{csv}" else a for a in args]
    with pytest.raises(CommandError, match=message):
        evaluate(*args)


# --- tend evaluate on the book ---------------------------------------------------------------

_numbers = iter(range(1, 10**9))


def place_orders(customer, days, status=OrderStatus.DELIVERED):
    Order.objects.bulk_create(
        Order(
            customer=customer,
            number=f"SO-{next(_numbers)}",
            order_date=day,
            currency="USD",
            rate_to_base=Decimal("1"),
            amount=Decimal("1000.00"),
            amount_base=Decimal("1000.00"),
            status=status,
        )
        for day in days
    )


def every(days, start, end):
    out, day = [], start
    while day < end:
        out.append(day)
        day += timedelta(days=days)
    return out


@pytest.fixture
def ordering_book(db):
    """Six customers buying monthly throughout; four (one since marked lost) who stopped in
    mid-2024, one of them with a cancelled order in 2025; one whose first order is after the
    cutoff; one who never ordered."""
    two_years_before = CUTOFF - timedelta(days=730)
    steady = [CustomerFactory() for _ in range(6)]
    for customer in steady:
        place_orders(customer, every(30, two_years_before, date(2026, 1, 15)))
    stopped = [CustomerFactory() for _ in range(3)]
    stopped.append(CustomerFactory(status=CustomerStatus.LOST))
    for customer in stopped:
        place_orders(customer, every(30, two_years_before, date(2024, 6, 1)))
    place_orders(stopped[0], [date(2025, 3, 3)], status=OrderStatus.CANCELLED)
    place_orders(CustomerFactory(), [date(2025, 2, 1), date(2025, 5, 1)])
    CustomerFactory()
    # Two orders on one day are one order day.
    place_orders(steady[0], [date(2025, 1, 10)])
    return {"steady": steady, "stopped": stopped}


def test_evaluate_on_the_book_scores_the_book_as_it_was_at_the_cutoff(ordering_book):
    monthly = every(30, CUTOFF - timedelta(days=730), date(2026, 1, 15))
    in_horizon = [day for day in monthly if CUTOFF <= day < date(2026, 1, 1)]
    assert len(in_horizon) == 12 and date(2025, 1, 10) not in in_horizon

    result = json.loads(evaluate("--cutoff", "2025-01-01", "--json"))

    assert result["source"] == "book"
    assert result["customers"] == 10
    assert result["stopped"] == 4
    assert result["orders"]["actual"] == 6 * 12 + 1  # steady[0]'s extra day; not the newcomer
    assert result["fully_observed"] is True
    assert result["rankings"]["tend"]["auc"] == 1.0
    assert result["rankings"]["recency"]["auc"] == 1.0
    assert result["rankings"]["bgnbd"]["auc"] > 0.5
    assert result["deciles"][0]["stopped_share"] == 1.0
    assert result["deciles"][-1]["stopped_share"] == 0.0

    text = evaluate("--cutoff", "2025-01-01")
    assert "Backtest of the book at 2025-01-01: 10 customers" in text
    assert "Stopped buying (no order in the horizon): 4 of 10 (40.0%)" in text
    assert "Tend's ranking here: every signal that can be dated at the cutoff" in text
    assert re.search(r"Tend risk +1\.000 +2\.50x +100\.0%", text)


def test_evaluate_on_a_book_without_orders_before_the_cutoff_says_so(ordering_book):
    with pytest.raises(CommandError, match="no orders before the cutoff 2020-01-01"):
        evaluate("--cutoff", "2020-01-01")


def test_the_cutoff_is_midnight_in_the_current_time_zone(ordering_book, settings):
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: midnight there is the day before in UTC
    result = json.loads(evaluate("--cutoff", "2025-01-01", "--json"))
    assert (result["cutoff"], result["customers"], result["stopped"]) == ("2025-01-01", 10, 4)


def test_the_horizon_orders_are_read_with_one_aggregate(ordering_book, django_assert_num_queries):
    ids = np.sort([c.pk for c in ordering_book["steady"] + ordering_book["stopped"]])
    with django_assert_num_queries(1):
        days = order_days_between(ids, start=CUTOFF, end=date(2026, 1, 1))
    expected = {c.pk: 12 for c in ordering_book["steady"]}
    expected[ordering_book["steady"][0].pk] = 13  # its extra order on 2025-01-10
    assert days.tolist() == [expected.get(pk, 0) for pk in ids]  # stoppers: 0, cancelled or not
