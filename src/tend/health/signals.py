"""Where risk signals come from. Each provider reads one area of the book with a few SQL
aggregates and returns ``risk.Signal`` columns aligned with the customers being scored.

Apps register providers with ``register_provider``; complaints and batch exposure (quality),
survey answers (service) and transshipment alerts (channel conflict) plug in here when their
issues arrive, without touching the scoring. A provider that cannot reconstruct its signal at a
past date (the backtest) returns nothing when ``context.historical`` is true.
"""

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from . import risk
from .causes import Cause


@dataclass(frozen=True)
class ScoringContext:
    customer_ids: np.ndarray  # sorted ids of the customers being scored
    now: datetime  # the instant the scoring looks from
    today: date
    historical: bool = False  # True in the backtest: only signals that can be dated
    # The customers' orders, aligned with the ids; a Future of them while the scoring is still
    # reading them (the providers' reads start first, beside it): see ``history``.
    history_source: risk.OrderHistory | Future[risk.OrderHistory] | None = None

    @property
    def history(self) -> risk.OrderHistory | None:
        """The customers' orders, waiting for them if they are still being read."""
        if isinstance(self.history_source, Future):
            return self.history_source.result()
        return self.history_source

    def positions(self, ids) -> np.ndarray:
        """Positions of ``ids`` in ``customer_ids``; ids outside it get -1."""
        return risk.positions(self.customer_ids, ids)

    def column(self, pairs, dtype=float) -> np.ndarray:
        """(customer id, value) rows -> one value per scored customer, 0 elsewhere."""
        out = np.zeros(self.customer_ids.size, dtype=dtype)
        if pairs:
            ids = np.fromiter([pair[0] for pair in pairs], dtype=np.int64, count=len(pairs))
            values = np.array([pair[1] for pair in pairs], dtype=dtype)
            where = self.positions(ids)
            keep = where >= 0
            out[where[keep]] = values[keep]
        return out


Provider = Callable[[ScoringContext], list[risk.Signal]]
_PROVIDERS: dict[str, Provider] = {}


def register_provider(name: str, provider: Provider, texts: dict | None = None) -> Provider:
    """Add a source of signals; ``texts`` gives each new signal code its reason's wording
    (a lazy translatable string with the signal's params as %(name)s placeholders)."""
    _PROVIDERS[name] = provider
    REASON_TEXTS.update(texts or {})
    return provider


def providers() -> list[tuple[str, Provider]]:
    return sorted(_PROVIDERS.items())


# --- how each reason reads -------------------------------------------------------------------

REASON_TEXTS = {
    "rhythm_break": _("No order for %(days)d days; usually orders every %(gap)d days"),
    "single_order_long_ago": _("One order, %(days)d days ago, and none since"),
    "model_no_order": _(
        "The buying model gives a %(percent)d%% chance of no order in the next 12 months"
    ),
    "revenue_decline": _(
        "Revenue in the last 12 months %(revenue)s, down %(percent)d%% on the 12 before"
    ),
    "old_products_only": _(
        "Buys only products launched before %(since)s, while %(book_percent)d%% of the book's "
        "orders are for newer ones"
    ),
    "owner_inactive": _("Their owner %(owner)s has left and nobody has taken over"),
    "no_owner": _("Nobody looks after them (in the pool) although they bought this year"),
    "single_threaded": _(
        "Only %(person)s has ever been in contact with them (%(contacts)d of their contacts)"
    ),
    "touch_overdue": _("No touch for %(days)d days past their cadence"),
    "special_terms": _("Asked for special terms or a discount in the last 90 days"),
}
COUNTED_TEXTS = {
    "broken_promises": ngettext_lazy(
        "%(count)d promise to them broken in the last 90 days",
        "%(count)d promises to them broken in the last 90 days",
        "count",
    ),
    "unanswered_inquiries": ngettext_lazy(
        "%(count)d inquiry waiting for an answer for over 2 days",
        "%(count)d inquiries waiting for an answer for over 2 days",
        "count",
    ),
}


def _money(value) -> str:
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


def reason_text(reason: dict) -> str:
    """A stored reason in the reader's language."""
    code, params = reason.get("code", ""), dict(reason.get("params") or {})
    for name in ("revenue", "previous"):
        if name in params:
            params[name] = _money(params[name])
    for name, value in list(params.items()):
        if value is None:
            params[name] = 0
    if code in COUNTED_TEXTS:
        return str(COUNTED_TEXTS[code] % {**params, "count": int(params.get("count") or 0)})
    text = REASON_TEXTS.get(code)
    if text is None:
        return code.replace("_", " ")
    try:
        return str(text) % params
    except (KeyError, TypeError, ValueError):
        return str(text)


# --- built-in providers ----------------------------------------------------------------------

NEW_PRODUCT_YEARS = 2


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def product_signals(context: ScoringContext) -> list[risk.Signal]:
    """Innovation: last-12-month line value on products launched in the last two years, per
    customer and over the book. One pass over the year's order lines, orders first (on SQLite
    ``CROSS JOIN`` keeps that order: otherwise it scans the year's orders once per product)."""
    from tend.orders.models import Product

    since = context.today - timedelta(days=365)
    launched_after = years_before(context.today, NEW_PRODUCT_YEARS)
    new_products = list(
        Product.objects.filter(launch_date__gte=launched_after).values_list("pk", flat=True)
    )
    rows = []
    if new_products:
        join = "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"
        marks = ", ".join(["%s"] * len(new_products))
        sql = f"""
            SELECT o.customer_id,
                   SUM(CASE WHEN l.product_id IN ({marks})
                       THEN l.quantity * l.unit_price * o.rate_to_base ELSE 0 END),
                   SUM(l.quantity * l.unit_price * o.rate_to_base)
            FROM orders_order o {join} orders_orderline l ON l.order_id = o.id
            WHERE o.order_date >= %s AND o.order_date < %s AND o.status <> 'cancelled'
            GROUP BY o.customer_id
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [*new_products, since, context.today])
            rows = cursor.fetchall()
    new = context.column([(r[0], float(r[1] or 0)) for r in rows])
    total = context.column([(r[0], float(r[2] or 0)) for r in rows])
    book_total = sum(float(r[2] or 0) for r in rows)
    book_new = sum(float(r[1] or 0) for r in rows)
    share = book_new / book_total if book_total else 0.0
    return [
        risk.innovation_signal(
            new, total, book_share=share, launched_after=launched_after.isoformat()
        )
    ]


def engagement_signals(context: ScoringContext) -> list[risk.Signal]:
    """Service: promises broken in the last 90 days, inquiries left unanswered over 2 days, and
    (today only) touches overdue against the cadence."""
    from tend.engagement.models import Interaction, Promise, PromiseOutcome

    now = context.now
    broken = (
        Promise.objects.filter(
            outcome=PromiseOutcome.BROKEN,
            outcome_at__gte=now - timedelta(days=90),
            outcome_at__lt=now,
        )
        .values_list("customer_id")
        .annotate(n=Count("id"))
    )
    # Still open, or (at a past date) answered only later: two reads, each from its partial
    # index (with the OR, SQLite read every interaction of the year from the table).
    asked = Interaction.objects.filter(
        needs_answer=True, at__lt=now - timedelta(days=2), at__gte=now - timedelta(days=365)
    )
    waiting = [
        *asked.filter(answered_at__isnull=True).values_list("customer_id").annotate(n=Count("id")),
        *asked.filter(answered_at__gt=now).values_list("customer_id").annotate(n=Count("id")),
    ]
    signals = [
        risk.count_signal(
            "broken_promises", Cause.SERVICE, context.column(list(broken)), each=0.1, most=0.3
        ),
        risk.count_signal(
            "unanswered_inquiries",
            Cause.SERVICE,
            context.column(_summed(waiting)),
            each=0.15,
            most=0.3,
        ),
    ]
    if not context.historical:
        from tend.customers.models import Customer

        overdue = (
            Customer.objects.filter(touch_due_at__lt=now - timedelta(days=7))
            .order_by()
            .values_list("pk", "touch_due_at")
        )
        days = context.column([(pk, (now - due).days) for pk, due in overdue])
        signals.append(
            risk.Signal(
                "touch_overdue",
                Cause.SERVICE,
                np.where(days > 30, 0.15, np.where(days > 0, 0.1, 0.0)),
                {"days": days},
            )
        )
    return signals


def _summed(pairs) -> list[tuple[int, int]]:
    """(customer id, count) rows with a customer in several of them added up."""
    counts: dict[int, int] = {}
    for pk, n in pairs:
        counts[pk] = counts.get(pk, 0) + n
    return list(counts.items())


def people_signals(context: ScoringContext) -> list[risk.Signal]:
    """People: the owner has left, nobody owns a buying customer, or only one of our people has
    ever been in contact (``customers.selectors.single_threads``, the rule the single-threaded
    report and the handover preview read too). Current state only, so not in the backtest."""
    if context.historical:
        return []
    from tend.accounts.models import User
    from tend.customers.models import Customer
    from tend.customers.selectors import single_threads

    rows = Customer.objects.order_by().values_list("pk", "owner_id", "owner__is_active")
    inactive, pool = [], []
    owners = {}
    for pk, owner, active in rows:
        if owner is not None and not active:
            inactive.append((pk, True))
            owners[pk] = owner
        if owner is None:
            pool.append((pk, True))
    threads = list(single_threads().values_list("customer_id", "in_contact_id", "contacts_reached"))
    people = {
        user.pk: user.get_full_name() or user.username
        for user in User.objects.filter(pk__in={*owners.values(), *(t[1] for t in threads)})
    }
    inactive_flags = context.column(inactive, dtype=bool)
    history = context.history  # last: beside the scoring, it may still be reading the orders
    bought = history.revenue_12m > 0 if history is not None else np.zeros(inactive_flags.size, bool)
    owner_names = _names(context, {pk: people[owner] for pk, owner in owners.items()})
    single = context.column([(pk, True) for pk, _person, _n in threads], dtype=bool)
    in_contact = _names(context, {pk: people[person] for pk, person, _n in threads})
    reached = context.column([(pk, n) for pk, _person, n in threads], dtype=int)
    return [
        risk.flag_signal("owner_inactive", Cause.PEOPLE, inactive_flags, 0.3, owner=owner_names),
        risk.flag_signal("no_owner", Cause.PEOPLE, context.column(pool, dtype=bool) & bought, 0.2),
        risk.flag_signal(
            "single_threaded", Cause.PEOPLE, single, 0.1, person=in_contact, contacts=reached
        ),
    ]


def _names(context: ScoringContext, names: dict[int, str]) -> np.ndarray:
    """A person's name per scored customer ('' elsewhere)."""
    out = np.full(context.customer_ids.size, "", dtype=object)
    if names:
        where = context.positions(list(names))
        keep = where >= 0
        out[where[keep]] = np.array(list(names.values()), dtype=object)[keep]
    return out


def approval_signals(context: ScoringContext) -> list[risk.Signal]:
    """Competition: a customer asking for a discount, special accommodation or better terms is
    often weighing another supplier's offer (seed 004: "new temptations")."""
    from tend.approvals.models import ApprovalRequest, RequestKind

    asked = (
        ApprovalRequest.objects.filter(
            kind__in=[RequestKind.DISCOUNT, RequestKind.ACCOMMODATION, RequestKind.CREDIT_TERMS],
            created_at__gte=context.now - timedelta(days=90),
            created_at__lt=context.now,
        )
        .values_list("customer_id")
        .annotate(n=Count("id"))
    )
    flags = context.column([(pk, True) for pk, _n in asked], dtype=bool)
    return [risk.flag_signal("special_terms", Cause.COMPETITION, flags, 0.15)]


register_provider("products", product_signals)
register_provider("engagement", engagement_signals)
register_provider("people", people_signals)
register_provider("approvals", approval_signals)
