"""``tend evaluate``: backtest the risk ranking at a past cutoff, on the book or a CSV file."""

import json
import math
import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from tend.health import backtest
from tend.health.risk import YEAR_DAYS
from tend.health.services.backtest import book_backtest


def _percent(share: float) -> str:
    return "n/a" if not math.isfinite(share) else f"{100 * share:.1f}%"


def _auc(value: float) -> str:
    return "undefined" if not math.isfinite(value) else f"{value:.3f}"


def _lift(value: float) -> str:
    return "undefined" if not math.isfinite(value) else f"{value:.2f}x"


class Command(BaseCommand):
    help = (
        "Backtest: fit on everything before --cutoff, rank the customers by risk, and compare "
        "with who stopped buying (no order) in the horizon that follows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cutoff", required=True, help="The cutoff date, YYYY-MM-DD.")
        parser.add_argument(
            "--horizon",
            default=str(YEAR_DAYS),
            help=f"Days from the cutoff to compare with (default {YEAR_DAYS}).",
        )
        parser.add_argument(
            "--file",
            help="A CSV of transactions (header customer_id,date,amount) instead of the book.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        text = options["cutoff"].strip()
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                raise ValueError
            cutoff = date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--cutoff {text!r} is not a date (YYYY-MM-DD)") from None
        try:
            horizon = int(options["horizon"])
        except ValueError:
            raise CommandError(
                f"--horizon {options['horizon']!r} is not a number of days"
            ) from None
        if horizon < 1:
            raise CommandError("--horizon must be at least 1 day")
        try:
            if options["file"]:
                result = self._from_file(options["file"], cutoff=cutoff, horizon=horizon)
            else:
                result = book_backtest(cutoff=cutoff, horizon_days=horizon)
        except backtest.BacktestError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
        else:
            self._write_text(result, file=options["file"])

    def _from_file(self, path: str, *, cutoff: date, horizon: int) -> backtest.Backtest:
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                transactions = backtest.read_transactions(handle)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text") from None
        except backtest.BacktestError as exc:
            raise CommandError(f"{path}: {exc}") from None
        return backtest.backtest_transactions(transactions, cutoff=cutoff, horizon_days=horizon)

    def _write_text(self, r: backtest.Backtest, *, file: str | None) -> None:
        out = self.stdout.write
        where = f"the file {file}" if file else "the book"
        out(
            f"Backtest of {where} at {r.cutoff}: {r.customers:,} customers with orders before "
            f"the cutoff; horizon {r.horizon_days} days ({r.cutoff} to {r.horizon_end})."
        )
        if not r.fully_observed:
            out(
                self.style.WARNING(
                    f"Warning: the horizon is not fully observed: the data end on "
                    f"{r.observed_until}, the horizon on {r.horizon_end}. Customers may yet "
                    "order in the unobserved part, so 'stopped' is overstated."
                )
            )
        out(
            f"Stopped buying (no order in the horizon): {r.stopped:,} of {r.customers:,} "
            f"({_percent(r.stopped_share)})."
        )
        if not r.auc_defined:
            who = "nobody" if r.stopped == 0 else "everybody"
            out(
                self.style.WARNING(
                    f"ROC AUC and lift are undefined: {who} stopped, so there is nothing to "
                    "tell apart."
                )
            )
        out(f"Tend's ranking here: {r.tend_ranking}.")
        out("")
        if r.model:
            out(f"Buying model chosen by held-out likelihood: {r.model}.")
        combination = r.combination or {}
        if combination:
            if combination.get("learned"):
                windows = combination.get("windows") or []
                horizons = ", ".join(str(w["horizon_days"]) for w in windows)
                out(
                    f"Risk learned at {combination['trained_cutoff']} over "
                    f"{combination['train_horizon_days']} days"
                    + (
                        f" (the book is younger than the horizon: learned at {horizons} days, "
                        "all ending at the cutoff, the horizon a feature)"
                        if len(windows) > 1
                        else ""
                    )
                    + (
                        f"; defaults for: {', '.join(combination['defaults'])}"
                        if combination.get("defaults")
                        else ""
                    )
                    + "."
                )
            for problem in combination.get("problems", []):
                out(self.style.WARNING(f"Defaults used: {problem}."))
        out("")
        out(f"{'Ranking':<22} {'ROC AUC':>9} {'Top-decile lift':>16} {'Stopped in top 10%':>19}")
        for ranking in r.rankings:
            if ranking.problem:
                out(f"{ranking.label:<22} {'n/a':>9}   not available: {ranking.problem}")
                continue
            out(
                f"{ranking.label:<22} {_auc(ranking.auc):>9} {_lift(ranking.lift):>16} "
                f"{_percent(ranking.top_decile_stopped):>19}"
            )
        tend = next((x for x in r.rankings if x.code == "tend"), None)
        if tend and tend.lift_by_decile:
            out(
                "Lift by decile of Tend's risk: "
                + " ".join(f"{v:.2f}" for v in tend.lift_by_decile)
            )
        out(
            "ROC AUC: the chance that a customer who stopped is ranked riskier than one who kept "
            "buying (0.5 = a coin toss). Lift: share stopped in the riskiest 10% over the share "
            "overall."
        )
        out("")
        if math.isfinite(r.predicted_orders):
            diff = (
                f" ({100 * (r.predicted_orders / r.actual_orders - 1):+.1f}%)"
                if r.actual_orders
                else ""
            )
            predicted = f"{r.predicted_orders:,.1f}"
        else:
            diff, predicted = "", "n/a"
        alone = r.orders_by_model.get(r.model, float("nan"))
        if math.isfinite(alone) and alone and abs(alone - r.predicted_orders) > 0.05:
            predicted += (
                f" (the model alone {alone:,.1f}, corrected by its error one horizon back "
                f"x{r.predicted_orders / alone:.2f})"
            )
        out(
            f"Orders in the horizon (order days, {r.model or 'no model'}): predicted "
            f"{predicted}, actual {r.actual_orders:,}{diff}."
        )
        if math.isfinite(r.actual_value) and math.isfinite(r.predicted_value):
            out(
                f"Order value in the horizon: predicted {r.predicted_value:,.0f}, actual "
                f"{r.actual_value:,.0f}."
            )
        out("")
        out(
            f"Calibration of Tend's risk (probability of no order in the horizon): Brier "
            f"{r.brier:.3f}, expected calibration error {r.ece:.3f}."
        )
        out(f"{'Decile':>6} {'Predicted':>10} {'Observed':>9}  chart (# predicted, o observed)")
        for k, row in enumerate(r.calibration, start=1):
            p, o = row["predicted"], row["observed"]
            if not (math.isfinite(p) and math.isfinite(o)):
                continue
            line = [" "] * 41
            line[round(40 * o)] = "o"
            line[round(40 * p)] = "#" if line[round(40 * p)] == " " else "@"
            out(f"{k:>6} {_percent(p):>10} {_percent(o):>9}  |{''.join(line)}|")
        out("")
        out("By decile of Tend's risk (1 = riskiest; equal risks are shared evenly):")
        out(
            f"{'Decile':>6} {'Customers':>10} {'Stopped':>8} {'Predicted orders':>17} {'Actual':>9}"
        )
        for d in r.deciles:
            predicted = (
                "n/a" if not math.isfinite(d.predicted_orders) else f"{d.predicted_orders:,.1f}"
            )
            out(
                f"{d.number:>6} {d.customers:>10,.0f} {_percent(d.stopped):>8} "
                f"{predicted:>17} {d.actual_orders:>9,.1f}"
            )
        if r.tend_zero_risk:
            out(
                f"No signal fired for {r.tend_zero_risk:,} customers "
                f"({_percent(r.tend_zero_risk / r.customers)}): their risk is 0, a tie at the "
                "bottom of the ranking."
            )
        for problem in r.problems:
            out(self.style.WARNING(f"Note: {problem}"))
