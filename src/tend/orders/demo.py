"""The demo book's trade: a product catalogue, monthly exchange rates, three years of orders with
their lines, late orders and the updates customers got about them, a port closure at Ningbo, and
samples.

Each buying customer has its own re-order rhythm: regular buyers order at gamma-distributed gaps
around their own mean, irregular ones at very uneven gaps; dormant and lost customers stopped
partway, won-back ones paused and came back, new customers start when they were added.
Everything is drawn with numpy over all orders and lines at once and written with large inserts;
amounts use the model's own rule (``OrderLine.amount``: half-up to the cent; the order's amount
is the sum of its lines, ``amount_base`` the amount times the order date's rate, half-up), in
integer cents so that millions of lines stay fast.

Statuses follow the dates: orders that shipped are shipped or, after their transit time,
delivered; the rest are draft, confirmed, in production or ready. Some open orders are late (the
estimate moved past the promise, or the promise passed unshipped), some of their customers were
told and some were not. Produced lines carry batch numbers shared by the orders made in the same
ten days (``KT300-2025-07-B2``), so an issue can be traced to its lots.

Timeline entries: every order, sample and order update on books of up to
:data:`FULL_TIMELINE_UP_TO` customers; above that only orders placed in the last 12 months (the
customer's orders panel lists them all anyway), so a 100,000-customer book keeps its timeline to
a few million rows.
"""

import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from time import perf_counter

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from tend.core.derived import derived_suspended
from tend.customers.models import Contact, Customer
from tend.demo import builder as _core_steps  # noqa: F401  (registers the step this follows)
from tend.demo import data
from tend.demo.bulk import delete_all, reset_sequences
from tend.demo.registry import DemoContext, register_step
from tend.engagement.demo import big_cache, insert_rows, stamper
from tend.timeline.models import TimelineEntry

from . import messages
from .models import (
    Disruption,
    DisruptionKind,
    DisruptionNotice,
    DocumentSequence,
    EstimateChange,
    ExchangeRate,
    FeeStatus,
    Order,
    OrderLine,
    OrderUpdate,
    Product,
    Sample,
    SampleOutcome,
    UpdateChannel,
)
from .timeline_kinds import ORDER, ORDER_UPDATE, SAMPLE

HISTORY_DAYS = 3 * 365
FULL_TIMELINE_UP_TO = 20_000  # customers; bigger books get timeline entries for the last year
DAY = 86400
EPOCH = date(1970, 1, 1)

# sku, name, Chinese name, category, list price (USD, FOB)
CATALOGUE = (
    ("KT100", "Plastic kettle 1.7 L", "塑料电热水壶 1.7升", "Kettles", 6.20),
    ("KT150", "Plastic kettle 1.0 L with window", "带水位窗电热水壶 1.0升", "Kettles", 6.80),
    ("KT210", "Glass kettle 1.7 L with blue light", "玻璃电热水壶 1.7升 蓝光", "Kettles", 9.40),
    ("KT300", "Stainless steel kettle 1.7 L", "不锈钢电热水壶 1.7升", "Kettles", 9.80),
    ("KT350", "Temperature-control kettle 1.7 L", "控温电热水壶 1.7升", "Kettles", 15.50),
    ("KT420", "Gooseneck pour-over kettle 0.9 L", "鹅颈手冲电热水壶 0.9升", "Kettles", 18.90),
    ("KT500", "Travel kettle 0.5 L dual voltage", "旅行电热水壶 0.5升 双电压", "Kettles", 7.90),
    ("KT600", "Smart kettle 1.7 L with app", "智能电热水壶 1.7升 手机控制", "Kettles", 24.50),
    ("TS100", "2-slice toaster, plastic", "两片式多士炉 塑料", "Toasters", 7.10),
    ("TS120", "2-slice toaster, stainless", "两片式多士炉 不锈钢", "Toasters", 9.60),
    ("TS200", "4-slice toaster", "四片式多士炉", "Toasters", 14.20),
    ("TS250", "Long-slot toaster with rack", "长槽多士炉 带烤架", "Toasters", 15.80),
    ("TS300", "Retro toaster, 6 colours", "复古多士炉 六色", "Toasters", 17.40),
    ("BL300", "Blender 1.5 L, 350 W", "搅拌机 1.5升 350瓦", "Blenders", 11.20),
    ("BL450", "Blender 1.5 L glass jar, 500 W", "玻璃杯搅拌机 1.5升 500瓦", "Blenders", 16.90),
    ("BL550", "High-speed blender 2 L, 1500 W", "高速破壁机 2升 1500瓦", "Blenders", 38.50),
    ("BL600", "Personal blender with 2 bottles", "便携搅拌机 双杯", "Blenders", 9.90),
    ("BL700", "Vacuum blender 1.8 L", "真空破壁机 1.8升", "Blenders", 55.00),
    ("BL800", "Commercial blender 2 L, 2200 W", "商用搅拌机 2升 2200瓦", "Blenders", 72.00),
    ("RC100", "Mini rice cooker 0.6 L", "迷你电饭煲 0.6升", "Rice cookers", 8.90),
    ("RC150", "Rice cooker 1.0 L", "电饭煲 1.0升", "Rice cookers", 10.40),
    ("RC180", "Rice cooker 1.8 L with steamer", "电饭煲 1.8升 带蒸笼", "Rice cookers", 12.60),
    ("RC220", "IH rice cooker 1.8 L", "IH电饭煲 1.8升", "Rice cookers", 42.00),
    ("RC280", "Pressure rice cooker 5 L", "电压力饭煲 5升", "Rice cookers", 31.50),
    ("RC300", "Commercial rice cooker 5.6 L", "商用电饭煲 5.6升", "Rice cookers", 27.80),
    ("AF350", "Air fryer 3.5 L, mechanical", "空气炸锅 3.5升 机械式", "Air fryers", 19.50),
    ("AF400", "Air fryer 4 L, touch screen", "空气炸锅 4升 触摸屏", "Air fryers", 23.80),
    ("AF450", "Digital air fryer 4.5 L", "数字空气炸锅 4.5升", "Air fryers", 25.40),
    ("AF520", "Air fryer 5.5 L with window", "可视空气炸锅 5.5升", "Air fryers", 29.90),
    ("AF600", "Dual-basket air fryer 8 L", "双篮空气炸锅 8升", "Air fryers", 46.00),
    ("AF700", "Air fryer oven 12 L", "空气炸烤箱 12升", "Air fryers", 52.50),
    ("AF800", "Steam air fryer 6 L", "蒸汽空气炸锅 6升", "Air fryers", 58.00),
    ("CM100", "Drip coffee maker 1.25 L", "滴漏式咖啡机 1.25升", "Coffee makers", 12.30),
    ("CM200", "Drip coffee maker with timer", "定时滴漏式咖啡机", "Coffee makers", 17.60),
    ("CM300", "Cold brew coffee maker", "冷萃咖啡机", "Coffee makers", 21.00),
    ("CM500", "Espresso machine 15 bar", "意式咖啡机 15巴", "Coffee makers", 44.00),
    ("CM650", "Capsule coffee machine", "胶囊咖啡机", "Coffee makers", 36.50),
    ("CM900", "Bean-to-cup coffee machine", "全自动研磨咖啡机", "Coffee makers", 168.00),
    ("HM200", "Hand mixer 5 speeds", "手持打蛋器 5档", "Hand mixers", 6.40),
    ("HM250", "Hand mixer with bowl", "带碗打蛋器", "Hand mixers", 11.80),
    ("HM300", "Hand blender set 3-in-1", "三合一料理棒套装", "Hand mixers", 13.90),
    ("SX500", "Stand mixer 4.5 L", "厨师机 4.5升", "Stand mixers", 48.00),
    ("SX600", "Stand mixer 5.5 L, die-cast", "压铸厨师机 5.5升", "Stand mixers", 79.00),
    ("SX700", "Stand mixer 7 L, planetary", "行星式厨师机 7升", "Stand mixers", 96.00),
    ("JC100", "Centrifugal juicer", "离心式榨汁机", "Juicers", 15.20),
    ("JC200", "Slow juicer", "原汁机", "Juicers", 39.00),
    ("JC300", "Citrus press", "柑橘榨汁机", "Juicers", 7.60),
    ("JC400", "Commercial slow juicer", "商用原汁机", "Juicers", 88.00),
    ("SM100", "Sandwich maker", "三明治机", "Sandwich makers", 7.30),
    ("SM200", "3-in-1 sandwich, waffle, grill", "三合一三明治华夫饼机", "Sandwich makers", 12.90),
    ("SM300", "Waffle maker, Belgian", "比利时华夫饼机", "Sandwich makers", 14.70),
    ("GR100", "Contact grill", "电烤盘", "Electric grills", 13.40),
    ("GR200", "Indoor smokeless grill", "室内无烟烤炉", "Electric grills", 27.60),
    ("GR300", "Teppanyaki plate 90 cm", "铁板烧烤盘 90厘米", "Electric grills", 16.20),
    ("FP100", "Food processor 1.2 L", "料理机 1.2升", "Food processors", 17.80),
    ("FP200", "Food processor 2.5 L with dicing kit", "料理机 2.5升 带切丁组件", "Food processors",
     39.50),
    ("FP300", "Meat grinder 1800 W", "绞肉机 1800瓦", "Food processors", 24.90),
    ("IC100", "Induction cooker 2000 W", "电磁炉 2000瓦", "Induction cookers", 14.60),
    ("IC200", "Double induction hob", "双头电磁炉", "Induction cookers", 44.50),
    ("IC300", "Commercial induction cooker 3500 W", "商用电磁炉 3500瓦", "Induction cookers",
     52.00),
)  # fmt: skip
DISCONTINUED = ("KT150", "TS100", "BL300")  # no longer sold: none ordered in the last year

# USD per unit at the start of the history, monthly volatility, monthly drift.
RATES = {
    "EUR": (1.07, 0.015, 0.001),
    "GBP": (1.24, 0.015, 0.0008),
    "CHF": (1.10, 0.014, 0.001),
    "SEK": (0.094, 0.02, 0.0),
    "CZK": (0.043, 0.017, 0.0),
    "PLN": (0.24, 0.018, 0.001),
    "AED": (0.2723, 0.0002, 0.0),
    "SAR": (0.2666, 0.0002, 0.0),
    "QAR": (0.2747, 0.0002, 0.0),
    "OMR": (2.6008, 0.0002, 0.0),
    "KWD": (3.25, 0.003, 0.0),
    "JOD": (1.4104, 0.0003, 0.0),
    "CNY": (0.139, 0.008, 0.0),
    "HKD": (0.1281, 0.0008, 0.0),
    "JPY": (0.0071, 0.02, -0.002),
    "SGD": (0.74, 0.01, 0.0005),
    "AUD": (0.66, 0.02, 0.0),
    "NZD": (0.61, 0.02, -0.0005),
    "CAD": (0.74, 0.012, -0.0005),
    "BRL": (0.20, 0.025, -0.002),
    "MXN": (0.054, 0.022, -0.001),
    "INR": (0.0121, 0.006, -0.002),
    "RUB": (0.0112, 0.035, -0.003),
    "TRY": (0.037, 0.02, -0.025),
    "ZAR": (0.054, 0.022, -0.001),
}

PORTS = (("Ningbo", 35), ("Shanghai", 20), ("Shenzhen", 20), ("Guangzhou", 15), ("Xiamen", 5),
         ("Qingdao", 5))  # fmt: skip
DISRUPTED_PORT = "Ningbo"
QUALITY = {
    "SA": "SASO IECEE RC", "AE": "ECAS / G-Mark", "KW": "G-Mark", "QA": "G-Mark",
    "US": "UL / ETL listed", "CA": "cETL", "GB": "UKCA", "AU": "RCM", "NZ": "RCM",
    "IN": "BIS", "BR": "INMETRO", "MX": "NOM", "DE": "CE / GS", "FR": "CE / NF", "JP": "PSE",
}  # fmt: skip
REMARKS = (
    "Customer logo on the gift box.",
    "Labels in Arabic and English.",
    "Mixed container with the previous order's balance.",
    "Carton marks as per the attached artwork.",
    "UK plugs (BS 1363).",
    "Pre-shipment inspection by SGS.",
    "For the Ramadan promotion.",
    "For the Christmas season.",
    "Colour: matte black.",
)
DELAY_REASONS = (
    "Motor supply delayed by our supplier.",
    "Mould repair on the housing.",
    "Production line fully booked by an earlier order.",
    "Heating elements failed incoming inspection; new lot ordered.",
    "Printed gift boxes arrived late.",
    "Chinese public holiday.",
    "Vessel rolled over by the shipping line.",
)
COURIERS = ("DHL", "FedEx", "UPS", "SF Express")
NO_ORDER_REASONS = (
    "Price too high for their market.",
    "Chose a competitor's model.",
    "Quality not what they expected.",
    "Project postponed.",
    "No answer after three follow-ups.",
)
STATUS_CODES = ("draft", "confirmed", "in_production", "ready", "shipped", "delivered", "cancelled")


def _day(value: date) -> int:
    return (value - EPOCH).days


def _date(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _half_up_div(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """numerator / denominator rounded half up (numerator >= 0), in int64."""
    return (2 * numerator + denominator) // (2 * denominator)


class Rates:
    """Monthly rates to the base currency, valid from the first of each month, as integers of
    1e-10 (the field's precision), for every currency the book uses."""

    SCALE = 10**10

    def __init__(self, ctx: DemoContext, currencies: set[str]):
        rng = ctx.np_rng("orders:rates")
        base = settings.TEND_BASE_CURRENCY
        first = ctx.today - timedelta(days=HISTORY_DAYS + 62)
        self.first_month = (first.year, first.month)
        months = []
        year, month = self.first_month
        while (year, month) <= (ctx.today.year, ctx.today.month):
            months.append(date(year, month, 1))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        self.months = months
        usd_per = {"USD": np.ones(len(months))}
        for currency in sorted(set(RATES) | currencies):
            if currency == "USD":
                continue
            if currency not in RATES:
                raise ValueError(f"The demo has no exchange rates for {currency}: add it to RATES.")
            start, volatility, drift = RATES[currency]
            steps = rng.normal(drift, volatility, len(months))
            steps[0] = 0.0
            usd_per[currency] = start * np.exp(np.cumsum(steps))
        self.base = base
        self.table: dict[str, list[int]] = {}
        for currency, series in usd_per.items():
            if currency == base:
                continue
            values = series / usd_per[base]
            self.table[currency] = [
                int(Decimal(f"{value:.6g}") * self.SCALE) for value in values.tolist()
            ]
        self.month_days = np.array([_day(month) for month in months], dtype=np.int64)

    def month_index(self, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.month_days, days, side="right") - 1

    def rate(self, currency: str, month: int) -> int:
        if currency == self.base:
            return self.SCALE
        return self.table[currency][month]

    @staticmethod
    def text(value: int) -> str:
        return f"{value // Rates.SCALE}.{value % Rates.SCALE:010d}"

    def rows(self) -> list[tuple]:
        return [
            (currency, month.isoformat(), self.text(value))
            for currency, values in sorted(self.table.items())
            for month, value in zip(self.months, values, strict=True)
        ]


def build_catalogue(ctx: DemoContext) -> tuple[list[Product], np.ndarray, np.ndarray]:
    """The products, with launch days spread over six years (the basic models first) and the
    day each discontinued one stopped selling."""
    rng = ctx.rng("orders:catalogue")
    base_rate = 1.0
    if settings.TEND_BASE_CURRENCY != "USD" and settings.TEND_BASE_CURRENCY in RATES:
        base_rate = RATES[settings.TEND_BASE_CURRENCY][0]
    products, launches, stops = [], [], []
    by_family: dict[str, int] = defaultdict(int)
    today = _day(ctx.today)
    for sku, name, local, category, price in CATALOGUE:
        position = by_family[category]
        by_family[category] += 1
        # The first two models of each family are old; the others came out over the six years,
        # a few in the last months.
        if position < 2:
            age = 6 * 365 - position * 120 - rng.random() * 200
        else:
            age = 30 + rng.random() * (6 * 365 - 60)
        launch = today - int(age)
        products.append(
            Product(
                sku=sku,
                name=name,
                local_name=local,
                category=category,
                launch_date=_date(launch),
                list_price=Decimal(f"{price / base_rate:.2f}"),
                active=sku not in DISCONTINUED,
            )
        )
        launches.append(launch)
        stops.append(today - 365 if sku in DISCONTINUED else today + 3650)
    Product.objects.bulk_create(products, batch_size=5000)
    return products, np.array(launches, dtype=np.int64), np.array(stops, dtype=np.int64)


ORDER_COLUMNS = (
    "id", "customer_id", "number", "order_date", "currency", "rate_to_base", "amount",
    "amount_base", "incoterm", "payment_terms", "port", "promised_ship_date",
    "estimated_ship_date", "actual_ship_date", "status", "essential", "time_sensitive",
    "quality_standard", "remarks", "last_delay_update_at", "created_by_id", "created_at",
    "updated_at",
)  # fmt: skip
LINE_COLUMNS = (
    "id", "order_id", "product_id", "quantity", "unit_price", "discount_pct", "batch_number",
)  # fmt: skip
UPDATE_COLUMNS = (
    "order_id", "at", "by_id", "channel", "contact_id", "language", "subject", "body",
    "old_date", "new_date", "reason", "disruption_id",
)  # fmt: skip
CHANGE_COLUMNS = ("order_id", "at", "by_id", "old_date", "new_date", "reason", "disruption_id")
SAMPLE_COLUMNS = (
    "id", "customer_id", "contact_id", "quantity", "sent_on", "courier", "tracking_number",
    "is_free", "fee", "fee_currency", "fee_status", "cost", "follow_up_on", "outcome", "order_id",
    "outcome_reason", "sent_by_id", "created_at",
)  # fmt: skip
TIMELINE_COLUMNS = (
    "customer_id", "at", "kind", "actor_id", "title", "body", "data", "source_type", "source_id",
)  # fmt: skip
BUYING = {"active", "won_back", "dormant", "lost"}
TIER_INDEX = {"A": 0, "B": 1, "C": 2}
# Days between orders per tier, before each customer's own factor.
MEAN_GAP = np.array([23.0, 40.0, 76.0])
LINE_SHARE = np.array([0.7, 0.63, 0.52])  # lines per order: 1 + binomial(7, share)
QUANTITY = np.array([1400.0, 600.0, 160.0])  # median units per line
QUANTITY_STEP = np.array([100, 50, 10])
DISCOUNT_SHARE = np.array([0.45, 0.3, 0.15])
DISCOUNTS = np.array([200, 250, 300, 500, 750, 1000])  # hundredths of a percent
STATUS = {code: index for index, code in enumerate(STATUS_CODES)}


class OrderBook:
    """All orders and lines of the book as numpy arrays, then rows."""

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.np_rng("orders")
        self.py = ctx.rng("orders")
        self.today = _day(ctx.today)
        self.now = int(ctx.now.timestamp())
        self.stamp = stamper()
        self.iso: dict[int, str] = {}
        self.timings: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)
        self.full_timeline = len(ctx.customers) <= FULL_TIMELINE_UP_TO

    def day_text(self, day: int) -> str:
        text = self.iso.get(day)
        if text is None:
            text = self.iso[day] = _date(day).isoformat()
        return text

    # --- customers and their rhythm ---

    def customers(self) -> None:
        ctx, rng = self.ctx, self.rng
        customers = ctx.customers
        n = len(customers)
        self.ids = np.array([c.id for c in customers], dtype=np.int64)
        self.tier = np.array([TIER_INDEX[c.tier] for c in customers], dtype=np.int64)
        self.created = np.array(
            [int(c.created_at.timestamp()) // DAY for c in customers], dtype=np.int64
        )
        self.currencies = sorted({c.currency for c in customers} | {settings.TEND_BASE_CURRENCY})
        currency_index = {currency: index for index, currency in enumerate(self.currencies)}
        self.currency = np.array([currency_index[c.currency] for c in customers], dtype=np.int64)
        terms = {
            pk: (incoterm, payment)
            for pk, incoterm, payment in Customer.objects.values_list(
                "id", "incoterm", "payment_terms"
            )
        }
        self.terms = [terms.get(c.id, ("", "")) for c in customers]
        self.primary: dict[int, tuple] = {}
        for row in Contact.objects.filter(is_primary=True).values_list(
            "customer_id", "id", "language", "name", "email"
        ):
            self.primary[row[0]] = row[1:]
        # Who places a customer's orders: its owner, else (pool) a rep of its team.
        reps_by_team: dict[str, list[int]] = defaultdict(list)
        for person in data.PEOPLE:
            if person.role == "rep" and person.username in ctx.users:
                reps_by_team[person.team].append(ctx.users[person.username].pk)
        team_of = {t: team for team, territories in data.TEAMS.items() for t in territories}
        self.placed_by = []
        for c in customers:
            reps = reps_by_team.get(team_of.get(c.territory), []) or [None]
            self.placed_by.append(c.owner_id or reps[c.id % len(reps)])
        ports, weights = zip(*PORTS, strict=True)
        self.ports = list(ports)
        weights = np.array(weights, dtype=float)
        self.port = rng.choice(len(ports), size=n, p=weights / weights.sum())
        self.price_factor = np.select(
            [self.tier == 0, self.tier == 1],
            [rng.uniform(0.86, 0.96, n), rng.uniform(0.92, 1.02, n)],
            rng.uniform(0.98, 1.10, n),
        )
        self.quality = [
            QUALITY.get(c.country, "") if self.py.random() < 0.5 else "" for c in customers
        ]

    def order_days(self) -> None:
        """Each buying customer's order days: its own mean gap, regular or irregular, stopped
        (dormant, lost) or paused (won back)."""
        rng, today = self.rng, self.today
        customers = self.ctx.customers
        n = len(customers)
        window = today - HISTORY_DAYS
        mean = MEAN_GAP[self.tier] * np.exp(rng.normal(0, 0.35, n))
        shape = np.where(rng.random(n) < 0.55, 6.0, 1.3)
        first = np.maximum(self.created, window) + rng.random(n) * np.minimum(mean, 90)
        stop_dormant = today - rng.uniform(120, 420, n)
        stop_lost = today - rng.uniform(200, 900, n)
        resume = today - rng.uniform(30, 300, n)
        pause = resume - rng.uniform(180, 420, n)
        owners, days = [], []
        for index, customer in enumerate(customers):
            status = customer.status
            if status not in BUYING:
                continue
            end = today
            if status == "dormant":
                end = stop_dormant[index]
            elif status == "lost":
                end = stop_lost[index]
            start = first[index]
            if start > end:
                continue
            m, k = mean[index], shape[index]
            count = int((end - start) / m * 1.6) + 4
            gaps = rng.gamma(k, m / k, count)
            gaps[0] = 0.0
            moments = start + np.cumsum(gaps)
            while moments[-1] <= end:  # rare: drew too few
                more = moments[-1] + np.cumsum(rng.gamma(k, m / k, count))
                moments = np.concatenate([moments, more])
            moments = moments[moments <= end]
            if status == "won_back":
                moments = moments[(moments < pause[index]) | (moments > resume[index])]
            if len(moments):
                owners.append(np.full(len(moments), index, dtype=np.int64))
                days.append(moments.astype(np.int64))
        self.oc = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
        self.od = np.concatenate(days) if days else np.zeros(0, dtype=np.int64)
        self.od = np.minimum(self.od, today)

    # --- orders ---

    def orders(self, rates: Rates) -> None:
        rng, today = self.rng, self.today
        oc, od = self.oc, self.od
        count = len(od)
        tier = self.tier[oc]
        self.n_lines = 1 + rng.binomial(7, LINE_SHARE[tier])
        lead = rng.integers(25, 56, count) + np.where(tier == 0, 7, 0)
        promised = od + lead
        roll = rng.random(count)
        delay = np.where(
            roll < 0.70,
            0,
            np.where(roll < 0.78, -rng.integers(1, 6, count), rng.integers(2, 36, count)),
        )
        ship = promised + delay
        cancelled = rng.random(count) < 0.02
        shipped = (ship <= today) & ~cancelled
        delivered = shipped & (ship + rng.integers(15, 46, count) <= today)
        open_ = ~shipped & ~cancelled
        known = open_ & (delay > 0) & (promised - today < 25)
        stale = known & (promised < today) & (rng.random(count) < 0.3)
        estimate = np.where(known & ~stale, ship, promised)
        estimate = np.where(shipped, ship, estimate)
        production = rng.integers(12, 26, count)
        status = np.full(count, STATUS["confirmed"])
        status[open_ & (today >= estimate - production)] = STATUS["in_production"]
        status[open_ & (today >= estimate - 4)] = STATUS["ready"]
        status[stale] = STATUS["in_production"]
        status[open_ & (today - od < 3) & (rng.random(count) < 0.4)] = STATUS["draft"]
        status[shipped] = STATUS["shipped"]
        status[delivered] = STATUS["delivered"]
        status[cancelled] = STATUS["cancelled"]
        self.promised, self.estimate, self.ship = promised, estimate, ship
        self.status, self.open, self.shipped = status, open_, shipped
        self.delay = delay
        self.month = rates.month_index(od)
        essential_share = np.where(tier == 0, 0.08, 0.03)
        self.essential = rng.random(count) < essential_share
        self.time_sensitive = rng.random(count) < 0.08
        self.port = np.where(
            rng.random(count) < 0.85, self.port[oc], rng.integers(0, len(self.ports), count)
        )
        # Entered at the exporter's office hours (01:00-10:00 UTC), never after "now".
        self.created_minute = np.minimum(
            od * DAY + rng.integers(60, 600, count) * 60, self.now // 60 * 60 - 600
        )
        # Numbers: SO-<year>-<n>, n counting up through each year by order date.
        order = np.lexsort((np.arange(count), od))
        years = od.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        sorted_years = years[order]
        starts = np.searchsorted(sorted_years, sorted_years, side="left")
        rank = np.empty(count, dtype=np.int64)
        rank[order] = np.arange(count) - starts + 1
        self.numbers = [
            f"SO-{y}-{r:06d}" for y, r in zip(years.tolist(), rank.tolist(), strict=True)
        ]

    def lines(self, products: np.ndarray, launches: np.ndarray, stops: np.ndarray, rates: Rates):
        """Lines for every order: products from the customer's own assortment (launched and
        still sold on the order day), quantities by tier, prices near list in the order's
        currency, some discounts, batch numbers on produced lines."""
        rng = self.rng
        count = len(self.od)
        n_products = len(products)
        n = len(self.ids)
        assortment = rng.random((n, n_products)).argsort(axis=1)[:, :20]
        sizes = rng.integers(8, 21, n)
        line_order = np.repeat(np.arange(count), self.n_lines)
        customer = self.oc[line_order]
        pick = (rng.random(len(line_order)) * sizes[customer]).astype(np.int64)
        product = assortment[customer, pick]
        day = self.od[line_order]
        sold = (launches[product] <= day) & (day < stops[product])
        month = self.month[line_order]
        for m in np.unique(month[~sold]).tolist():
            first = rates.month_days[m]
            last = rates.month_days[m + 1] if m + 1 < len(rates.month_days) else self.today + 1
            choices = np.flatnonzero((launches <= first) & (stops >= last))
            where = np.flatnonzero(~sold & (month == m))
            product[where] = choices[(rng.random(len(where)) * len(choices)).astype(np.int64)]
        # One line per product in an order.
        key = np.unique(line_order * 128 + product)
        line_order, product = key // 128, key % 128
        self.n_lines = np.bincount(line_order, minlength=count)
        customer = self.oc[line_order]
        tier = self.tier[customer]
        month = self.month[line_order]
        price = np.array([float(p.list_price) for p in products])
        scale = np.clip((15.0 / price[product]) ** 0.5, 0.4, 2.5)
        step = QUANTITY_STEP[tier]
        quantity = np.round(QUANTITY[tier] * scale * rng.lognormal(0, 0.6, len(product)) / step)
        quantity = np.maximum(quantity, 1).astype(np.int64) * step
        # Unit price in the order's currency: list price x the customer's terms x yearly
        # increases, at the month's rate.
        rate = np.array(
            [[rates.rate(c, m) / Rates.SCALE for m in range(len(rates.months))]
             for c in self.currencies]
        )  # fmt: skip
        years = (self.od[line_order] - (self.today - HISTORY_DAYS)) / 365.0
        base = price[product] * self.price_factor[customer] * (1 + 0.025 * years)
        cents = np.maximum(np.round(base * 100 / rate[self.currency[customer], month]), 1)
        cents = cents.astype(np.int64)
        discounted = rng.random(len(product)) < DISCOUNT_SHARE[tier]
        discount = np.where(
            discounted,
            DISCOUNTS[
                rng.choice(len(DISCOUNTS), len(product), p=[0.2, 0.15, 0.25, 0.25, 0.1, 0.05])
            ],
            0,
        )
        amount = _half_up_div(quantity * cents * (10000 - discount), 10000)
        starts = np.concatenate([[0], np.cumsum(self.n_lines)[:-1]])
        self.amount = np.add.reduceat(amount, starts) if len(amount) else amount
        # Batches: produced lines, one batch per product and ten days of production.
        produced = np.isin(
            self.status[line_order],
            [STATUS["in_production"], STATUS["ready"], STATUS["shipped"], STATUS["delivered"]],
        )
        made = np.where(self.shipped, self.ship, self.estimate)[line_order] - 8
        made_months = made.astype("datetime64[D]").astype("datetime64[M]")
        period = np.minimum((made - made_months.astype("datetime64[D]").astype(np.int64)) // 10, 2)
        batch_key = np.where(
            produced, (product * 10000 + made_months.astype(np.int64)) * 4 + period + 1, 0
        )
        keys, inverse = np.unique(batch_key, return_inverse=True)
        skus = [p.sku for p in products]
        labels = []
        for value in keys.tolist():
            if value == 0:
                labels.append("")
                continue
            value, part = divmod(value, 4)
            product_index, months = divmod(value, 10000)
            year, month_number = 1970 + months // 12, months % 12 + 1
            labels.append(f"{skus[product_index]}-{year}-{month_number:02d}-B{part}")
        self.line_order, self.line_product = line_order, product
        self.quantity, self.cents, self.discount = quantity, cents, discount
        self.batch = [labels[i] for i in inverse.tolist()]
        self.counts["order lines"] = len(product)

    # --- what happened to late orders ---

    def disruption(self, users) -> Disruption:
        """A typhoon closes the port of Ningbo: open orders due to ship from there while it lasts
        move past it; about half their customers have been told."""
        ctx = self.ctx
        manager = next((u for u in users.values() if u.is_manager), None) or ctx.admin
        starts, ends = self.today - 3, self.today + 7
        disruption = Disruption.objects.create(
            kind=DisruptionKind.PORT_CLOSURE,
            title=f"Typhoon: port of {DISRUPTED_PORT} closed",
            description=(
                f"The port of {DISRUPTED_PORT} is closed to container vessels until "
                f"{_date(ends)}; terminals expect a backlog of about a week after reopening."
            ),
            starts_on=_date(starts),
            ends_on=_date(ends),
            ports=DISRUPTED_PORT,
            created_by=manager,
            created_at=datetime.fromtimestamp(self.now - 2 * DAY, UTC),
        )
        port = self.ports.index(DISRUPTED_PORT)
        in_window = ((self.promised >= starts) & (self.promised <= ends)) | (
            (self.estimate >= starts) & (self.estimate <= ends)
        )
        self.hit = self.open & (self.port == port) & in_window
        moved = np.maximum(self.estimate, ends + self.rng.integers(3, 9, len(self.od)))
        self.before_disruption = self.estimate.copy()
        self.estimate = np.where(self.hit, moved, self.estimate)
        return disruption

    def updates(self) -> None:
        """Estimate changes (with reasons) and the updates customers got: late open orders
        (some told lately, some long ago, some never), orders late in the last year, and the
        customers told about the port closure."""
        rng, now, today = self.rng, self.now, self.today
        count = len(self.od)
        late = self.open & ((self.estimate > self.promised) | (self.promised < today))
        self.late = late
        # When each delay became known.
        known_at = now - (rng.random(count) * 20 * DAY).astype(np.int64)
        known_at = np.maximum(known_at, self.created_minute + 3600) // 60 * 60
        history = self.shipped & (self.delay > 0) & (self.ship >= today - 365)
        history_at = (self.promised - rng.integers(2, 13, count)) * DAY + rng.integers(
            1, 10, count
        ) * 3600
        history &= history_at > self.created_minute + 3600
        changed = (self.open & (self.before_disruption > self.promised)) | history
        self.change_at = np.where(history, history_at - 3600, known_at - 3600)
        # An order the port closure hit and already late was moved before the closure's move
        # (stamped two days ago): its history of estimates then reads in order.
        before_closure = np.maximum(np.minimum(self.change_at, now - 2 * DAY), self.created_minute)
        self.change_at = np.where(self.hit, before_closure, self.change_at)
        self.changed = changed
        told = (late & ~self.hit & (rng.random(count) < 0.55)) | (
            history & (rng.random(count) < 0.6)
        )
        self.told = told
        self.told_at = np.where(history, history_at, known_at)
        # The port closure: about half the customers hit have been told.
        hit_customers = np.unique(self.oc[self.hit])
        notified = rng.permutation(hit_customers)[: (len(hit_customers) + 1) // 2]
        self.notified_customers = notified
        self.notified = self.hit & np.isin(self.oc, notified)
        self.notice_at = now - (rng.random(len(self.ids)) * 30 * 3600).astype(np.int64) // 60 * 60
        last = np.where(told, self.told_at, 0)
        last = np.where(self.notified, np.maximum(last, self.notice_at[self.oc]), last)
        self.last_update = last

    # --- rows ---

    def write_orders(self, rates: Rates, products: list[Product], disruption: Disruption) -> None:
        stamp, day_text = self.stamp, self.day_text
        count = len(self.od)
        first_id = (Order.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        self.order_ids = first_id + np.arange(count)
        rate_table = [[rates.rate(c, m) for m in range(len(rates.months))] for c in self.currencies]
        rate_text = {value: Rates.text(value) for row in rate_table for value in row}
        currency_codes = self.currencies
        scale = Rates.SCALE
        status_codes = STATUS_CODES
        ctx_customers = self.ctx.customers
        started = perf_counter()
        rows = []
        amounts = self.amount.tolist()
        self.amount_base = []
        remarks = REMARKS
        has_remark = (self.rng.random(count) < 0.1).tolist()
        remark_pick = self.rng.integers(0, len(remarks), count).tolist()
        for (
            pk, index, day, month, amount, promised, estimate, ship, status, essential,
            sensitive, port, created, number, last_update, remark, pick,
        ) in zip(
            self.order_ids.tolist(), self.oc.tolist(), self.od.tolist(), self.month.tolist(),
            amounts, self.promised.tolist(), self.estimate.tolist(), self.ship.tolist(),
            self.status.tolist(), self.essential.tolist(), self.time_sensitive.tolist(),
            self.port.tolist(), self.created_minute.tolist(), self.numbers,
            self.last_update.tolist(), has_remark, remark_pick, strict=True,
        ):  # fmt: skip
            currency = self.currency[index]
            rate = rate_table[currency][month]
            base = (2 * amount * rate + scale) // (2 * scale)
            self.amount_base.append(base)
            code = status_codes[status]
            shipped = code in ("shipped", "delivered")
            incoterm, payment = self.terms[index]
            updated = max(created, min(self.now, ship * DAY + 7200) if shipped else created)
            rows.append(
                (
                    pk, ctx_customers[index].id, number, day_text(day), currency_codes[currency],
                    rate_text[rate], _money(amount), _money(base), incoterm, payment,
                    self.ports[port], day_text(promised), day_text(estimate),
                    day_text(ship) if shipped else None, code, essential, sensitive,
                    self.quality[index], remarks[pick] if remark else "",
                    stamp(last_update) if last_update else None, self.placed_by[index],
                    stamp(created), stamp(max(updated, last_update)),
                )
            )  # fmt: skip
        self.timings["generate in Python"] += perf_counter() - started
        self._insert("orders", Order, ORDER_COLUMNS, rows)
        self.counts["orders"] = count
        del rows

        started = perf_counter()
        first_line = (
            OrderLine.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        product_ids = [p.pk for p in products]
        order_ids = self.order_ids[self.line_order].tolist()
        quantities = self.quantity.tolist()
        prices, which = np.unique(self.cents, return_inverse=True)
        price_text = [_money(value) for value in prices.tolist()]
        price = [price_text[i] for i in which.tolist()]
        discounts = self.discount.tolist()
        lines_product = self.line_product.tolist()
        batch = self.batch
        discount_text = {d: _money(d) for d in set(discounts)}
        total = len(order_ids)
        self.timings["generate in Python"] += perf_counter() - started
        for start in range(0, total, 500_000):
            started = perf_counter()
            end = min(total, start + 500_000)
            rows = [
                (
                    first_line + i, order_ids[i], product_ids[lines_product[i]], quantities[i],
                    price[i], discount_text[discounts[i]], batch[i],
                )
                for i in range(start, end)
            ]  # fmt: skip
            self.timings["generate in Python"] += perf_counter() - started
            self._insert("order lines", OrderLine, LINE_COLUMNS, rows)

    def _insert(self, label: str, model, columns, rows) -> None:
        started = perf_counter()
        insert_rows(model, columns, rows)
        self.timings[f"insert {label}"] += perf_counter() - started

    def write_updates(self, disruption: Disruption) -> list[tuple]:
        """Estimate changes, order updates, the port closure's notices; their timeline rows."""
        stamp, day_text = self.stamp, self.day_text
        users = {user.pk: user for user in self.ctx.users.values()}
        senders = {pk: str(user) for pk, user in users.items()}
        reasons = DELAY_REASONS
        customers = self.ctx.customers
        changes, updates, timeline = [], [], []
        update_id = (
            OrderUpdate.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        update_label = OrderUpdate._meta.label_lower
        how = {value: str(label) for value, label in UpdateChannel.choices}
        title = _("Update on order %(number)s (%(how)s): ship date %(old)s → %(new)s")
        pick = (self.rng.random(len(self.od)) * len(reasons)).astype(np.int64).tolist()
        for i in np.flatnonzero(self.changed | self.hit | self.told).tolist():
            pk = int(self.order_ids[i])
            index = int(self.oc[i])
            by = self.placed_by[index]
            promised = int(self.promised[i])
            before = int(self.before_disruption[i])
            reason = reasons[pick[i]]
            if self.changed[i]:
                new = int(self.ship[i]) if self.shipped[i] else before
                changes.append(
                    (pk, stamp(int(self.change_at[i])), by, day_text(promised), day_text(new),
                     reason, None)
                )  # fmt: skip
            if self.hit[i]:
                changes.append(
                    (pk, stamp(self.now - 2 * DAY + 3600), by, day_text(before),
                     day_text(int(self.estimate[i])), disruption.title, disruption.pk)
                )  # fmt: skip
            if not self.told[i]:
                continue
            contact = self.primary.get(customers[index].id)
            contact_id, language, name, email = contact or (None, "en", "", "")
            language = messages.language_for(language)
            new = int(self.ship[i]) if self.shipped[i] else before
            step = messages.DelayStep(
                promised=_date(promised),
                told=False,
                previous=None,
                estimate=_date(new),
                today=_date(int(self.told_at[i]) // DAY),
            )
            subject, body = messages.delay_message(
                language,
                step=step,
                number=self.numbers[i],
                name=name or customers[index].id,
                reason=reason,
                sender=senders.get(by, ""),
            )
            new_text = day_text(new) if step.new_date else None
            channel = UpdateChannel.EMAIL if email else UpdateChannel.WHATSAPP
            at = stamp(int(self.told_at[i]))
            updates.append(
                (update_id, pk, at, by, channel.value, contact_id, language, subject, body,
                 day_text(promised), new_text, reason, None)
            )  # fmt: skip
            timeline.append(
                (
                    customers[index].id, at, ORDER_UPDATE.key, by,
                    (title % {"number": self.numbers[i], "how": how[channel.value],
                              "old": day_text(promised), "new": new_text or "—"})[:300],
                    body, json.dumps({"channel": channel.value, "order": pk}), update_label,
                    update_id,
                )
            )  # fmt: skip
            update_id += 1
        notices, update_rows = self._notices(disruption, update_id, timeline)
        updates.extend(update_rows)
        self._insert("estimate changes", EstimateChange, CHANGE_COLUMNS, changes)
        self._insert("order updates", OrderUpdate, ("id", *UPDATE_COLUMNS), updates)
        self._insert("disruption notices", DisruptionNotice, NOTICE_COLUMNS, notices)
        self.counts["order updates"] = len(updates)
        self.counts["estimate changes"] = len(changes)
        return timeline

    def _notices(self, disruption: Disruption, update_id: int, timeline: list) -> tuple:
        """One notice per customer told about the closure, one update per order of theirs,
        as disruption_notify writes them."""
        stamp, day_text = self.stamp, self.day_text
        customers = self.ctx.customers
        users = {user.pk: str(user) for user in self.ctx.users.values()}
        sender_id = disruption.created_by_id
        notice_id = (
            DisruptionNotice.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        notice_label = DisruptionNotice._meta.label_lower
        told_title = _("Told about “%(title)s”: orders %(orders)s")
        by_customer: dict[int, list[int]] = defaultdict(list)
        for i in np.flatnonzero(self.notified).tolist():
            by_customer[int(self.oc[i])].append(i)
        notices, updates = [], []
        for index, orders in by_customer.items():
            customer_id = customers[index].id
            contact_id, language, name, email = self.primary.get(customer_id) or (
                None,
                "en",
                "",
                "",
            )
            language = messages.language_for(language)
            lines = "\n".join(
                messages.render(
                    language, "order_line", number=self.numbers[i],
                    old_date=messages.fmt_date(_date(int(self.promised[i])), language),
                    new_date=messages.fmt_date(_date(int(self.estimate[i])), language),
                )
                for i in orders
            )  # fmt: skip
            signer_id = customers[index].owner_id or sender_id  # signed by the owner
            values = {
                "name": name,
                "title": disruption.title,
                "description": disruption.description or disruption.title,
                "order_lines": lines,
                "sender": users.get(signer_id, users.get(sender_id, "")),
            }
            subject = messages.render(language, "disruption_subject", **values)
            body = messages.letter(language, "disruption", **values)
            at = stamp(int(self.notice_at[index]))
            numbers = [self.numbers[i] for i in orders]
            notices.append(
                (notice_id, disruption.pk, customer_id, at, sender_id, email, json.dumps(numbers))
            )
            channel = UpdateChannel.EMAIL if email else UpdateChannel.OTHER
            for i in orders:
                updates.append(
                    (update_id, int(self.order_ids[i]), at, sender_id, channel.value, contact_id,
                     language, subject, body, day_text(int(self.promised[i])),
                     day_text(int(self.estimate[i])), disruption.title, disruption.pk)
                )  # fmt: skip
                update_id += 1
            timeline.append(
                (
                    customer_id, at, ORDER_UPDATE.key, sender_id,
                    (told_title % {"title": disruption.title, "orders": ", ".join(numbers)})[:300],
                    body, json.dumps({"disruption": disruption.pk, "signed_by": signer_id}),
                    notice_label, notice_id,
                )
            )  # fmt: skip
            notice_id += 1
        self.counts["disruption notices"] = len(notices)
        return notices, updates

    def samples(self, products: list[Product], launches: np.ndarray, rates: Rates) -> list[tuple]:
        """Samples to prospects and some buyers, free or charged; some led to an order within 180
        days (linked), some did not (with why), recent ones wait for their follow-up."""
        py, stamp, day_text = self.py, self.stamp, self.day_text
        customers = self.ctx.customers
        today = self.today
        window = today - HISTORY_DAYS
        key = self.oc * 100_000 + self.od
        sample_id = (Sample.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        sample_label = Sample._meta.label_lower
        title = _("Sample sent: %(products)s × %(quantity)s (%(terms)s)")
        free_text = _("free")
        fee_labels = {value: str(label) for value, label in FeeStatus.choices}
        rows, links, timeline = [], [], []
        for index, customer in enumerate(customers):
            share = 0.25 if customer.status == "prospect" else 0.05
            if py.random() >= share:
                continue
            start = max(int(self.created[index]), window)
            if start >= today - 3:
                continue
            for _n in range(1 if py.random() < 0.8 else 2):
                sent = start + int(py.random() * (today - 2 - start))
                launched = [p for p, launch in enumerate(launches.tolist()) if launch <= sent]
                chosen = sorted(py.sample(launched, min(len(launched), py.choice((1, 1, 2, 3)))))
                quantity = py.choice((1, 1, 2, 2, 3, 5))
                free = py.random() < 0.6
                currency = customer.currency
                fee, status = 0, FeeStatus.WAIVED
                if not free:
                    month = int(rates.month_index(np.array([sent]))[0])
                    usd = 30 + py.random() * 220
                    fee = max(1, round(usd * Rates.SCALE / rates.rate(currency, month))) * 100
                    status = (
                        FeeStatus.PAID
                        if sent < today - 30 and py.random() < 0.7
                        else (FeeStatus.INVOICED)
                    )
                follow_up = sent + py.randint(10, 21)
                outcome, order_id, reason = SampleOutcome.PENDING, None, ""
                position = int(np.searchsorted(key, index * 100_000 + sent))
                if (
                    position < len(key)
                    and self.oc[position] == index
                    and self.od[position] <= sent + 180
                    and py.random() < 0.7
                ):
                    outcome, order_id = SampleOutcome.ORDER, int(self.order_ids[position])
                elif follow_up < today - 45 and py.random() < 0.85:
                    outcome, reason = SampleOutcome.NO_ORDER, py.choice(NO_ORDER_REASONS)
                contact = self.primary.get(customer.id)
                sender = self.placed_by[index]
                tracking = "".join(py.choice("0123456789") for _d in range(12))
                at = stamp(sent * DAY + py.randint(2, 9) * 3600)
                rows.append(
                    (sample_id, customer.id, contact[0] if contact else None, quantity,
                     day_text(sent), py.choice(COURIERS), tracking, free, _money(fee), currency,
                     status.value, _money(1500 + int(py.random() * 10000)), day_text(follow_up),
                     outcome.value, order_id, reason, sender, at)
                )  # fmt: skip
                links.extend((sample_id, products[p].pk) for p in chosen)
                terms = free_text if free else f"{_money(fee)} {currency} ({fee_labels[status]})"
                names = ", ".join(products[p].sku for p in chosen)
                timeline.append(
                    (customer.id, at, SAMPLE.key, sender,
                     (title % {"products": names, "quantity": quantity, "terms": terms})[:300],
                     "", json.dumps({"free": free, "fee_status": status.value}), sample_label,
                     sample_id)
                )  # fmt: skip
                sample_id += 1
        self._insert("samples", Sample, SAMPLE_COLUMNS, rows)
        self._insert("samples", Sample.products.through, ("sample_id", "product_id"), links)
        self.counts["samples"] = len(rows)
        return timeline

    def order_timeline(self) -> list[tuple]:
        """One entry per order (as order_create writes it): every order on a book of up to
        FULL_TIMELINE_UP_TO customers, else the last 12 months'."""
        stamp, day_text = self.stamp, self.day_text
        customers = self.ctx.customers
        label = Order._meta.label_lower
        title = _("Order %(number)s: %(amount)s %(currency)s, ship by %(date)s")
        since = -1 if self.full_timeline else self.today - 365
        rows = []
        for i in np.flatnonzero(self.od >= since).tolist():
            index = int(self.oc[i])
            amount = int(self.amount[i])
            text = title % {
                "number": self.numbers[i],
                "amount": f"{amount // 100:,}.{amount % 100:02d}",
                "currency": self.currencies[self.currency[index]],
                "date": day_text(int(self.promised[i])),
            }
            rows.append(
                (customers[index].id, stamp(int(self.created_minute[i])), ORDER.key,
                 self.placed_by[index], text[:300], "",
                 f'{{"amount_base": "{_money(self.amount_base[i])}"}}', label,
                 int(self.order_ids[i]))
            )  # fmt: skip
        return rows


NOTICE_COLUMNS = ("id", "disruption_id", "customer_id", "at", "by_id", "email", "orders")


def build_orders(ctx: DemoContext) -> None:
    """Catalogue, rates, orders with lines, late orders and updates, the port closure, samples,
    and their timeline entries."""
    started = perf_counter()
    book = OrderBook(ctx)
    book.customers()
    products, launches, stops = build_catalogue(ctx)
    rates = Rates(ctx, {c.currency for c in ctx.customers})
    ExchangeRate.objects.bulk_create(
        [
            ExchangeRate(currency=currency, valid_from=valid_from, rate=Decimal(rate))
            for currency, valid_from, rate in rates.rows()
        ],
        batch_size=5000,
    )
    book.order_days()
    book.orders(rates)
    book.lines(products, launches, stops, rates)
    disruption = book.disruption(ctx.users)
    book.updates()
    book.timings["generate in Python"] += perf_counter() - started
    with big_cache():
        # Tables kept by triggers on the orders (the reports' revenue months and years) are
        # filled once after the COPY instead of one trigger per order (minutes on a big book).
        with derived_suspended(work_mem="256MB", only=("reports.revenue",)):
            book.write_orders(rates, products, disruption)
            written = perf_counter()
        book.timings["fill revenue months and years"] += perf_counter() - written
        timeline = book.write_updates(disruption)
        timeline.extend(book.samples(products, launches, rates))
        started = perf_counter()
        timeline.extend(book.order_timeline())
        book.timings["generate in Python"] += perf_counter() - started
        book._insert("timeline", TimelineEntry, TIMELINE_COLUMNS, timeline)
    reset_sequences(Order, OrderLine, OrderUpdate, DisruptionNotice, Sample)
    for label, seconds in book.timings.items():
        ctx.timings.append((f"  {label}", seconds))
    ctx.counts.update(
        products=len(products),
        exchange_rates=len(rates.rows()),
        orders=book.counts["orders"],
        order_lines=book.counts["order lines"],
        order_updates=book.counts["order updates"],
        samples=book.counts["samples"],
        timeline_entries=ctx.counts.get("timeline_entries", 0) + len(timeline),
    )
    ctx.data["orders"] = dict(book.counts)


def reset_orders(ctx: DemoContext) -> None:
    """Delete the trade records, dependents first (raw deletes: millions of lines)."""
    for model in (
        Sample, OrderUpdate, EstimateChange, DisruptionNotice, OrderLine, Order, Disruption,
        Product, ExchangeRate, DocumentSequence,
    ):  # fmt: skip
        delete_all(model)
    TimelineEntry.objects.filter(
        kind__in=[ORDER.key, ORDER_UPDATE.key, SAMPLE.key, "document"]
    ).delete()


register_step("orders", build_orders, after="customers", reset=reset_orders)
