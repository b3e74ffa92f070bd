"""The demo book's conversations: three years of interactions, inquiries and promises.

Every customer gets a touch rhythm that fits its tier's cadence: outbound touches (email,
WhatsApp, WeChat for Chinese-speaking contacts, calls, video calls, meetings, visits, trade fairs)
at the working hours of whoever logged them, some answering an inquiry from the customer, some
followed by a message back. The rhythm is generated backwards from a chosen last touch, so the
book ends in a believable state: most customers within their cadence, some overdue, a few about
to return to the pool, none past it (the worker would return them at once).

The reps differ in reliability like salesperson A and B of seed 002 (see :data:`PROFILES`): how
fast they answer inquiries (working hours, in their own time zone) and how many promises they keep
on time. Promises are closed as the services would have closed them: kept or kept late by the
person who made them, withdrawn with a reason, broken by the worker's rule one working day of
grace after their due time; those whose outcome lies after "now" are still open, so every rep has
promises due today or overdue on their agenda.

Interaction times are whole minutes, so the response times computed here on a table of working
windows (:class:`WorkClock`) are exactly what
:func:`tend.engagement.services.inquiry_response_hours` returns: on the customer's clock (their
zone, working week and public holidays), while how fast each rep answers is drawn in the rep's
own hours (their zone and the default week: a person has no country to take holidays from).

The rhythm is denser in the last 180 days (the cadence proper) than before (four times sparser),
to keep a 100,000-customer book to a few million interactions. Each interaction and each promise
event (made, closed) has its timeline entry, shaped as ``timeline_add`` shapes it. Interactions of
the last year name their contact and our person (the many-to-many rows ``interaction_log`` writes);
older ones do not, which saves millions of link rows on a big book.
"""

import bisect
import json
import math
import random
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from time import perf_counter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.utils import timezone

from tend.agenda.local import customer_weekend, holiday_dates
from tend.core.derived import derived_suspended
from tend.core.i18n import msgid_of, text_data, word_data
from tend.customers.models import Contact, Customer
from tend.demo import builder as _core_steps  # noqa: F401  (registers the step this follows)
from tend.demo import data
from tend.demo.bulk import delete_all, reset_sequences
from tend.demo.registry import DemoContext, Timer, register_step
from tend.timeline.models import TITLE_KEY, TimelineEntry

from . import titles, workhours
from .models import Channel, Direction, Interaction, Promise, PromiseKind, PromiseOutcome
from .timeline_kinds import INTERACTION, PROMISE

HISTORY_DAYS = 3 * 365
RECENT_DAYS = 180  # the cadence proper; before that, touches are four times sparser
OLDER_SPARSER = 4.0
CHUNK = 5000  # customers generated and written at a time
POOL_SIZE = 2000  # texts made from each list of templates
LINKS_DAYS = 365  # interactions this recent name their contact and our person (m2m rows)
CLAIMED_SHARE = 0.2  # owned customers claimed from the pool or handed over, not owned from day one
INQUIRY_SHARE = 0.2  # outbound touches that answer an inquiry
REPLY_SHARE = 0.12  # outbound touches the customer writes back to (no answer needed)
PROMISE_ON_ANSWER = 0.5
PROMISE_ON_TOUCH = 0.07
DAY = 86400


@dataclass(frozen=True)
class Reliability:
    """How a person keeps promises (shares of kept on time, kept late, broken, withdrawn) and
    answers inquiries (median working hours, lognormal spread); ``forgets``: the share of their
    customers with an inquiry left unanswered past the alert threshold."""

    kept: float
    late: float
    broken: float
    withdrawn: float
    response_hours: float
    spread: float
    forgets: float
    discipline: float = 0.0  # more (or fewer) of their customers touched within cadence


# amira is salesperson A of seed 002, kevin salesperson B; the rest in between.
RELIABLE_REP = "amira"
UNRELIABLE_REP = "kevin"
PROFILES = {
    "amira": Reliability(0.95, 0.03, 0.01, 0.01, 2.0, 0.55, 0.002, 0.1),
    "kevin": Reliability(0.50, 0.16, 0.30, 0.04, 20.0, 0.55, 0.03, -0.2),
    "lukas": Reliability(0.88, 0.06, 0.04, 0.02, 3.5, 0.6, 0.005),
    "vivian": Reliability(0.84, 0.08, 0.05, 0.03, 5.0, 0.6, 0.007),
    "jason": Reliability(0.80, 0.10, 0.07, 0.03, 7.0, 0.6, 0.01),
    "sofia": Reliability(0.76, 0.12, 0.09, 0.03, 10.0, 0.6, 0.015, -0.08),
    "helen": Reliability(0.86, 0.07, 0.05, 0.02, 5.0, 0.6, 0.006),
    "daniel": Reliability(0.81, 0.09, 0.07, 0.03, 7.0, 0.6, 0.008),
}
DEFAULT_PROFILE = Reliability(0.8, 0.1, 0.07, 0.03, 7.0, 0.6, 0.01)

# Where an owned customer's last touch lies: within cadence, overdue, or near the pool return.
FINAL_STATE = {
    "active": (0.82, 0.16),
    "won_back": (0.80, 0.17),
    "dormant": (0.50, 0.42),
    "prospect": (0.60, 0.35),
    "lost": (0.35, 0.52),
}
RHYTHM = {"active": 0.8, "won_back": 0.85, "dormant": 1.5, "prospect": 1.2, "lost": 2.0}
POOL_RHYTHM = 2.5

TRADE_FAIRS = ((4, 15, 5, 5), (10, 15, 11, 4))  # Canton Fair: (month, day) to (month, day)

PRODUCTS = (
    "kettles", "toasters", "blenders", "rice cookers", "air fryers", "coffee makers",
    "hand mixers", "juicers", "sandwich makers", "electric grills", "food processors",
    "induction cookers",
)  # fmt: skip
PRODUCTS_ZH = (
    "电热水壶", "多士炉", "搅拌机", "电饭煲", "空气炸锅", "咖啡机", "手持搅拌器", "榨汁机",
    "三明治机", "电烤盘", "料理机", "电磁炉",
)  # fmt: skip
QUANTITIES = (500, 1000, 2000, 3000, 5000)
MODELS = ("KT300", "KT210", "TS120", "BL550", "RC180", "AF450", "AF520", "CM900", "HM200")

INQUIRIES = (
    "Price for {model}?",
    "Quotation request: {qty} pcs {product}",
    "Samples of {product}",
    "Lead time for {product}",
    "Can you send your {year} catalogue?",
    "Certificates for {product}",
    "MOQ for {model} in our colours",
    "Order status of our last PO",
    "Best price for a container of {product}",
)
INQUIRIES_ZH = ("{product_zh}报价?", "{model} 的交期", "能否寄{product_zh}样品?", "{model} 起订量")
OUTBOUND = (
    "Follow-up on {product}",
    "New {product} for {year}",
    "Price update for {product}",
    "Checking in on sales of {model}",
    "Our {year} catalogue",
    "Container plan for next quarter",
    "Promotion on {product}",
    "Feedback on the last shipment",
)
OUTBOUND_ZH = ("{product_zh}新品介绍", "{model} 最新价格", "下季度订货计划", "上批货的反馈")
INBOUND = (
    "Thanks, received",
    "We will check with our team",
    "Re: {product}",
    "Feedback from our customers on {model}",
    "Payment sent",
)
SUMMARIES = (
    "Discussed {product} for the coming season; they want better terms on a full container.",
    "Customer happy with the last shipment of {model}; asked about new colours.",
    "Talked about their sell-out of {product}; stock lasts about six weeks.",
    "Went through the new catalogue; interested in {product}.",
    "Asked for a price review on {model}: a competitor quoted 4% lower.",
    "Confirmed the packing and labels for {product}.",
    "They plan to open two new stores; need {product} in quantity.",
)
CALL_SUBJECTS = ("Call about {product}", "Call: next order", "Catch-up call")
MEETING_SUBJECTS = ("Meeting in their office", "Video meeting: {year} range")
VISIT_SUBJECTS = ("Visit to their warehouse", "Factory visit by the customer", "Showroom visit")
FAIR_SUBJECTS = ("Met at the Canton Fair", "Canton Fair: new {product}")

PROMISE_KINDS_ON_ANSWER = (
    ("quote", 30), ("price", 20), ("information", 20), ("sample", 12), ("call_back", 8),
    ("ship_date", 10),
)  # fmt: skip
PROMISE_KINDS_ON_TOUCH = (
    ("call_back", 25), ("information", 25), ("quote", 15), ("price", 10), ("sample", 10),
    ("ship_date", 15),
)  # fmt: skip
PROMISE_DAYS = {  # due after the promise is made, in days (low, high)
    "quote": (1, 3),
    "price": (1, 2),
    "information": (1, 4),
    "call_back": (0.5, 2),
    "sample": (5, 14),
    "ship_date": (20, 50),
}
PROMISE_TEXTS = {
    "quote": ("Quotation for {qty} pcs {product}", "Quote for a 40' container of {model}"),
    "price": ("Updated price list for {product}", "Price for {model} in their colours"),
    "information": ("Send the test reports for {model}", "Send the {year} catalogue"),
    "call_back": ("Call back about {product}", "Call back with the production slot"),
    "sample": ("Send 2 samples of {model} by courier", "Samples of the new {product}"),
    "ship_date": ("Ship the {model} order by the agreed date", "Confirm the loading date"),
}
WITHDRAWN_REASONS = (
    "The customer cancelled the request.",
    "Replaced by a new quotation.",
    "The customer bought locally.",
)


# --- working hours on a table ----------------------------------------------------------------


class WorkClock:
    """The working windows of one time zone over the demo's span, for arithmetic on integer
    epoch seconds. ``worked(b) - worked(a)`` is the working time between two instants: the same
    as :func:`workhours.working_hours_between` (which sums each local day's overlap with the same
    windows, on the same working days); ``back`` is :func:`workhours.subtract_working_hours`."""

    def __init__(
        self,
        tz: str,
        first: date,
        last: date,
        weekend: frozenset[int] | None = None,
        holidays: frozenset[date] = workhours.NO_HOLIDAYS,
    ):
        zone = ZoneInfo(tz or "UTC")
        start, end = settings.TEND_WORKDAY_START, settings.TEND_WORKDAY_END
        weekend = settings.TEND_WEEKEND_DAYS if weekend is None else weekend
        self.opens: list[int] = []
        self.closes: list[int] = []
        self.before: list[int] = [0]  # working seconds before each working day
        day = first
        while day <= last:
            if workhours.is_working_day(day, weekend=weekend, holidays=holidays):
                opens = int(datetime.combine(day, time(start), tzinfo=zone).timestamp())
                closes = int(datetime.combine(day, time(end), tzinfo=zone).timestamp())
                self.opens.append(opens)
                self.closes.append(closes)
                self.before.append(self.before[-1] + closes - opens)
            day += timedelta(days=1)

    def worked(self, moment: int) -> int:
        k = bisect.bisect_right(self.opens, moment) - 1
        if k < 0:
            return 0
        return self.before[k] + min(moment - self.opens[k], self.closes[k] - self.opens[k])

    def hours_between(self, start: int, end: int) -> float:
        if end <= start:
            return 0.0
        return round((self.worked(end) - self.worked(start)) / 3600, 2)

    def back(self, moment: int, seconds: int) -> tuple[int, int]:
        """The latest instant with ``seconds`` of working time up to ``moment``, and the instant
        since which it has been so (earlier than the first when it is the start of a working day:
        anything that arrived overnight waited as long)."""
        target = self.worked(moment) - seconds
        k = bisect.bisect_right(self.before, target) - 1
        k = max(0, min(k, len(self.opens) - 1))
        instant = self.opens[k] + max(0, target - self.before[k])
        if instant == self.opens[k] and k > 0:
            return instant, self.closes[k - 1]
        return instant, instant

    def place(self, moment: float, share: float, forward: bool = False) -> int:
        """A whole minute within working hours on the working day of ``moment`` (or the one
        before it; ``forward``: the one after), ``share`` of the way through the day."""
        if forward:
            k = min(bisect.bisect_left(self.opens, moment), len(self.opens) - 1)
        else:
            k = max(bisect.bisect_right(self.opens, moment) - 1, 0)
        length = self.closes[k] - self.opens[k]
        return self.opens[k] + int(share * length) // 60 * 60

    def end_of_day(self, moment: int, tz: str) -> int:
        local = datetime.fromtimestamp(moment, ZoneInfo(tz or "UTC"))
        following = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=local.tzinfo)
        return int(following.timestamp())


# --- the step --------------------------------------------------------------------------------


def stamper():
    """Epoch seconds to the text the database stores for a datetime (UTC): what Django's SQLite
    backend writes, or a timestamptz literal for PostgreSQL. Days and times of day are formatted
    once."""
    epoch = date(1970, 1, 1)
    suffix = "" if connection.vendor == "sqlite" else "+00:00"
    times = [
        f"{hours:02d}:{minutes:02d}:{seconds:02d}{suffix}"
        for hours in range(24)
        for minutes in range(60)
        for seconds in range(60)
    ]
    days: dict[int, str] = {}

    def stamp(moment: int) -> str:
        day, rest = divmod(int(moment), DAY)
        prefix = days.get(day)
        if prefix is None:
            prefix = days[day] = f"{epoch + timedelta(days=day)} "
        return prefix + times[rest]

    return stamp


@cache
def _json(*items) -> str:
    """A timeline entry's data as its JSONField stores it (json.dumps of the dict)."""
    return json.dumps(dict(items))


def _json_titled(text: dict, *items) -> str:
    """The same, with the title kept as a text to read in each reader's language."""
    return json.dumps({**dict(items), TITLE_KEY: text})


def insert_rows(model, columns, rows) -> int:
    """Insert final database values (text for datetimes and JSON, ids for foreign keys) in the
    current transaction: COPY on PostgreSQL, executemany elsewhere. Like
    :func:`tend.core.bulk.bulk_insert` without its per-value conversions, for the millions of
    rows of a big book."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = []
    for name in columns:
        try:
            names.append(quote(model._meta.get_field(name).column))
        except FieldDoesNotExist:
            names.append(quote(model._meta.get_field(name.removesuffix("_id")).column))
    column_sql = ", ".join(names)
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["?" if connection.vendor == "sqlite" else "%s"] * len(names))
            sql = f"INSERT INTO {table} ({column_sql}) VALUES ({marks})"
            for start in range(0, len(rows), 20000):
                cursor.executemany(sql, rows[start : start + 20000])
    finally:
        cursor.close()
    return len(rows)


def _weighted(rng: random.Random, pairs):
    values = [value for value, _ in pairs]
    cumulative = []
    total = 0.0
    for _value, weight in pairs:
        total += weight
        cumulative.append(total)
    return lambda: values[bisect.bisect_right(cumulative, rng.random() * total)]


@dataclass
class _Person:
    id: int
    username: str
    tz: str
    profile: Reliability
    clock: WorkClock
    display: str


def _in_fair(moment: datetime) -> bool:
    for month, day, end_month, end_day in TRADE_FAIRS:
        if (month, day) <= (moment.month, moment.day) <= (end_month, end_day):
            return True
    return False


INTERACTION_COLUMNS = (
    "id", "customer_id", "channel", "direction", "at", "logged_by_id", "subject", "summary",
    "needs_answer", "answered_by_id", "answered_at", "responder_id", "response_hours",
)  # fmt: skip
PROMISE_COLUMNS = (
    "id", "customer_id", "contact_id", "kind", "description", "made_by_id", "made_at", "due_at",
    "interaction_id", "outcome", "outcome_at", "outcome_reason", "closed_by_id",
    "broken_automatically",
)  # fmt: skip
CONTACT_LINK = ("interaction_id", "contact_id")
PEOPLE_LINK = ("interaction_id", "user_id")
TIMELINE_COLUMNS = (
    "customer_id", "at", "kind", "actor_id", "title", "body", "data", "source_type", "source_id",
)  # fmt: skip


class _Titles:
    """Timeline titles as the services write them (``titles``), translated once, with the
    messages they are stored as so that each reader reads them in their own language."""

    def __init__(self):
        self.kind = {value: str(label) for value, label in PromiseKind.choices}
        self.channel = {
            value: (str(label), word_data(msgid_of(label))) for value, label in Channel.choices
        }
        self.interactions = {
            key: (str(message), msgid_of(message)) for key, message in titles.INTERACTION.items()
        }
        self.promised = (str(titles.PROMISE_MADE), msgid_of(titles.PROMISE_MADE))
        self.closed = {
            state: (str(message), msgid_of(message))
            for state, message in titles.PROMISE_CLOSED.items()
        }

    def interaction(self, channel: str, direction: str, subject: str, needs_answer: bool):
        """The title, and the stored text to read it in another language."""
        template, msgid = self.interactions[(bool(subject), bool(needs_answer))]
        label, label_data = self.channel[channel]
        arrow = titles.arrow(direction)
        title = template % {"arrow": arrow, "channel": label, "subject": subject}
        return title[:300], text_data(
            msgid, {"arrow": arrow, "channel": label_data, "subject": subject}
        )

    def promise(self, which: tuple[str, str], **values: str):
        template, msgid = which
        return (template % values)[:300], text_data(msgid, values)


class EngagementBuilder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng("engagement")
        random_ = self.rng.random
        self.pick = lambda seq: seq[int(random_() * len(seq))]
        self.pools: dict[tuple, list[str]] = {}
        self.now = int(ctx.now.timestamp()) // 60 * 60
        self.window_start = self.now - HISTORY_DAYS * DAY
        self.links_since = self.now - LINKS_DAYS * DAY
        self.zone = timezone.get_current_timezone()  # what timezone.localtime() converts to
        self.stamp = stamper()
        self.titles = _Titles()
        first = ctx.today - timedelta(days=HISTORY_DAYS + 40)
        last = ctx.today + timedelta(days=90)
        self.span = (first, last)
        self.customer_clocks: dict[tuple[str, str], WorkClock] = {}  # by zone and country
        self.shared_clocks: dict[tuple, WorkClock] = {}
        clocks: dict[str, WorkClock] = {}
        self.people: dict[int, _Person] = {}
        for username, user in ctx.users.items():
            tz = user.time_zone or "UTC"
            if tz not in clocks:
                clocks[tz] = WorkClock(tz, first, last)
            self.people[user.pk] = _Person(
                user.pk, username, tz, PROFILES.get(username, DEFAULT_PROFILE), clocks[tz],
                str(user),
            )  # fmt: skip
        # Each territory's team: its reps (who held a customer before) and its manager.
        team_of = {
            territory: team for team, territories in data.TEAMS.items() for territory in territories
        }
        self.team_reps: dict[str, list[int]] = defaultdict(list)
        self.team_manager: dict[str, int] = {}
        for person in data.PEOPLE:
            user = ctx.users.get(person.username)
            if user is None or person.team is None:
                continue
            if person.role == "rep":
                self.team_reps[person.team].append(user.pk)
            elif person.role == "manager":
                self.team_manager[person.team] = user.pk
        self.team_of = team_of
        self.grace = settings.TEND_PROMISE_GRACE_WORKING_DAYS
        self.weekend = settings.TEND_WEEKEND_DAYS
        self.interaction_label = Interaction._meta.label_lower
        self.promise_label = Promise._meta.label_lower
        self.pick_answer_kind = _weighted(self.rng, PROMISE_KINDS_ON_ANSWER)
        self.pick_touch_kind = _weighted(self.rng, PROMISE_KINDS_ON_TOUCH)
        # Recent touches per person, to give everyone promises due today when chance did not.
        self.recent_touches: dict[int, list[tuple]] = defaultdict(list)
        self.due_soon: dict[int, int] = defaultdict(int)
        self.last_outbound: dict[int, int | None] = {}
        self.owned_since: dict[int, int | None] = {}
        self.counts = defaultdict(int)
        self.end_of_today: dict[int, int] = {}
        self.insert_seconds: dict[str, float] = defaultdict(float)
        self.waiting: dict[int, int] = defaultdict(int)  # inquiries past the threshold, by owner
        self.quietest: dict[int, tuple] = {}  # owner -> (last touch, customer, contact)

    # --- small pieces ---

    def customer_clock(self, customer) -> WorkClock:
        """The customer's working windows (their zone, week and public holidays): response
        times are theirs."""
        key = (customer.time_zone or "UTC", customer.country)
        clock = self.customer_clocks.get(key)
        if clock is None:
            clock = self.customer_clocks[key] = self._clock(*key)
        return clock

    def _clock(self, tz: str, country: str) -> WorkClock:
        """One table for every country with the same days off over the span."""
        first, last = self.span
        holidays = frozenset(
            day
            for year in range(first.year, last.year + 1)
            for day in holiday_dates(country, year)
            if first <= day <= last
        )
        key = (tz, customer_weekend(country), holidays)
        clock = self.shared_clocks.get(key)
        if clock is None:
            clock = self.shared_clocks[key] = WorkClock(
                tz, first, last, weekend=key[1], holidays=holidays
            )
        return clock

    def _words(self) -> dict:
        pick = self.pick
        index = int(self.rng.random() * len(PRODUCTS))
        return {
            "product": PRODUCTS[index],
            "product_zh": PRODUCTS_ZH[index],
            "model": pick(MODELS),
            "qty": pick(QUANTITIES),
            "year": self.ctx.today.year,
        }

    def _channel(self, contact, outbound: bool, tier: str, moment: int) -> str:
        """A channel that this contact can be reached on."""
        _, language, whatsapp, wechat, email = contact
        roll = self.rng.random()
        if outbound:
            if roll < 0.012:
                return "meeting"
            if roll < 0.012 + {"A": 0.03, "B": 0.01}.get(tier, 0.003):
                return "visit"
            if roll < 0.06:
                when = datetime.fromtimestamp(moment, UTC)
                if _in_fair(when) and self.rng.random() < 0.5:
                    return "trade_fair"
        roll = self.rng.random()
        if wechat:
            return "wechat" if roll < 0.5 else "email" if roll < 0.8 and email else "call"
        if whatsapp:
            if roll < 0.4:
                return "whatsapp"
            if roll < 0.75 and email:
                return "email"
            return "call" if roll < 0.92 or not outbound else "video"
        if email and roll < 0.7:
            return "email"
        return "call" if roll < 0.93 or not outbound else "video"

    def _pool(self, templates: tuple[str, ...]) -> list[str]:
        """Texts made from the templates, drawn from once they exist (formatting each one anew
        costs more than the rest of an interaction)."""
        pool = self.pools.get(templates)
        if pool is None:
            pool = self.pools[templates] = [
                self.pick(templates).format(**self._words()) for _ in range(POOL_SIZE)
            ]
        return pool

    def _subject(self, channel: str, direction: str, zh: bool, inquiry: bool) -> str:
        if inquiry:
            templates = INQUIRIES_ZH if zh and channel == "wechat" else INQUIRIES
        elif direction == "in":
            templates = INBOUND
        elif channel == "call":
            templates = CALL_SUBJECTS
        elif channel in ("meeting", "video"):
            templates = MEETING_SUBJECTS
        elif channel == "visit":
            templates = VISIT_SUBJECTS
        elif channel == "trade_fair":
            templates = FAIR_SUBJECTS
        else:
            templates = OUTBOUND_ZH if zh and channel == "wechat" else OUTBOUND
        return self.pick(self._pool(templates))

    # --- one customer ---

    def customer(self, customer, contacts, out):
        rng = self.rng
        random_ = rng.random
        people = self.people
        now = self.now
        tier = customer.tier
        cadence = settings.TEND_CADENCE_DAYS[tier]
        pool_days = settings.TEND_POOL_RETURN_DAYS.get(tier) or 3 * cadence
        warn = settings.TEND_POOL_WARNING_DAYS
        created = int(customer.created_at.timestamp())
        start = max(created, self.window_start)
        owner = customer.owner_id
        team = self.team_of.get(customer.territory)
        reps = self.team_reps.get(team) or ([owner] if owner else [])
        previous = None
        if reps:
            others = [rep for rep in reps if rep != owner] or reps
            previous = others[customer.id % len(others)]
        owned_since = None
        if owner:
            owned_since = created
            if random_() < CLAIMED_SHARE and now - created > 90 * DAY:
                owned_since = created + int(
                    (30 + random_() * (now - created - 60 * DAY) / DAY) * DAY
                )
        self.owned_since[customer.id] = owned_since
        if now - start < DAY // 2 or not contacts or (owner is None and previous is None):
            self.last_outbound[customer.id] = None
            return

        # The last touch first: it decides where the customer stands today.
        if owner:
            within, overdue = FINAL_STATE[customer.status]
            shift = min(people[owner].profile.discipline, 0.97 - within)
            within, overdue = within + shift, max(0.02, overdue - shift)
            roll = random_()
            if roll < within:
                age = (0.03 + 0.94 * random_()) * cadence
            elif roll < within + overdue:
                high = max(cadence + 0.5, pool_days - warn - 0.5)
                age = cadence + 0.2 + random_() * (high - cadence - 0.2)
            else:
                low = max(cadence + 0.3, pool_days - warn + 0.5)
                age = low + random_() * (pool_days - 0.7 - low)
            rhythm = RHYTHM[customer.status] * cadence
        else:
            age = pool_days + random_() * 400
            rhythm = POOL_RHYTHM * cadence
        last = now - age * DAY
        if last < start:
            last = start + random_() * (now - start)
        moments = [last]
        moment = last
        while True:
            recent = now - moment < RECENT_DAYS * DAY
            gap = rng.gammavariate(3.0, rhythm * (1 if recent else OLDER_SPARSER) / 3.0)
            moment -= gap * DAY
            if moment < start:
                break
            moments.append(moment)
        moments.reverse()

        backup = customer.backup_owner_id
        manager = self.team_manager.get(team)
        touches = []  # (at, logged_by)
        final = len(moments) - 1
        for index, moment in enumerate(moments):
            if owner and (owned_since is None or moment >= owned_since):
                roll = random_()
                if roll < 0.85 or (roll < 0.95 and not backup) or not manager:
                    who = owner
                elif roll < 0.95:
                    who = backup
                else:
                    who = manager
            else:
                who = previous
            clock = people[who].clock
            if index == final:
                at = clock.place(moment, 0.02 + 0.96 * random_(), forward=True)
                if at > now - 600:
                    at = clock.place(moment - DAY, 0.02 + 0.5 * random_())
            else:
                at = clock.place(moment, 0.02 + 0.96 * random_())
            if start <= at <= now - 600:
                touches.append((at, who))
        touches.sort()
        if not touches:
            self.last_outbound[customer.id] = None
            return
        self.last_outbound[customer.id] = touches[-1][0]

        # Conversations around each touch.
        contacts_zh = [c for c in contacts if c[1] == "zh"]
        primary = contacts[0]
        previous_at = start
        for index, (at, who) in enumerate(touches):
            person = people[who]
            contact = primary if random_() < 0.7 else self.pick(contacts)
            if contacts_zh and contact[1] != "zh" and random_() < 0.5:
                contact = self.pick(contacts_zh)
            zh = contact[1] == "zh"
            inquiry = None
            if random_() < INQUIRY_SHARE:
                profile = person.profile
                minutes = max(
                    3,
                    round(
                        rng.lognormvariate(math.log(profile.response_hours * 60), profile.spread)
                    ),
                )
                arrived, overnight_from = person.clock.back(at, minutes * 60)
                if overnight_from < arrived:  # it came in overnight
                    arrived = (
                        overnight_from + int(random_() * (arrived - overnight_from)) // 60 * 60
                    )
                if arrived <= previous_at:
                    room = (at - previous_at) // 60
                    arrived = (
                        previous_at + (1 + int(random_() * (room - 1))) * 60 if room > 2 else 0
                    )
                if arrived and arrived >= start:
                    inquiry = arrived
            next_at = touches[index + 1][0] if index + 1 < len(touches) else now
            reply_back = None
            if random_() < REPLY_SHARE:
                room = min(3 * DAY, (next_at - at) * 0.8)
                if room > 3600:
                    reply_back = at + (1800 + int(random_() * (room - 1800))) // 60 * 60
            out.touch(customer, person, at, contact, zh, inquiry, reply_back)
            previous_at = at

        # Some inquiries are still waiting for an answer: past the alert threshold (on the
        # agenda), and a few recent ones.
        if owner:
            person = people[owner]
            last_at = touches[-1][0]
            if last_at < self.quietest.get(owner, (now,))[0]:
                self.quietest[owner] = (last_at, customer, primary)
            roll = random_()
            if roll < person.profile.forgets:
                self.forget(customer, person, last_at, primary, out)
            elif roll < person.profile.forgets + 0.004:
                arrived, _since = person.clock.back(now, int((1 + random_() * 15) * 60) * 60)
                if arrived > last_at:
                    out.open_inquiry(customer, person, arrived, primary)

    def forget(self, customer, person, last_at: int, contact, out) -> None:
        """An inquiry left unanswered past the alert threshold, after the customer's last
        touch: the threshold is counted on the customer's clock, as Today counts it."""
        hours = settings.TEND_INQUIRY_ALERT_HOURS + 1 + self.rng.random() * 40
        arrived, _since = self.customer_clock(customer).back(self.now, int(hours * 60) * 60)
        if arrived > last_at:
            out.open_inquiry(customer, person, arrived, contact)
            self.waiting[person.id] += 1

    # --- promises ---

    def promise_outcome(self, person: _Person, made: int, due: int):
        """(outcome, outcome_at, reason, closed_by, automatic) as the services would have left it
        by now."""
        rng = self.rng
        profile = person.profile
        roll = rng.random()
        deadline = None
        late_from, broken_from = profile.kept, profile.kept + profile.late
        if roll < late_from:
            outcome, at = (
                PromiseOutcome.KEPT,
                made + int((0.1 + 0.85 * rng.random()) * (due - made)),
            )
        elif roll < broken_from + profile.broken:
            deadline = int(
                workhours.add_working_days(
                    datetime.fromtimestamp(due, UTC), self.grace, tz=person.tz, weekend=self.weekend
                ).timestamp()
            )
            if roll < broken_from:
                outcome = PromiseOutcome.KEPT_LATE
                at = due + 60 + int(rng.random() * (deadline - due - 120))
            else:
                outcome, at = PromiseOutcome.BROKEN, deadline
        else:
            outcome, at = PromiseOutcome.WITHDRAWN, made + int(rng.random() * (due - made))
        at = at // 60 * 60
        if at > self.now or (outcome == PromiseOutcome.BROKEN and deadline > self.now):
            return PromiseOutcome.OPEN, None, "", None, False
        if outcome == PromiseOutcome.BROKEN:
            return outcome, at, "", None, True
        reason = self.pick(WITHDRAWN_REASONS) if outcome == PromiseOutcome.WITHDRAWN else ""
        return outcome, at, reason, person.id, False


class _Rows:
    """The rows of one chunk of customers, with their ids, ready for bulk_insert."""

    def __init__(self, builder: EngagementBuilder, interaction_id: int, promise_id: int):
        self.b = builder
        self.interaction_id = interaction_id
        self.promise_id = promise_id
        self.interactions: list[tuple] = []
        self.contact_links: list[tuple] = []
        self.people_links: list[tuple] = []
        self.promises: list[tuple] = []
        self.timeline: list[tuple] = []

    def _interaction(
        self, customer_id, channel, direction, at, who, contact_id, subject, summary="",
        needs_answer=False, answer=None,
    ) -> int:  # fmt: skip
        """``answer``: (answering interaction id, its time, responder, working hours)."""
        b = self.b
        asks = needs_answer
        pk = self.interaction_id
        self.interaction_id += 1
        stamp = b.stamp(at)
        answered_by = answered_at = responder = hours = None
        if answer is not None:
            answered_by, answered_at, responder, hours = answer
            answered_at = b.stamp(answered_at)
        self.interactions.append(
            (
                pk, customer_id, channel, direction, stamp, who, subject, summary, needs_answer,
                answered_by, answered_at, responder, hours,
            )
        )  # fmt: skip
        if at >= b.links_since:
            self.contact_links.append((pk, contact_id))
            self.people_links.append((pk, who))
        title, text = b.titles.interaction(channel, direction, subject, needs_answer)
        self.timeline.append(
            (
                customer_id, stamp, INTERACTION.key, who, title, summary,
                _json_titled(
                    text, ("channel", channel), ("direction", direction), ("needs_answer", asks)
                ),
                b.interaction_label, pk,
            )
        )  # fmt: skip
        return pk

    def touch(self, customer, person, at, contact, zh, inquiry, reply_back) -> None:
        b = self.b
        rng = b.rng
        cid = customer.id
        answered = inquiry is not None
        if answered:
            channel = b._channel(contact, False, customer.tier, inquiry)
            asked = b._subject(channel, "in", zh, True)
            hours = b.customer_clock(customer).hours_between(inquiry, at)
            self._interaction(
                cid, channel, Direction.INBOUND, inquiry, person.id, contact[0], asked,
                needs_answer=True, answer=(self.interaction_id + 1, at, person.id, hours),
            )  # fmt: skip
            b.counts["answered"] += 1
            if channel not in ("email", "wechat", "whatsapp", "call"):
                channel = "email" if contact[4] else "call"
            subject = f"Re: {asked}" if channel != "call" else b._subject(channel, "out", zh, False)
        else:
            channel = b._channel(contact, True, customer.tier, at)
            subject = b._subject(channel, "out", zh, False)
        summary = b.pick(b._pool(SUMMARIES)) if rng.random() < 0.35 else ""
        pk = self._interaction(
            cid, channel, Direction.OUTBOUND, at, person.id, contact[0], subject[:200], summary
        )
        if at > b.now - 10 * DAY:
            b.recent_touches[person.id].append((cid, pk, at, contact[0]))
        if reply_back is not None:
            back = channel if channel in ("email", "whatsapp", "wechat") else "email"
            if back == "email" and not contact[4]:
                back = "whatsapp" if contact[2] else "call"
            self._interaction(
                cid, back, Direction.INBOUND, reply_back, person.id, contact[0],
                b._subject(back, "in", zh, False),
            )  # fmt: skip
        if rng.random() < (PROMISE_ON_ANSWER if answered else PROMISE_ON_TOUCH):
            kind = b.pick_answer_kind() if answered else b.pick_touch_kind()
            low, high = PROMISE_DAYS[kind]
            due = at + int((low + rng.random() * (high - low)) * DAY) // 60 * 60
            self.promise(cid, contact[0], kind, person, at, due, pk)

    def promise(self, cid, contact_id, kind, person, made, due, interaction_id, outcome=None):
        b = self.b
        if outcome is None:
            outcome = b.promise_outcome(person, made, due)
        state, closed_at, reason, closed_by, automatic = outcome
        description = b.pick(b._pool(PROMISE_TEXTS[kind]))
        pk = self.promise_id
        self.promise_id += 1
        made_stamp = b.stamp(made)
        self.promises.append(
            (
                pk, cid, contact_id, kind, description, person.id, made_stamp, b.stamp(due),
                interaction_id, state, b.stamp(closed_at) if closed_at else None, reason,
                closed_by, automatic,
            )
        )  # fmt: skip
        due_text = datetime.fromtimestamp(due, b.zone).strftime("%Y-%m-%d %H:%M")  # localtime()
        title, text = b.titles.promise(b.titles.promised, what=description, due=due_text)
        self.timeline.append(
            (
                cid, made_stamp, PROMISE.key, person.id, title, "",
                _json_titled(text, ("outcome", "open"), ("kind", kind)), b.promise_label, pk,
            )
        )  # fmt: skip
        if state != PromiseOutcome.OPEN:
            title, text = b.titles.promise(b.titles.closed[state], what=description)
            self.timeline.append(
                (
                    cid, b.stamp(closed_at), PROMISE.key, closed_by, title, reason,
                    _json_titled(text, ("outcome", str(state)), ("automatic", automatic)),
                    b.promise_label, pk,
                )
            )  # fmt: skip
        elif due < b.end_of_today[person.id]:
            b.due_soon[person.id] += 1
        b.counts[f"promises {state}"] += 1

    def open_inquiry(self, customer, person, arrived, contact) -> None:
        b = self.b
        channel = b._channel(contact, False, customer.tier, arrived)
        self._interaction(
            customer.id, channel, Direction.INBOUND, arrived, person.id, contact[0],
            b._subject(channel, "in", contact[1] == "zh", True), needs_answer=True,
        )  # fmt: skip
        b.counts["open inquiries"] += 1

    def write(self) -> None:
        b = self.b
        for label, model, columns, rows in (
            ("interactions", Interaction, INTERACTION_COLUMNS, self.interactions),
            ("contact links", Interaction.contacts.through, CONTACT_LINK, self.contact_links),
            ("people links", Interaction.people.through, PEOPLE_LINK, self.people_links),
            ("promises", Promise, PROMISE_COLUMNS, self.promises),
            ("timeline", TimelineEntry, TIMELINE_COLUMNS, self.timeline),
        ):
            started = perf_counter()
            insert_rows(model, columns, rows)
            b.insert_seconds[label] += perf_counter() - started
        self.b.counts["interactions"] += len(self.interactions)
        self.b.counts["promises"] += len(self.promises)
        self.b.counts["timeline"] += len(self.timeline)
        for name in ("interactions", "contact_links", "people_links", "promises", "timeline"):
            setattr(self, name, [])


def _next_id(model) -> int:
    return (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1


def _write_touch_dates(rows: list[tuple]) -> None:
    """(id, last_outbound_at, owned_since, touch_due_at, pool_return_at) onto the customers."""
    table = connection.ops.quote_name(Customer._meta.db_table)
    columns = ("last_outbound_at", "owned_since", "touch_due_at", "pool_return_at")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMPORARY TABLE demo_touch (id bigint PRIMARY KEY, "
                + ", ".join(f"{name} timestamptz" for name in columns)
                + ") ON COMMIT DROP"
            )
            with cursor.cursor.copy(f"COPY demo_touch (id, {', '.join(columns)}) FROM STDIN") as c:
                for row in rows:
                    c.write_row(row)
            cursor.execute(
                f"UPDATE {table} SET "
                + ", ".join(f"{name} = demo_touch.{name}" for name in columns)
                + f" FROM demo_touch WHERE {table}.id = demo_touch.id"
            )
            cursor.execute("DROP TABLE demo_touch")
        else:

            def text(value):
                return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))

            cursor.executemany(
                f"UPDATE {table} SET "
                + ", ".join(f"{name} = %s" for name in columns)
                + " WHERE id = %s",
                [(*(text(value) for value in row[1:]), row[0]) for row in rows],
            )


@contextmanager
def big_cache():
    """A larger SQLite page cache while a step writes millions of rows into tables with several
    indexes (the default 2 MB makes every index insert a read); the settings' pragmas (WAL,
    synchronous=NORMAL) stay as they are. No-op on other databases."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -524288")  # 512 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def build_engagement(ctx: DemoContext) -> None:
    """Interactions, inquiries and promises for every customer, their timeline entries, and each
    customer's touch dates."""
    started = perf_counter()
    builder = EngagementBuilder(ctx)
    contacts: dict[int, list[tuple]] = defaultdict(list)
    fields = ("id", "customer_id", "language", "whatsapp", "wechat", "email")
    ordered = Contact.objects.order_by("customer_id", "-is_primary", "id")
    for contact_id, customer_id, language, whatsapp, wechat, email in ordered.values_list(*fields):
        contacts[customer_id].append(
            (contact_id, language, bool(whatsapp), bool(wechat), bool(email))
        )
    for person in builder.people.values():
        builder.end_of_today[person.id] = person.clock.end_of_day(builder.now, person.tz)
    rows = _Rows(builder, _next_id(Interaction), _next_id(Promise))
    customers = ctx.customers
    generating = perf_counter() - started
    # The contact threads (kept by triggers on the interactions and their links) are filled
    # once after the COPYs instead of one trigger per row (millions of rows).
    with big_cache(), derived_suspended(work_mem="256MB", only=("engagement.contact_threads",)):
        for offset in range(0, len(customers), CHUNK):
            started = perf_counter()
            for customer in customers[offset : offset + CHUNK]:
                builder.customer(customer, contacts.get(customer.id, []), rows)
            if offset + CHUNK >= len(customers):
                _promises_due_today(builder, rows)
                _inquiries_waiting(builder, rows)
            generating += perf_counter() - started
            rows.write()
        written = perf_counter()
    ctx.timings.append(("  generate in Python", generating))
    for label, seconds in builder.insert_seconds.items():
        ctx.timings.append((f"  insert {label}", seconds))
    ctx.timings.append(("  fill contact threads", perf_counter() - written))
    with Timer(ctx, "  touch dates"):
        _touch_dates(ctx, builder)
    reset_sequences(Interaction, Promise)
    counts = builder.counts
    ctx.counts.update(
        interactions=counts["interactions"],
        promises=counts["promises"],
        timeline_entries=ctx.counts.get("timeline_entries", 0) + counts["timeline"],
    )
    ctx.data["engagement"] = dict(counts)


def _inquiries_waiting(builder: EngagementBuilder, rows: _Rows) -> None:
    """A rep who forgets inquiries has at least one waiting on their agenda, even in a small
    book: on their customer touched longest ago."""
    for owner, (last_at, customer, contact) in builder.quietest.items():
        person = builder.people[owner]
        if person.profile.forgets >= 0.01 and not builder.waiting[owner]:
            builder.forget(customer, person, last_at, contact, rows)


def _promises_due_today(builder: EngagementBuilder, rows: _Rows) -> None:
    """Everyone who made promises gets a few open ones due today or overdue (within the day of
    grace), on recent touches of theirs, when chance left them fewer (once all customers are
    done)."""
    rng = builder.rng
    now = builder.now
    for person_id, touches in builder.recent_touches.items():
        person = builder.people[person_id]
        wanted = 3 + len(touches) // 40
        missing = wanted - builder.due_soon[person_id]
        if missing <= 0:
            continue
        touches = sorted(touches, key=lambda touch: (touch[2], touch[1]))
        chosen = [touches[-1 - index % len(touches)] for index in range(missing)]
        end = builder.end_of_today[person_id]
        for customer_id, interaction_id, made, contact_id in chosen:
            if rng.random() < 0.5 and end - now > 3600:
                due = now + int(rng.random() * (end - now - 1800))
            else:
                due = now - int(rng.random() * 18 * 3600)
            due = max(due, made + 3600) // 60 * 60
            if due >= end:
                continue
            kind = builder.pick_touch_kind()
            outcome = (PromiseOutcome.OPEN, None, "", None, False)
            rows.promise(customer_id, contact_id, kind, person, made, due, interaction_id, outcome)


def _touch_dates(ctx: DemoContext, builder: EngagementBuilder) -> None:
    """last_outbound_at, owned_since, touch_due_at and pool_return_at, by the rule of
    Customer.refresh_touch_dates (the demo sets no per-customer cadence): due = last outbound
    touch (else creation) + cadence; pool return = the later of the last touch and the day the
    owner got it + the tier's pool days, none in the pool."""
    stamp = datetime.fromtimestamp
    rows = []
    for customer in ctx.customers:
        cadence = settings.TEND_CADENCE_DAYS[customer.tier]
        pool_days = settings.TEND_POOL_RETURN_DAYS.get(customer.tier) or 3 * cadence
        created = customer.created_at
        last = builder.last_outbound.get(customer.id)
        last = stamp(last, UTC) if last else None
        owned = builder.owned_since.get(customer.id)
        if owned is not None:
            # Owned since creation (to the microsecond), or since a claim.
            owned = created if owned == int(created.timestamp()) else stamp(owned, UTC)
        due = (last or created) + timedelta(days=cadence)
        pool_return = None
        if customer.owner_id is not None:
            held_since = owned or created
            pool_return = max(held_since, last or held_since) + timedelta(days=pool_days)
        rows.append((customer.id, last, owned, due, pool_return))
    _write_touch_dates(rows)


def reset_engagement(ctx: DemoContext) -> None:
    """Raw deletes of millions of rows: the contact threads' triggers are set aside for them."""
    delete_all(Promise)
    with derived_suspended(only=("engagement.contact_threads",)):
        delete_all(Interaction)
    TimelineEntry.objects.filter(kind__in=[INTERACTION.key, PROMISE.key]).delete()


register_step("engagement", build_engagement, after="customers", reset=reset_engagement)
