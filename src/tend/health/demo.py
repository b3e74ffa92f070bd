"""The demo book's health: a few customers shaped to tell seed 004's stories of customer loss,
then the whole book scored, with 90 days of history and the playbooks' tasks.

After the orders, conversations and approvals are built, this step picks customers of the right
kind among the largest ones and rewrites a little of their history, so that the at-risk list
opens on one believable story per cause of loss:

- **quality** — a distributor received a second batch that made consumers complain; we
  promised to replace the goods and did not; its monthly orders stopped.
- **innovation** — a long-standing customer who still buys only models launched years ago, while
  the rest of the book has moved to the new ones; its revenue slides.
- **service** — the broken air conditioner, with our appliances: a customer bounced between
  sales and service, two inquiries unanswered for over a week, two promises broken, no touch.
- **channel conflict** — a dealer whose territory a neighbouring dealer sells into (pushed by
  that dealer's account manager); its revenue falls sharply. Transshipment alerts come with a
  later issue: for now the story is in its conversations and the revenue decline.
- **people** — a rep left this morning and nobody took over (deactivated without a handover):
  their customers show "owner has left". The system check and ``tend inactive_assignments``
  report them, as they should; no test or build step requires the demo to be clean of them.
- **competition** — a tier-A customer, 40% down on the year before, asking for 15% off an open
  order because a competitor offered better terms (an approval request, waiting).
- a healthy tier-A customer for contrast, and one customer already marked lost to a competitor,
  with a date to try to win it back.

Everything is written with the normal models and services (``interaction_log``,
``promise_make``, ``request_create``, ``mark_lost``), at the demo's dates, never by writing
snapshots. Where the step rewrites the book's past (orders that never happened, lines that were
always on a newer model) it deletes or updates rows directly, as the other demo steps write
them: that is history, not a change that would need an approval.

The catalogue gets successors of a few best-selling old models, launched 16 months ago and
adopted by part of the book, so that the book buys recent products whatever the seed (the
innovation signal needs 15% of the book's value on them).

Finally the book is scored as the daily job would have scored it: every 15 days over the last
90 days (history for the customer page; fewer points for bigger books, see ``HISTORY_EVERY``),
then today with the playbooks.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils.translation import gettext as _

from tend.accounts.models import User
from tend.approvals import demo as _approvals_step  # noqa: F401  (the steps this one follows)
from tend.approvals import services as approvals
from tend.approvals.models import ApprovalRequest
from tend.audit.models import AuditAction
from tend.audit.services import audit_record
from tend.core.reference import country_names
from tend.customers.models import Contact, Customer
from tend.customers.selectors import single_threads
from tend.demo.registry import DemoContext, DemoCustomer, Timer, register_step
from tend.engagement import demo as _engagement_step  # noqa: F401
from tend.engagement.demo import RELIABLE_REP, UNRELIABLE_REP
from tend.engagement.models import (
    Channel,
    Direction,
    Interaction,
    Promise,
    PromiseKind,
    PromiseOutcome,
)
from tend.engagement.services import interaction_log, promise_make, promises_break_overdue
from tend.orders import demo as _orders_step  # noqa: F401
from tend.orders.models import (
    DisruptionNotice,
    EstimateChange,
    Order,
    OrderLine,
    OrderStatus,
    OrderUpdate,
    Product,
    Sample,
)
from tend.orders.timeline_kinds import ORDER
from tend.tasks.models import Task
from tend.timeline.models import TimelineEntry

from .causes import LostReason
from .models import HealthSnapshot, LostRecord, PlaybookFiring, RiskDayTotal, ScoreRun
from .services.lost import mark_lost
from .services.scoring import score_book
from .signals import NEW_PRODUCT_YEARS, years_before

HISTORY_DAYS = 90
# Up to so many customers, a past score every so many days over the last 90. One scoring takes a
# fraction of a second at 2,000 customers, about two seconds at 20,000 and several at 100,000:
# bigger books get today's score only.
HISTORY_EVERY = ((5_000, 15), (20_000, 30))
SUCCESSORS = 3  # best-selling old models that get a new generation
SUCCESSOR_AGE = 490  # days since the new generations came out (within two years at every point)
ADOPTION = 0.6  # share of the book that moved to each new generation
COMPETITOR = "Foshan Kaisa Electric Appliance Co."
YEAR = 365
STORY_TIERS = ("A", "B")
CLOSED = (OrderStatus.SHIPPED, OrderStatus.DELIVERED)

# What consumers noticed in the second batch, by product family (seed 004: the beer that
# tasted off).
DEFECTS = {
    "Kettles": "the water tastes off, of plastic",
    "Coffee makers": "the coffee tastes off, bitter and metallic",
    "Juicers": "the juice tastes off, of rubber",
    "Blenders": "the jars leak at the base",
    "Rice cookers": "the non-stick coating peels into the rice",
    "Air fryers": "the basket coating flakes into the food",
    "Toasters": "the toast burns on one side",
}
TASTE_FIRST = ("Kettles", "Coffee makers", "Juicers")
FAULTS = {  # the service story: what stopped working
    "Air fryers": "stopped heating",
    "Kettles": "stopped switching off",
    "Coffee makers": "started leaking",
    "Rice cookers": "stopped keeping warm",
}


@dataclass
class Facts:
    """A candidate customer's orders, as the scoring will see them today."""

    customer: DemoCustomer
    recent: float  # revenue of the last 12 months, base currency
    previous: float  # of the 12 months before
    orders: int
    first: date | None
    last: date | None

    @property
    def annual(self) -> float:
        return max(self.recent, self.previous)

    @property
    def gap(self) -> float:
        if self.orders < 2 or self.first is None or self.last is None:
            return math.inf
        return (self.last - self.first).days / (self.orders - 1)


def _stem(name: str) -> str:
    return " ".join(name.lower().split()[:2])


def reset(ctx: DemoContext) -> None:
    """Scores, playbook firings and tasks, lost records (the people come back with the people
    step; the products go with the orders step)."""
    Task.objects.filter(origin__in=["playbook", "win_back"]).delete()
    PlaybookFiring.objects.all().delete()
    HealthSnapshot.objects.all().delete()
    RiskDayTotal.objects.all().delete()
    ScoreRun.objects.all().delete()
    LostRecord.objects.all().delete()


@register_step("health_stories", reset=reset)
def build_health_stories(ctx: DemoContext) -> None:
    """Shape the story customers, then score 90 days of history and today."""
    with Timer(ctx, "  shape the stories"):
        stories = Stories(ctx)
        stories.tell()
    _score(ctx, stories)
    ctx.data["health_stories"] = stories.told
    _say_where(ctx, stories)
    ctx.counts["health_snapshots"] = HealthSnapshot.objects.count()
    ctx.counts["playbook_tasks"] = Task.objects.filter(origin="playbook").count()


def _say_where(ctx: DemoContext, stories: "Stories") -> None:
    """Name the story customers, so whoever shows the demo knows whom to open."""
    names = dict(
        Customer.objects.filter(
            pk__in=[pk for story, ids in stories.told.items() if story != "people" for pk in ids]
        ).values_list("pk", "name")
    )
    ctx.write("Health stories (seed 004's causes of loss), on the at-risk list and timelines:")
    for story, ids in stories.told.items():
        if story == "people":
            ctx.write(f"  {'people':<12} {len(ids)} customers of {stories.leaving}, who left")
        else:
            ctx.write(f"  {story:<12} {', '.join(names[pk] for pk in ids)}")


def history_points(ctx: DemoContext) -> list[datetime]:
    """The past instants scored before today (none for a big book)."""
    every = next((days for size, days in HISTORY_EVERY if ctx.size <= size), None)
    if every is None:
        return []
    return [ctx.now - timedelta(days=days) for days in range(HISTORY_DAYS, 0, -every)]


def _score(ctx: DemoContext, stories: "Stories") -> None:
    # Promises past due and grace become broken, as the worker would have done on the day.
    promises_break_overdue(now=ctx.now)
    points = history_points(ctx)
    with Timer(ctx, f"  score {len(points)} past days"):
        for moment in points:
            score_book(now=moment, run_playbooks=False)
    # The rep left this morning: the past scores saw them at work.
    stories.rep_leaves()
    with Timer(ctx, "  score today, playbooks"):
        score_book(now=ctx.now)


def _new_since(today: date) -> date:
    """The first launch day that counts as new on ``today`` for any of the scored days (the
    innovation signal looks NEW_PRODUCT_YEARS back from each)."""
    return years_before(today, NEW_PRODUCT_YEARS) - timedelta(days=HISTORY_DAYS)


class Stories:
    """Picks the story customers and rewrites their history; ``told`` maps each story to its
    customers' ids."""

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.today = ctx.today
        self.rng = ctx.rng("health")
        self.told: dict[str, list[int]] = {}
        self.used: set[int] = set()
        self.leaving = self._leaving_rep()
        # The stories are about reps' customers (managers own a few too).
        self.active_owners = {
            user.pk
            for user in ctx.users.values()
            if user.is_rep and user.is_active and user != self.leaving
        }
        self.excluded = self._excluded()
        self.facts = self._facts()
        self.names = dict(
            Customer.objects.filter(
                tier__in=STORY_TIERS, status__in=["active", "dormant"]
            ).values_list("pk", "name")
        )
        self.stems: set[str] = set()  # no two stories on look-alike names (de Jong, de Jong)

    # --- choosing ---

    def _leaving_rep(self) -> User | None:
        """The rep who leaves: of those not in seed 002's story (A and B), the one who owns the
        fewest customers."""
        owned: dict[int, int] = defaultdict(int)
        for customer in self.ctx.customers:
            if customer.owner_id:
                owned[customer.owner_id] += 1
        reps = [
            user
            for username, user in self.ctx.users.items()
            if user.is_rep and username not in (RELIABLE_REP, UNRELIABLE_REP) and owned[user.pk]
        ]
        return min(reps, key=lambda user: (owned[user.pk], user.username), default=None)

    def _excluded(self) -> set[int]:
        """Customers whose history other steps' stories hang on: the approvals' requests, the
        port closure, samples that led to an order."""
        excluded = set(ApprovalRequest.objects.values_list("customer_id", flat=True))
        excluded |= set(DisruptionNotice.objects.values_list("customer_id", flat=True))
        excluded |= set(
            EstimateChange.objects.filter(disruption__isnull=False).values_list(
                "order__customer_id", flat=True
            )
        )
        excluded |= set(
            Sample.objects.filter(order__isnull=False).values_list("customer_id", flat=True)
        )
        return excluded

    def _facts(self) -> dict[int, Facts]:
        since, before = self.today - timedelta(days=YEAR), self.today - timedelta(days=2 * YEAR)
        rows = (
            Order.objects.exclude(status=OrderStatus.CANCELLED)
            .filter(
                order_date__lt=self.today,
                customer__tier__in=STORY_TIERS,
                customer__status__in=["active", "dormant"],
            )
            .values("customer_id")
            .annotate(
                recent=Sum("amount_base", filter=Q(order_date__gte=since)),
                previous=Sum("amount_base", filter=Q(order_date__gte=before, order_date__lt=since)),
                orders=Count("id"),
                first=Min("order_date"),
                last=Max("order_date"),
            )
        )
        by_id = {customer.id: customer for customer in self.ctx.customers}
        facts = {}
        for row in rows:
            customer = by_id.get(row["customer_id"])
            if customer is None:
                continue
            facts[customer.id] = Facts(
                customer,
                float(row["recent"] or 0),
                float(row["previous"] or 0),
                row["orders"],
                row["first"],
                row["last"],
            )
        return facts

    def _candidates(
        self, *, status="active", tiers=STORY_TIERS, types=None, since: int = 0
    ) -> list[Facts]:
        """Eligible customers, largest first: owned by a rep who stays, not in another story,
        buying for ``since`` days or more."""
        first_by = self.today - timedelta(days=since)
        found = [
            fact
            for fact in self.facts.values()
            if fact.customer.status == status
            and fact.first is not None
            and fact.first <= first_by
            and fact.customer.tier in tiers
            and (types is None or fact.customer.type in types)
            and fact.customer.owner_id in self.active_owners
            and fact.customer.id not in self.used
            and fact.customer.id not in self.excluded
            and _stem(self.names.get(fact.customer.id, "")) not in self.stems
        ]
        # Tier A before B, then by value; the id settles ties.
        found.sort(key=lambda fact: (fact.customer.tier, -fact.annual, fact.customer.id))
        return found

    def _take(self, story: str, customer_id: int) -> Customer:
        customer = Customer.objects.select_related("owner", "territory").get(pk=customer_id)
        self.used.add(customer_id)
        self.stems.add(_stem(customer.name))
        self.told.setdefault(story, []).append(customer_id)
        return customer

    # --- writing ---

    def at(self, days_ago: float, hour: float, person: User | None) -> datetime:
        """A working day ``days_ago`` before the demo's today (the Friday before a weekend), at
        ``hour`` in ``person``'s time zone."""
        day = self.today - timedelta(days=int(days_ago))
        while day.weekday() in settings.TEND_WEEKEND_DAYS:
            day -= timedelta(days=1)
        zone = ZoneInfo((person.time_zone if person else "") or "UTC")
        minutes = round(hour * 60)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
        return min(local.astimezone(UTC), self.ctx.now - timedelta(hours=1))

    def next_day(self, moment: datetime, hour: float, person: User | None, days: int = 1):
        """``days`` working days after ``moment`` (in ``person``'s time zone), at ``hour``: the
        answer to a message, kept after it whatever the weekends."""
        zone = ZoneInfo((person.time_zone if person else "") or "UTC")
        day = moment.astimezone(zone).date()
        for _n in range(days):
            day += timedelta(days=1)
            while day.weekday() in settings.TEND_WEEKEND_DAYS:
                day += timedelta(days=1)
        minutes = round(hour * 60)
        local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
        return min(local.astimezone(UTC), self.ctx.now - timedelta(hours=1))

    def contact(self, customer: Customer) -> Contact | None:
        return Contact.objects.filter(customer_id=customer.pk).order_by("-is_primary", "id").first()

    def log(self, customer: Customer, when: datetime, channel: str, direction: str, subject: str,
            summary: str = "", *, needs_answer: bool = False, promise: dict | None = None,
            by: User | None = None) -> Interaction:  # fmt: skip
        contact = self.contact(customer)
        return interaction_log(
            by=by or customer.owner,
            customer=customer,
            channel=channel,
            direction=direction,
            at=when,
            subject=subject,
            summary=summary,
            contacts=[contact] if contact else [],
            needs_answer=needs_answer,
            promise=promise,
        )

    def delete_orders(self, order_ids) -> None:
        """Orders that never happened, with their lines, updates and timeline entries."""
        order_ids = list(order_ids)
        if not order_ids:
            return
        update_ids = list(
            OrderUpdate.objects.filter(order_id__in=order_ids).values_list("id", flat=True)
        )
        TimelineEntry.objects.filter(
            Q(source_type=Order._meta.label_lower, source_id__in=order_ids)
            | Q(source_type=OrderUpdate._meta.label_lower, source_id__in=update_ids)
        ).delete()
        Order.objects.filter(pk__in=order_ids).delete()

    def refresh_amounts(self, order_ids) -> None:
        """An order's amount is the sum of its lines; its timeline entry says so."""
        title = _("Order %(number)s: %(amount)s %(currency)s, ship by %(date)s")
        cent = Decimal("0.01")
        for order in Order.objects.filter(pk__in=list(order_ids)).prefetch_related("lines"):
            amount = sum((line.amount for line in order.lines.all()), Decimal("0"))
            base = (amount * order.rate_to_base).quantize(cent, rounding=ROUND_HALF_UP)
            Order.objects.filter(pk=order.pk).update(amount=amount, amount_base=base)
            TimelineEntry.objects.filter(
                kind=ORDER.key, source_type=Order._meta.label_lower, source_id=order.pk
            ).update(
                title=title
                % {
                    "number": order.number,
                    "amount": f"{amount:,.2f}",
                    "currency": order.currency,
                    "date": order.promised_ship_date.isoformat()
                    if order.promised_ship_date
                    else "—",
                },
                data={"amount_base": str(base)},
            )

    def revenue(self, customer_id: int) -> tuple[float, float]:
        """(last 12 months, the 12 before) in base currency, as the scoring counts them."""
        since, before = self.today - timedelta(days=YEAR), self.today - timedelta(days=2 * YEAR)
        totals = (
            Order.objects.filter(customer_id=customer_id, order_date__lt=self.today)
            .exclude(status=OrderStatus.CANCELLED)
            .aggregate(
                recent=Sum("amount_base", filter=Q(order_date__gte=since)),
                previous=Sum("amount_base", filter=Q(order_date__gte=before, order_date__lt=since)),
            )
        )
        return float(totals["recent"] or 0), float(totals["previous"] or 0)

    def cut_revenue(self, customer_id: int, *, keep: float, spare: int | None = None) -> None:
        """Delete shipped orders of the last 12 months (but ``spare``), in a random order,
        until that year's revenue is at most ``keep`` of the year before's."""
        recent, previous = self.revenue(customer_id)
        target = keep * previous
        if recent <= target:
            return
        orders = list(
            Order.objects.filter(
                customer_id=customer_id,
                order_date__gte=self.today - timedelta(days=YEAR),
                order_date__lt=self.today,
                status__in=CLOSED,
            )
            .exclude(pk=spare)
            .order_by("order_date", "id")
            .values_list("id", "amount_base")
        )
        self.rng.shuffle(orders)
        doomed = []
        for order_id, amount in orders:
            if recent <= target:
                break
            doomed.append(order_id)
            recent -= float(amount)
        self.delete_orders(doomed)

    # --- the stories ---

    def tell(self) -> None:
        self.successors()
        for story in (
            self.quality,
            self.channel_conflict,
            self.competition,
            self.innovation,
            self.service,
            self.healthy,
            self.lost,
        ):
            story()
        if self.leaving is not None:
            self.told["people"] = [
                customer.id
                for customer in self.ctx.customers
                if customer.owner_id == self.leaving.pk
            ]

    def successors(self) -> None:
        """New generations of the best-selling old models, launched SUCCESSOR_AGE days ago;
        part of the book switched to them some time after."""
        launched = self.today - timedelta(days=SUCCESSOR_AGE)
        old_before = _new_since(self.today)
        # Best-selling over the last quarter (plenty to rank). The lines are read order first:
        # the planner has no statistics for the fresh tables before the build's final ANALYZE.
        quarter = Order.objects.filter(order_date__gte=self.today - timedelta(days=HISTORY_DAYS))
        old_models = Product.objects.filter(launch_date__lt=old_before, active=True)
        best = (
            OrderLine.objects.filter(
                order_id__in=quarter.values("id"),
                product_id__in=list(old_models.values_list("id", flat=True)),
            )
            .values("product_id")
            .annotate(n=Count("id"))
            .order_by("-n", "product_id")
        )
        old = Product.objects.in_bulk([row["product_id"] for row in best[:SUCCESSORS]])
        skus = set(Product.objects.values_list("sku", flat=True))
        pairs = []
        for product in sorted(old.values(), key=lambda p: p.sku):
            sku = product.sku
            while sku in skus:
                sku = f"{sku[:2]}{int(sku[2:]) + 5}" if sku[2:].isdigit() else f"{sku}N"
            skus.add(sku)
            new = Product.objects.create(
                sku=sku,
                name=f"{product.name}, new generation",
                local_name=f"{product.local_name} 新款" if product.local_name else "",
                category=product.category,
                launch_date=launched,
                list_price=(product.list_price * Decimal("1.08")).quantize(Decimal("0.01"))
                if product.list_price
                else None,
            )
            pairs.append((product, new))
        if not pairs:
            return
        # Each customer that adopts the new generation does so on its own day; its lines of the
        # old model from then on were on the new one (same price: an introductory offer).
        rng = self.ctx.rng("health:successors")
        first_day = launched + timedelta(days=30)
        span = (self.today - first_day).days
        adopts: dict[int, date | None] = {}
        for customer in self.ctx.customers:
            adopted = rng.random() < ADOPTION
            day = first_day + timedelta(days=int(rng.random() * span * 0.6))
            adopts[customer.id] = day if adopted else None
        updates = defaultdict(list)
        for old_product, new_product in pairs:
            rows = OrderLine.objects.filter(
                product_id=old_product.pk, order__order_date__gte=first_day
            ).values_list("id", "order__customer_id", "order__order_date", "batch_number")
            for line_id, customer_id, day, batch in rows.iterator(chunk_size=5000):
                adopted = adopts.get(customer_id)
                if adopted is None or day < adopted:
                    continue
                if batch.startswith(old_product.sku):
                    batch = new_product.sku + batch[len(old_product.sku) :]
                updates[new_product.pk, batch].append(line_id)
        table = connection.ops.quote_name(OrderLine._meta.db_table)
        with connection.cursor() as cursor:
            for (product_id, batch), ids in updates.items():
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(
                        f"UPDATE {table} SET product_id = %s, batch_number = %s "
                        f"WHERE id IN ({marks})",
                        [product_id, batch, *chunk],
                    )
        self.ctx.counts["new_generation_lines"] = sum(len(ids) for ids in updates.values())

    def quality(self) -> None:
        """The unstable second batch: complaints, a promise to replace the goods broken, and the
        monthly orders stop."""
        complaint_days = 95
        complaint_day = self.today - timedelta(days=complaint_days)
        for fact in self._quality_candidates(complaint_day):
            lots = self._second_batch(fact.customer.id, before=complaint_day - timedelta(days=10))
            if lots is not None:
                break
        else:
            return
        customer = self._take("quality", fact.customer.id)
        product, first_lot, second_lot = lots
        owner = customer.owner
        defect = DEFECTS.get(product.category, "units fail within weeks of sale")
        later = Order.objects.filter(customer_id=customer.pk, order_date__gte=complaint_day)
        self.delete_orders(later.values_list("id", flat=True))
        complained = self.at(complaint_days, 10.5, owner)
        self.log(
            customer,
            complained,
            Channel.EMAIL,
            Direction.INBOUND,
            f"Complaints about lot {second_lot}",
            f"Consumers complain about the second batch of {product.name} (lot {second_lot}): "
            f"{defect}. The first batch (lot {first_lot}) sold without a single complaint; two "
            f"of our retail chains have taken the {product.sku} off their shelves.",
            needs_answer=True,
        )
        answered = self.next_day(complained, 11, owner)
        self.log(
            customer,
            answered,
            Channel.EMAIL,
            Direction.OUTBOUND,
            f"Re: Complaints about lot {second_lot}",
            f"Apologised. Our QC is testing the retained samples of lot {second_lot}; we will "
            "replace the faulty units free of charge.",
            promise={
                "kind": PromiseKind.OTHER,
                "due_at": self.next_day(answered, 18, owner, days=8),
                "description": f"Replace the faulty {product.sku} units of lot {second_lot} "
                "free of charge",
                "contact": self.contact(customer),
            },
        )
        chased = self.at(complaint_days - 20, 9.5, owner)
        self.log(
            customer,
            chased,
            Channel.WHATSAPP,
            Direction.INBOUND,
            f"Still no replacement for lot {second_lot}",
            f"Nothing has arrived. Retailers are sending the {product.sku} back; we have stopped "
            "selling it and will not order again until this is settled.",
            needs_answer=True,
        )
        self.log(
            customer,
            self.next_day(chased, 15, owner),
            Channel.CALL,
            Direction.OUTBOUND,
            f"Replacement for lot {second_lot}",
            "Told them the factory is still investigating the lot. Polite but cool; no new order "
            "mentioned.",
        )

    def _quality_candidates(self, complaint_day: date):
        """Distributors (else importers) of two years or more who order about monthly, largest
        first: those who ordered regularly up to the complaint, then (a small book) the rest."""
        found = [
            fact
            for fact in self._candidates(types=("distributor",), since=2 * YEAR)
            or self._candidates(types=("importer",), since=2 * YEAR)
            if 20 <= fact.gap <= 45
        ]
        for fact in found:
            days = list(
                Order.objects.filter(
                    customer_id=fact.customer.id,
                    order_date__lt=complaint_day,
                    order_date__gte=complaint_day - timedelta(days=120),
                )
                .exclude(status=OrderStatus.CANCELLED)
                .values_list("order_date", flat=True)
            )
            if len(days) >= 3 and (complaint_day - max(days)).days <= 25:
                yield fact
        yield from found

    def _second_batch(self, customer_id: int, *, before: date):
        """(product, first lot, second lot): the latest lot shipped to the customer before
        ``before`` of a product it had received in an earlier lot; taste first."""
        lines = (
            OrderLine.objects.filter(
                order__customer_id=customer_id,
                order__actual_ship_date__lt=before,
                order__status__in=CLOSED,
            )
            .exclude(batch_number="")
            .order_by("order__actual_ship_date", "id")
            .values_list("product_id", "batch_number", "order__actual_ship_date")
        )
        lots: dict[int, list[tuple[str, date]]] = defaultdict(list)
        for product_id, batch, shipped in lines:
            if batch not in (lot for lot, _day in lots[product_id]):
                lots[product_id].append((batch, shipped))
        products = Product.objects.in_bulk([pk for pk, found in lots.items() if len(found) >= 2])
        if not products:
            return None

        def preference(product: Product):
            latest = lots[product.pk][-1][1]
            return (product.category not in TASTE_FIRST, -latest.toordinal(), product.sku)

        product = min(products.values(), key=preference)
        found = lots[product.pk]
        return product, found[-2][0], found[-1][0]

    def channel_conflict(self) -> None:
        """A neighbouring dealer sells into this dealer's territory, pushed by its account
        manager; we promise to deal with it and do not; the dealer's orders fall away."""
        push_days = 300
        for fact in self._candidates(types=("dealer",), since=2 * YEAR):
            neighbour = self._neighbour(fact.customer, since=push_days)
            if neighbour is not None:
                break
        else:
            return
        customer = self._take("channel", fact.customer.id)
        neighbour_customer, lot, product = neighbour
        owner = customer.owner
        orders = list(
            Order.objects.filter(
                customer_id=customer.pk,
                order_date__gte=self.today - timedelta(days=push_days),
            )
            .order_by("order_date", "id")
            .values_list("id", flat=True)
        )
        # Six orders in seven never came, and the year is down 60% or more; the latest order
        # did come (they still buy, for their projects).
        self.delete_orders(
            [pk for index, pk in enumerate(orders) if index % 7 != 6 and pk != orders[-1]]
        )
        self.cut_revenue(customer.pk, keep=0.4, spare=orders[-1] if orders else None)
        countries = country_names()
        where = f"{neighbour_customer.city}, {countries.get(neighbour_customer.country, '')}"
        # The neighbour's account manager pushed it; when that is the dealer's own rep, the dealer
        # only knows it was "your sales team".
        rep = neighbour_customer.owner
        pusher = "sales team" if rep == owner else str(rep)
        subject = f"{neighbour_customer.name} selling in our territory"
        told = self.at(push_days - 15, 10, owner)
        self.log(
            customer,
            told,
            Channel.EMAIL,
            Direction.INBOUND,
            subject,
            f"Our retailers in {customer.city} are offered the {product.name} by "
            f"{neighbour_customer.name} ({where}) at 12% below our price. They say your "
            f"{pusher} gave them extra marketing support to open our market.",
            needs_answer=True,
        )
        self.log(
            customer,
            self.next_day(told, 14, owner),
            Channel.EMAIL,
            Direction.OUTBOUND,
            f"Re: {subject}",
            "Thanked them; we are checking how the goods reach their market.",
        )
        self.log(
            customer,
            self.at(push_days - 40, 11, owner),
            Channel.VISIT,
            Direction.OUTBOUND,
            f"Market check in {customer.city}",
            f"Found {product.sku} cartons of lot {lot}, shipped to {neighbour_customer.name}, in "
            f"three shops in {customer.city}. {customer.name} is cutting its orders to what its "
            "own accounts need until the prices in its territory are back in order.",
        )
        asked = self.at(60, 9, owner)
        self.log(
            customer,
            asked,
            Channel.EMAIL,
            Direction.INBOUND,
            f"Re: {subject}",
            f"{neighbour_customer.name}'s goods are still in our shops below our price. What are "
            "you doing about it?",
            needs_answer=True,
        )
        self.log(
            customer,
            self.next_day(asked, 10, owner),
            Channel.CALL,
            Direction.OUTBOUND,
            f"Goods from {neighbour_customer.name}",
            f"Said we are talking to {neighbour_customer.name} and its account manager {rep}; "
            "promised a written answer within the week.",
            promise={
                "kind": PromiseKind.INFORMATION,
                "due_at": self.next_day(asked, 18, owner, days=6),
                "description": f"Tell them in writing how we stop {neighbour_customer.name}'s "
                "sales in their territory",
                "contact": self.contact(customer),
            },
        )
        self.log(
            customer,
            self.at(30, 9, owner),
            Channel.EMAIL,
            Direction.INBOUND,
            "Our orders this season",
            f"While {neighbour_customer.name}'s goods are sold in our territory below our price "
            "we cannot invest in your range; we order only for confirmed projects.",
        )

    def _neighbour(self, dealer: DemoCustomer, *, since: int):
        """(customer, lot, product): a dealer or distributor next door, with lots shipped since
        the push: in another city of the same country (a neighbouring region) if possible, else
        elsewhere in the territory; looked after by another rep if possible."""
        city = Customer.objects.values_list("city", flat=True).get(pk=dealer.id)
        others = Customer.objects.filter(
            territory__name=dealer.territory,
            type__in=["dealer", "distributor"],
            status="active",
            owner__isnull=False,
        ).exclude(pk__in=[dealer.id, *self.used])
        ranked = sorted(
            others.select_related("owner"),
            key=lambda other: (
                other.country != dealer.country,
                other.city == city,
                other.owner_id == dealer.owner_id,
                -(self.facts[other.pk].annual if other.pk in self.facts else 0.0),
                other.pk,
            ),
        )
        for other in ranked:
            line = (
                OrderLine.objects.filter(
                    order__customer_id=other.pk,
                    order__actual_ship_date__gte=self.today - timedelta(days=since),
                )
                .exclude(batch_number="")
                .select_related("product")
                .order_by("order__actual_ship_date", "id")
                .first()
            )
            if line is not None:
                self.used.add(other.pk)
                self.stems.add(_stem(other.name))
                return other, line.batch_number, line.product
        return None

    def competition(self) -> None:
        """40% down on the year before, and asking for 15% off because a competitor offered
        better terms."""
        for fact in self._candidates(tiers=("A",), since=2 * YEAR) or self._candidates(
            since=2 * YEAR
        ):
            order = (
                Order.objects.open()
                .filter(customer_id=fact.customer.id, order_date__lt=self.today)
                .exclude(status=OrderStatus.DRAFT)
                .order_by("-order_date", "-id")
                .first()
            )
            if order is not None and order.lines.exists():
                break
        else:
            return
        customer = self._take("competition", fact.customer.id)
        owner = customer.owner
        self.cut_revenue(customer.pk, keep=0.6)
        offered = self.at(5, 16, owner)
        self.log(
            customer,
            offered,
            Channel.EMAIL,
            Direction.INBOUND,
            "A better offer from another supplier",
            f"{COMPETITOR} has offered us the same range at 15% below your price, with 90 days' "
            f"credit. Please match it on order {order.number}, or we will place our next orders "
            "with them.",
            needs_answer=True,
        )
        asked = self.next_day(offered, 10, owner)
        self.log(
            customer,
            asked,
            Channel.CALL,
            Direction.OUTBOUND,
            f"The 15% they ask on {order.number}",
            "Their orders with us are down 40% on last year. Asked them to wait a week for our "
            "answer; the 15% is going to approval.",
        )
        request = approvals.request_create(
            by=owner,
            kind="discount",
            customer=customer,
            order=order,
            reason=f"{COMPETITOR} offered them 15% below our price; they will move their next "
            "orders unless we match it.",
            proposed={
                "lines": {
                    str(pk): {"discount_pct": "15"}
                    for pk in order.lines.values_list("pk", flat=True)
                }
            },
        )
        # The service stamps the request with the clock; it was made right after the call.
        made = asked + timedelta(minutes=12)
        ApprovalRequest.objects.filter(pk=request.pk).update(
            created_at=made, expires_at=made + (request.expires_at - request.created_at)
        )
        TimelineEntry.objects.filter(
            source_type=ApprovalRequest._meta.label_lower, source_id=request.pk
        ).update(at=made)

    def innovation(self) -> None:
        """Buys only long-launched models while the book has moved to new ones; buying less."""
        new_since = _new_since(self.today)
        window = self.today - timedelta(days=YEAR + HISTORY_DAYS)
        long_standing = self.ctx.now - timedelta(days=4 * YEAR)
        candidates = [
            fact
            for fact in self._candidates(since=2 * YEAR)
            if fact.customer.created_at <= long_standing
        ] or self._candidates(since=2 * YEAR)
        if not candidates:
            return
        customer = self._take("innovation", candidates[0].customer.id)
        owner = customer.owner
        recent_orders = Order.objects.filter(customer_id=customer.pk, order_date__gte=window)
        recent_lines = OrderLine.objects.filter(
            order_id__in=list(recent_orders.values_list("id", flat=True))
        )
        new_lines = recent_lines.filter(product__launch_date__gte=new_since)
        touched = set(new_lines.values_list("order_id", flat=True))
        new_lines.delete()
        empty = Order.objects.filter(pk__in=touched, lines__isnull=True)
        self.delete_orders(empty.values_list("id", flat=True))
        self.refresh_amounts(touched)
        self.cut_revenue(customer.pk, keep=0.62)
        theirs = list(
            recent_lines.values("product__sku", "product__name")
            .annotate(n=Count("id"))
            .order_by("-n", "product__sku")[:2]
        )
        # The book's favourite new models, over the last quarter (read order first, as above).
        quarter = Order.objects.filter(order_date__gte=self.today - timedelta(days=HISTORY_DAYS))
        new_models = Product.objects.filter(launch_date__gte=new_since)
        newest = list(
            OrderLine.objects.filter(
                order_id__in=quarter.values("id"),
                product_id__in=list(new_models.values_list("id", flat=True)),
            )
            .values("product__sku")
            .annotate(n=Count("id"))
            .order_by("-n", "product__sku")[:2]
        )
        if not theirs or not newest:
            return
        old_names = " and the ".join(row["product__sku"] for row in theirs)
        new_names = " and the ".join(row["product__sku"] for row in newest)
        self.log(
            customer,
            self.at(120, 10, owner),
            Channel.MEETING,
            Direction.OUTBOUND,
            "Presented our new models",
            f"Showed them the {new_names}. They stay with the {old_names} they have sold for "
            "years: 'our shoppers know them'.",
        )
        self.log(
            customer,
            self.at(40, 15, owner),
            Channel.EMAIL,
            Direction.INBOUND,
            f"Margins on the {theirs[0]['product__sku']}",
            f"Retail prices of the {theirs[0]['product__name']} have fallen so far that we "
            "hardly earn on it; the supermarkets give the shelf space to other brands' newer "
            "models. We will order less this season.",
        )

    def service(self) -> None:
        """The broken air conditioner: bounced between sales and service, two inquiries waiting
        over a week, two promises broken, and no touch since."""
        candidates = self._candidates(since=YEAR)
        if not candidates:
            return
        # Only the owner ever spoke to them: nobody from service called either.
        single = set(single_threads().values_list("customer_id", flat=True))
        candidates = [f for f in candidates if f.customer.id in single] or candidates
        customer = self._take("service", candidates[0].customer.id)
        owner = customer.owner
        quiet_days = customer.cadence + 11
        since = self.at(quiet_days, 10, owner)
        # Nothing was said after that call: the conversations the engagement step wrote since go.
        later = Interaction.objects.filter(customer_id=customer.pk, at__gte=since)
        later_ids = list(later.values_list("id", flat=True))
        promises = Promise.objects.filter(customer_id=customer.pk, made_at__gte=since)
        promise_ids = list(promises.values_list("id", flat=True))
        TimelineEntry.objects.filter(
            Q(source_type=Interaction._meta.label_lower, source_id__in=later_ids)
            | Q(source_type=Promise._meta.label_lower, source_id__in=promise_ids)
        ).delete()
        promises.delete()
        later.delete()
        last = Interaction.objects.filter(
            customer_id=customer.pk, direction=Direction.OUTBOUND
        ).aggregate(last=Max("at"))["last"]
        customer.last_outbound_at = last
        customer.refresh_touch_dates()
        customer.save(update_fields=["last_outbound_at", "touch_due_at", "pool_return_at"])

        line = (
            OrderLine.objects.filter(order__customer_id=customer.pk, order__status__in=CLOSED)
            .select_related("product")
            .order_by("-order__actual_ship_date", "-id")
            .first()
        )
        what = f"{line.product.name} ({line.product.sku})" if line else "units"
        sku = line.product.sku if line else "units"
        fault = FAULTS.get(line.product.category if line else "", "stopped working")
        call = self.log(
            customer,
            since,
            Channel.CALL,
            Direction.OUTBOUND,
            f"Three {sku} {fault}",
            f"Three {what} from their last shipment have {fault}. Their calls to our service line "
            "were sent back to sales; told them our service team will call back about repair or "
            "replacement.",
            promise={
                "kind": PromiseKind.CALL_BACK,
                "due_at": self.next_day(since, 16, owner),
                "description": f"Call back with the service team's answer on the {sku} repairs",
                "contact": self.contact(customer),
            },
        )
        promise_make(
            by=owner,
            customer=customer,
            kind=PromiseKind.OTHER,
            due_at=self.next_day(since, 18, owner, days=4),
            description=f"Send spare parts for the three {sku} units",
            contact=self.contact(customer),
            interaction=call,
        )
        self.log(
            customer,
            self.next_day(since, 9.5, owner, days=3),
            Channel.EMAIL,
            Direction.INBOUND,
            f"Who handles the {sku} repairs?",
            "Your service team says warranty claims go through sales; sales said service would "
            "call us. Nobody has.",
            needs_answer=True,
        )
        self.log(
            customer,
            self.at(9, 16, owner),
            Channel.CALL,
            Direction.INBOUND,
            f"Second request: {sku} still not repaired",
            "Called twice today; passed between your sales and service departments again. Our "
            "own customers want their money back.",
            needs_answer=True,
        )

    def healthy(self) -> None:
        """A tier-A customer in good shape, for contrast: buying as before, new models
        included, touched on time, promises kept, more than one thread."""
        now = self.ctx.now
        new_since = _new_since(self.today) + timedelta(days=HISTORY_DAYS)
        single = set(single_threads().values_list("customer_id", flat=True))
        for fact in self._candidates(tiers=("A",)):
            c = fact.customer
            if fact.recent < fact.previous or not fact.last:
                continue
            if (self.today - fact.last).days > max(30, 1.5 * fact.gap):
                continue
            if c.id in single:
                continue
            due = Customer.objects.filter(pk=c.id).values_list("touch_due_at", flat=True).first()
            if due is None or due < now:
                continue
            # Nothing broken or left waiting over the days scored.
            broken = Promise.objects.filter(
                customer_id=c.id,
                outcome=PromiseOutcome.BROKEN,
                outcome_at__gte=now - timedelta(days=HISTORY_DAYS + 90),
            )
            waited = Interaction.objects.filter(
                customer_id=c.id, needs_answer=True, at__gte=now - timedelta(days=HISTORY_DAYS + 10)
            ).filter(Q(answered_at__isnull=True) | Q(answered_at__gt=F("at") + timedelta(days=2)))
            if broken.exists() or waited.exists():
                continue
            buys_new = OrderLine.objects.filter(
                order__customer_id=c.id,
                order__order_date__gte=self.today - timedelta(days=YEAR),
                product__launch_date__gte=new_since,
            )
            if buys_new.exists():
                self._take("healthy", c.id)
                return

    def lost(self) -> None:
        """A customer that went to a competitor, marked lost with a date to try again."""
        # Gone quiet within the year, so that the record shows what left with it.
        candidates = [fact for fact in self._candidates(status="dormant") if fact.recent > 0]
        candidates = candidates or self._candidates()
        if not candidates:
            return
        best = max(candidates, key=lambda fact: (fact.customer.tier == "A", fact.recent))
        customer = self._take("lost", best.customer.id)
        owner = customer.owner
        told = self.at(22, 10, owner)
        self.log(
            customer,
            told,
            Channel.EMAIL,
            Direction.INBOUND,
            "Our supplier for next year",
            f"We have moved our range to {COMPETITOR}: 8% below your FOB prices and 90 days' "
            "credit. Thank you for the years of cooperation.",
        )
        mark_lost(
            customer,
            by=owner,
            reason=LostReason.COMPETITION,
            competitor=COMPETITOR,
            note="8% below our FOB prices and 90 days' credit. Their buyer is open to a call "
            "once Kaisa's first season is over.",
            win_back_on=self.today + timedelta(days=75),
            now=self.next_day(told, 11, owner),
        )

    def rep_leaves(self) -> None:
        """The rep leaves this morning, deactivated without a handover: their customers, open
        promises and tasks stay with them until a manager runs one."""
        person = self.leaving
        if person is None:
            return
        person.is_active = False
        person.save(update_fields=["is_active"])
        audit_record(
            actor=self.ctx.admin,
            action=AuditAction.UPDATE,
            instance=person,
            before={"is_active": True},
            after={"is_active": False},
        )
        # They can no longer log in: the summary does not offer them.
        self.ctx.logins = [login for login in self.ctx.logins if login[0] != person.username]
