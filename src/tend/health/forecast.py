"""What the buying models expect of each customer: pure numpy, no Django.

Two order models compete on every book, and the one that better predicts customers it has not
seen wins (held-out log-likelihood of the order times, on a fifth of the customers):

- **Pareto/NBD**: orders at random (Poisson) while alive, and a customer can leave at any time,
  so a one-time buyer long silent is probably gone (BG/NBD, the model Tend used before, lets
  customers leave only right after a repeat order and so keeps every one-time buyer alive).
- **MBG/CNBD-k**: orders on a rhythm (Erlang-k gaps), leaving after any order, the first
  included. Importers and dealers who reorder every quarter are its case: a regular buyer past
  its usual gap is a stronger warning than the same silence from an irregular one.

Order value is Gamma-Gamma, as before. Both models are fitted on at most ``FIT_SAMPLE``
customers drawn at random (seeded): the few population parameters are pinned down long before
100,000 customers, and every customer is then scored with them.
"""

import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from tend.health import scoring
from tend.health.risk import YEAR_DAYS, OrderHistory
from tend.health.scoring import mbgcnbd, paretonbd

FloatArray = NDArray[np.float64]

FIT_SAMPLE = 20_000
# CPU seconds of the fitting thread (not of the reader beside it); a Pareto/NBD fit still running
# then is dropped.
FIT_SECONDS = 1.5
TRIAL_SAMPLE = 2_000  # customers a Pareto/NBD fit is tried on first
MODELS = ("pareto_nbd", "mbg_cnbd_k")
HELD_OUT_SHARE = 5  # one customer in five is held out to choose the model
MODEL_LABELS = {"pareto_nbd": "Pareto/NBD", "mbg_cnbd_k": "MBG/CNBD-k (regular buyers)"}


@dataclass
class Forecast:
    """Per customer, aligned with the history's ids; NaN without orders or without a fit."""

    p_alive: FloatArray
    expected_orders_12m: FloatArray
    p_no_order_12m: FloatArray
    expected_value_12m: FloatArray
    clv_36m: FloatArray
    horizon_days: int = YEAR_DAYS
    p_no_order: FloatArray = field(default_factory=lambda: np.zeros(0))  # in the horizon
    expected_orders: FloatArray = field(default_factory=lambda: np.zeros(0))  # in the horizon
    value_if_kept_12m: FloatArray = field(default_factory=lambda: np.zeros(0))
    order_value: FloatArray = field(default_factory=lambda: np.zeros(0))  # expected per order
    model: str = ""
    fitted: object = None  # the chosen model's parameters
    by_model: dict = field(default_factory=dict)  # model -> expected orders in the horizon
    parameters: dict = field(default_factory=dict)
    problem: str = ""


def _split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(fit rows, held-out rows), each at most FIT_SAMPLE, drawn with a fixed seed."""
    order = np.random.default_rng(seed).permutation(n)
    if n < 50:
        return order, order
    held = order[::HELD_OUT_SHARE][: FIT_SAMPLE // 2]
    fit = np.setdiff1d(order, held, assume_unique=True)
    if fit.size > FIT_SAMPLE:
        fit = np.sort(np.random.default_rng(seed + 1).choice(fit, FIT_SAMPLE, replace=False))
    return fit, held


def _fit_pareto_nbd(x, t_x, age, f, h) -> tuple[object, dict]:
    """Tried first on a few customers with a third of the time (a fit that settles does so in
    a tenth of it): on a book where it runs off, that is where it shows, and the full fit is
    not attempted. A small book's fit is the trial."""
    seconds = FIT_SECONDS
    if f.size > 2 * TRIAL_SAMPLE:
        trial = np.random.default_rng(0).choice(f, TRIAL_SAMPLE, replace=False)
        deadline = time.thread_time() + FIT_SECONDS / 3
        scoring.fit_pareto_nbd(x[trial], t_x[trial], age[trial], deadline=deadline)
    else:
        seconds = FIT_SECONDS / 3
    fit = scoring.fit_pareto_nbd(x[f], t_x[f], age[f], deadline=time.thread_time() + seconds)
    ll = paretonbd.log_likelihood_rows(fit.params, x[h], t_x[h], age[h])
    p = fit.params
    return p, {"r": p.r, "alpha": p.alpha, "s": p.s, "beta": p.beta, "ll": float(ll.mean())}


def _fit_mbg_cnbd_k(x, t_x, age, litt, f, h, k=None) -> tuple[object, dict]:
    p = mbgcnbd.fit(x[f], t_x[f], age[f], litt[f], k=k).params
    ll = mbgcnbd.log_likelihood(p, x[h], t_x[h], age[h], litt[h])
    return p, {"k": p.k, "r": p.r, "alpha": p.alpha, "a": p.a, "b": p.b, "ll": float(ll.mean())}


def _fit_models(
    x, t_x, age, litt, seed: int, models=MODELS, k=None
) -> tuple[dict, dict, list[str]]:
    """Fit the models on the fit rows; score the held-out rows' log-likelihood per customer."""
    f, h = _split(x.size, seed)
    fits: dict = {}
    summary: dict = {}
    problems = []
    for name in models:
        try:
            if name == "pareto_nbd":
                params, figures = _fit_pareto_nbd(x, t_x, age, f, h)
            else:
                params, figures = _fit_mbg_cnbd_k(x, t_x, age, litt, f, h, k)
        except (ValueError, TimeoutError) as exc:
            problems.append(f"{MODEL_LABELS[name].split(' ')[0]}: {exc}")
            continue
        fits[name] = params
        figures["held_out_log_likelihood"] = figures.pop("ll")
        summary[name] = figures
    summary["fit_customers"] = int(f.size)
    summary["held_out_customers"] = int(h.size)
    return fits, summary, problems


def _module(params):
    return paretonbd if isinstance(params, scoring.ParetoNBDParams) else mbgcnbd


def forecast(
    history: OrderHistory,
    *,
    horizon_days: int = YEAR_DAYS,
    monthly_discount_rate: float = 0.01,
    seed: int = 0,
    value: bool = True,
    models: tuple[str, ...] = MODELS,
    k: int | None = None,
) -> Forecast:
    """Fit the order models (both unless ``models`` names one), keep the one with the better
    held-out likelihood, and predict the horizon (and the 12 months' orders, the order value
    and the 36-month value when ``value``). ``k``: MBG/CNBD-k's regularity, if already
    chosen (the learning windows use today's)."""
    n = history.customer_ids.size
    nan = np.full(n, np.nan)
    result = Forecast(
        nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy(), horizon_days=horizon_days
    )
    result.p_no_order, result.expected_orders = nan.copy(), nan.copy()
    result.value_if_kept_12m = nan.copy()
    result.order_value = nan.copy()
    has = history.has_orders
    if not has.any():
        result.problem = "no customer has an order yet"
        return result
    x, t_x, age = history.frequency[has], history.recency[has], history.age[has]
    litt = history.log_gaps[has]
    fits, summary, problems = _fit_models(x, t_x, age, litt, seed, models, k)
    result.parameters["models"] = summary
    if not fits:
        result.problem = "; ".join(problems)
        return result
    chosen = max(fits, key=lambda name: summary[name]["held_out_log_likelihood"])
    result.model = chosen
    result.parameters["model"] = chosen
    params = fits[chosen]
    result.fitted = params
    module = _module(params)
    result.p_alive[has] = module.probability_alive(params, x, t_x, age)
    result.p_no_order[has] = module.probability_no_order(params, horizon_days, x, t_x, age)
    for name, p in fits.items():
        result.by_model[name] = nan.copy()
        result.by_model[name][has] = _module(p).expected_orders(p, horizon_days, x, t_x, age)
    result.expected_orders = result.by_model[chosen]
    if horizon_days == YEAR_DAYS:
        result.p_no_order_12m = result.p_no_order
        result.expected_orders_12m = result.expected_orders
    else:
        result.p_no_order_12m[has] = module.probability_no_order(params, YEAR_DAYS, x, t_x, age)
    if not value:
        # The learning windows need the horizon's figures only: the 12 months' expected orders
        # (a series summed per customer, the slowest step) are left unknown.
        return result
    if horizon_days != YEAR_DAYS:
        result.expected_orders_12m[has] = module.expected_orders(params, YEAR_DAYS, x, t_x, age)

    # Order value: Gamma-Gamma shrinks each customer's mean towards the book's. When it cannot
    # be fitted or its population mean is infinite (q <= 1), each customer's own mean is used.
    own_mean = history.total_value[has] / history.order_days[has]
    order_value = own_mean
    spend = history.repeat_value[has]
    try:
        spend_fit = scoring.fit_gamma_gamma(x, spend)
        order_value = scoring.expected_order_value(spend_fit.params, x, spend)
        result.parameters["gamma_gamma"] = {
            "p": spend_fit.params.p,
            "q": spend_fit.params.q,
            "gamma": spend_fit.params.gamma,
        }
    except ValueError as exc:
        problems.append(f"order value from each customer's own mean: {exc}")
    result.order_value[has] = order_value
    orders_12m = result.expected_orders_12m[has]
    result.expected_value_12m[has] = orders_12m * order_value
    # What the customer brings in 12 months if it stays: the orders expected while alive.
    alive = np.maximum(result.p_alive[has], 1e-12)
    result.value_if_kept_12m[has] = np.minimum(orders_12m / alive, 1e6) * order_value
    discounted = scoring.discounted_expected_orders(
        params,
        x,
        t_x,
        age,
        months=(12,),  # quarters: 36 months, discounted quarter by quarter
        time_units_per_month=3 * scoring.DAYS_PER_MONTH,
        monthly_discount_rate=(1.0 + monthly_discount_rate) ** 3 - 1.0,
    )
    # A degenerate fit on a tiny book can make the discounted sum explode: cap it as the
    # value-if-kept above (a million orders), so a stored value is a number, not an overflow.
    result.clv_36m[has] = np.minimum(discounted[12], 1e6) * order_value
    result.problem = "; ".join(problems)
    return result
