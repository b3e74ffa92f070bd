"""Benchmark tend's BG/NBD, Pareto/NBD and Gamma-Gamma fits, optionally against ``lifetimes``.

    .venv/bin/python bench/fit_models.py --quick
    .venv/bin/python bench/fit_models.py --lifetimes-python /tmp/lifetimes-venv/bin/python

Books: CDNOW (2,357 customers, weeks) and simulated books of 100,000 and 1,000,000 customers
(``--quick``: CDNOW and 100,000 only), acquired evenly over two years and recorded in whole
weeks. The comparison package ``lifetimes`` is used when it can be imported here, or run in a
subprocess with the interpreter given by ``--lifetimes-python`` (it needs old numpy/pandas, so
it usually lives in a venv of its own); it is never a dependency of tend. lifetimes' Pareto/NBD
takes minutes on large books, so it is run on at most ``--lifetimes-pareto-cap`` customers
(the first ones of the book) and tend is timed on the same subset for that row.

Prints one line per fit and ends with a single line of JSON holding every figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CDNOW = ROOT / "src/tend/health/tests/fixtures/cdnow_customers_summary_with_transactions.csv"
LIFETIMES_NAMES = {
    "bgnbd": ("r", "alpha", "a", "b"),
    "paretonbd": ("r", "alpha", "s", "beta"),
    "gammagamma": ("p", "q", "v"),
}
TEND_NAMES = {
    "bgnbd": ("r", "alpha", "a", "b"),
    "paretonbd": ("r", "alpha", "s", "beta"),
    "gammagamma": ("p", "q", "gamma"),
}
MODELS = ("bgnbd", "paretonbd", "gammagamma")


def _books(quick: bool, seed: int) -> dict[str, dict[str, np.ndarray]]:
    """CDNOW plus simulated books; each has BG/NBD and Pareto/NBD histories and spend."""
    from tend.health.scoring import BGNBDParams, GammaGammaParams, ParetoNBDParams, simulate

    raw = np.genfromtxt(CDNOW, delimiter=",", names=True)
    x, t_x, age, m = (np.asarray(raw[c], dtype=float) for c in ("x", "t_x", "T", "zbar"))
    books = {"cdnow": {"bg_x": x, "bg_tx": t_x, "pn_x": x, "pn_tx": t_x, "age": age, "m": m}}
    bg = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    pn = ParetoNBDParams(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    gg = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    for n in (100_000,) if quick else (100_000, 1_000_000):
        rng = np.random.default_rng(seed + n)
        age = simulate.simulate_ages(rng, n, 104.0, step=1.0)
        bg_x, bg_tx = simulate.simulate_bgnbd(rng, bg, age, step=1.0)
        pn_x, pn_tx = simulate.simulate_paretonbd(rng, pn, age, step=1.0)
        spend = np.round(simulate.simulate_spend(rng, gg, bg_x), 2)
        spend[(bg_x > 0) & (spend <= 0)] = 0.01
        books[f"sim_{n}"] = {
            "bg_x": bg_x,
            "bg_tx": bg_tx,
            "pn_x": pn_x,
            "pn_tx": pn_tx,
            "age": age,
            "m": spend,
        }
    return books


def _subset(book: dict[str, np.ndarray], model: str, cap: int | None) -> tuple[np.ndarray, ...]:
    """The arrays a model is fitted on, cut to the first ``cap`` customers if given."""
    end = None if cap is None else cap
    if model == "bgnbd":
        return book["bg_x"][:end], book["bg_tx"][:end], book["age"][:end]
    if model == "paretonbd":
        return book["pn_x"][:end], book["pn_tx"][:end], book["age"][:end]
    repeat = book["bg_x"][:end] > 0
    return book["bg_x"][:end][repeat], book["m"][:end][repeat]


def _cap(model: str, n: int, pareto_cap: int) -> int | None:
    return pareto_cap if model == "paretonbd" and n > pareto_cap else None


def lifetimes_fits(
    books: dict[str, dict[str, np.ndarray]], pareto_cap: int
) -> list[dict[str, Any]]:
    """Fit every book with lifetimes (default settings, raw per-customer rows) and time it."""
    from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter

    np.random.seed(0)
    fitters = {"bgnbd": BetaGeoFitter, "paretonbd": ParetoNBDFitter, "gammagamma": GammaGammaFitter}
    results = []
    for name, book in books.items():
        for model in MODELS:
            cap = _cap(model, book["age"].size, pareto_cap)
            data = _subset(book, model, cap)
            start, cpu_start = time.perf_counter(), time.process_time()
            fitter = fitters[model]().fit(*data)
            seconds = time.perf_counter() - start
            cpu = time.process_time() - cpu_start
            params = {k: float(fitter.params_[k]) for k in LIFETIMES_NAMES[model]}
            results.append(
                {
                    "book": name,
                    "model": model,
                    "n": int(data[0].size),
                    "capped": cap is not None,
                    "seconds": seconds,
                    "cpu_seconds": cpu,
                    "params": params,
                }
            )
            print(f"lifetimes {name:12s} {model:10s} {seconds:9.3f} s", file=sys.stderr)
    return results


def _run_lifetimes_subprocess(
    python: str, books: dict[str, dict[str, np.ndarray]], pareto_cap: int
) -> list[dict[str, Any]]:
    """Run this script as a lifetimes worker under another interpreter, exchanging npz/JSON.

    The worker's progress lines go straight to our stderr; its last stdout line is the JSON.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "books.npz"
        np.savez(path, **{f"{b}__{k}": v for b, book in books.items() for k, v in book.items()})
        proc = subprocess.run(
            [
                python,
                str(Path(__file__).resolve()),
                "--lifetimes-worker",
                str(path),
                "--lifetimes-pareto-cap",
                str(pareto_cap),
            ],
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"lifetimes worker failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _worker(path: str, pareto_cap: int) -> None:
    """Entry point under the lifetimes interpreter: needs numpy and lifetimes only."""
    import warnings

    warnings.filterwarnings("ignore")
    books: dict[str, dict[str, np.ndarray]] = {}
    with np.load(path) as data:
        for key in data.files:
            book, column = key.split("__")
            books.setdefault(book, {})[column] = data[key]
    print(json.dumps(lifetimes_fits(books, pareto_cap)))


def tend_fit(model: str, data: tuple[np.ndarray, ...]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one fit (CPU time is steadier on a shared machine), and the fit."""
    from tend.health.scoring import fit_bgnbd, fit_gamma_gamma, fit_pareto_nbd

    fit = {"bgnbd": fit_bgnbd, "paretonbd": fit_pareto_nbd, "gammagamma": fit_gamma_gamma}[model]
    start, cpu_start = time.perf_counter(), time.process_time()
    result = fit(*data)
    return time.perf_counter() - start, time.process_time() - cpu_start, result


def _tend_ll_at(model: str, params: dict[str, float], data: tuple[np.ndarray, ...]) -> float:
    """tend's log-likelihood at lifetimes' parameters, to see whose optimum is higher."""
    from tend.health.scoring import (
        BGNBDParams,
        GammaGammaParams,
        ParetoNBDParams,
        bgnbd,
        gammagamma,
        paretonbd,
    )

    values = [params[k] for k in LIFETIMES_NAMES[model]]
    if model == "bgnbd":
        return bgnbd.log_likelihood(BGNBDParams(*values), *data)
    if model == "paretonbd":
        return paretonbd.log_likelihood(ParetoNBDParams(*values), *data)
    return gammagamma.log_likelihood(GammaGammaParams(*values), *data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="CDNOW and 100,000 customers only")
    parser.add_argument("--lifetimes-python", help="interpreter with lifetimes installed")
    parser.add_argument("--lifetimes-pareto-cap", type=int, default=100_000)
    parser.add_argument("--no-lifetimes", action="store_true", help="time tend alone")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--lifetimes-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.lifetimes_worker:
        _worker(args.lifetimes_worker, args.lifetimes_pareto_cap)
        return

    try:
        import tend.health.scoring  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(ROOT / "src"))

    books = _books(args.quick, args.seed)
    reference: list[dict[str, Any]] = []
    source = None
    if not args.no_lifetimes:
        if args.lifetimes_python:
            source = f"subprocess {args.lifetimes_python}"
            reference = _run_lifetimes_subprocess(
                args.lifetimes_python, books, args.lifetimes_pareto_cap
            )
        else:
            try:
                reference = lifetimes_fits(books, args.lifetimes_pareto_cap)
                source = "in-process"
            except ImportError:
                print("lifetimes not importable and no --lifetimes-python: timing tend alone")
    by_key = {(r["book"], r["model"]): r for r in reference}

    rows = []
    for name, book in books.items():
        n = int(book["age"].size)
        for model in MODELS:
            seconds, cpu, fit = tend_fit(model, _subset(book, model, None))
            row: dict[str, Any] = {
                "book": name,
                "model": model,
                "customers": n,
                "fitted_rows": fit.n,
                "unique_rows": fit.n_unique,
                "tend_seconds": round(seconds, 4),
                "tend_cpu_seconds": round(cpu, 4),
                "converged": fit.converged,
                "log_likelihood": fit.log_likelihood,
                "params": {k: getattr(fit.params, k) for k in TEND_NAMES[model]},
            }
            line = f"{name:12s} {model:10s} n={n:>9,d} tend {seconds:7.3f} s (cpu {cpu:7.3f})"
            ref = by_key.get((name, model))
            if ref is not None:
                data = _subset(book, model, _cap(model, n, args.lifetimes_pareto_cap))
                if ref["capped"]:
                    seconds, cpu, fit = tend_fit(model, data)
                    row["tend_seconds_on_lifetimes_subset"] = round(seconds, 4)
                    row["tend_cpu_seconds_on_lifetimes_subset"] = round(cpu, 4)
                ours = np.array([getattr(fit.params, k) for k in TEND_NAMES[model]])
                theirs = np.array([ref["params"][k] for k in LIFETIMES_NAMES[model]])
                rel = float(np.max(np.abs(ours - theirs) / np.abs(theirs)))
                ll_gap = fit.log_likelihood - _tend_ll_at(model, ref["params"], data)
                row.update(
                    {
                        "lifetimes_customers": ref["n"],
                        "lifetimes_capped": ref["capped"],
                        "lifetimes_seconds": round(ref["seconds"], 4),
                        "lifetimes_cpu_seconds": round(ref["cpu_seconds"], 4),
                        "speedup": round(ref["seconds"] / seconds, 2),
                        "speedup_cpu": round(ref["cpu_seconds"] / cpu, 2),
                        "max_rel_param_diff": rel,
                        "tend_ll_minus_ll_at_lifetimes_params": ll_gap,
                        "lifetimes_params": ref["params"],
                    }
                )
                capped = (
                    f" (lifetimes capped at {ref['n']:,d}; tend timed on the same)"
                    if (ref["capped"])
                    else ""
                )
                line += (
                    f" | lifetimes {ref['seconds']:8.3f} s (cpu {ref['cpu_seconds']:8.3f})"
                    f" | x{ref['cpu_seconds'] / cpu:6.1f} cpu"
                    f" | max rel param diff {rel:.1e} | LL gap {ll_gap:+.2e}{capped}"
                )
            print(line, flush=True)
            rows.append(row)
    print(json.dumps({"lifetimes": source, "quick": args.quick, "results": rows}))


if __name__ == "__main__":
    main()
