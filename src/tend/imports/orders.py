"""Importing orders from an ERP export, one row per order line, fast and all-or-nothing.

Rows with the same order number are one order. Every cell is checked in Python against lookups
loaded once (customers by external id and by name, the customers the importing person may see,
products by SKU, the whole exchange-rate table), so a dry run lists every bad row. A commit
checks the orders already in the book again inside one transaction and, only when nothing is
wrong, writes in bulk (``imports.bulk``, ids drawn up front): new orders, their lines, one
timeline entry per new order, the estimate history, and the allowed changes to orders already
in the book.

A re-import (the same order number) never duplicates and never deletes. Blank cells change
nothing. Estimated and actual ship dates, status, the flags, the port, remarks and the batch
numbers of existing lines are updated; on a confirmed (not draft) order, a different currency,
Incoterm, payment terms, promised ship date, or line product/quantity/price/discount, or an
extra line, is a row error: those change only by an approved request. A new order's payment
terms are its customer's approved terms (a blank cell gives them); other terms are a row error
(``payment_terms_given``). A status moves only along
``orders.transitions``; confirming a draft beyond the discount policy, or reopening a confirmed
order, is a row error that names the request to make. A new order placed past draft beyond the
discount policy is written as a draft with a pending discount approval that confirms it (as
``order_create`` does).
"""

import bisect
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.approvals.policy import confirm_refusal_for, discount_needs_approval
from tend.core.decimals import MONEY, PERCENT, QUANTITY, UNIT_PRICE, Column
from tend.core.guard import GuardedChange
from tend.customers.models import Customer
from tend.health.services.lost import customers_lost_among, customers_won_back
from tend.orders import transitions
from tend.orders.models import (
    EstimateChange,
    ExchangeRate,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    discount_depth,
)
from tend.orders.services.orders import payment_terms_given, rate_for

from . import bulk, columns
from .columns import Target
from .customers import RowError
from .files import open_sheet, with_progress
from .models import ImportStage

LOOKUP_CHUNK = 900  # values per IN (...): under SQLite's 999 parameters
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
GUARDED_MESSAGE = gettext_lazy(
    "Order %(number)s is confirmed: its %(field)s changes only by an approved request "
    "(“%(old)s” in Tend, “%(new)s” in the file)."
)

ORDER_TARGETS = [
    Target("number", "number", gettext_lazy("Order number")),
    Target("customer", "customer", gettext_lazy("Customer")),
    Target("order_date", "order_date", gettext_lazy("Order date")),
    Target("currency", "currency", gettext_lazy("Currency")),
    Target("incoterm", "incoterm", gettext_lazy("Incoterm")),
    Target("payment_terms", "payment_terms", gettext_lazy("Payment terms")),
    Target("port", "port", gettext_lazy("Port of loading")),
    Target("promised_ship_date", "promised_ship_date", gettext_lazy("Promised ship date")),
    Target("estimated_ship_date", "estimated_ship_date", gettext_lazy("Estimated ship date")),
    Target("actual_ship_date", "actual_ship_date", gettext_lazy("Actual ship date")),
    Target("status", "status", gettext_lazy("Status")),
    Target("essential", "essential", gettext_lazy("Essential")),
    Target("time_sensitive", "time_sensitive", gettext_lazy("Time-sensitive")),
    Target("remarks", "remarks", gettext_lazy("Remarks")),
    Target("sku", "product", gettext_lazy("Product SKU")),
    Target("quantity", "quantity", gettext_lazy("Quantity")),
    Target("unit_price", "unit_price", gettext_lazy("Unit price")),
    Target("discount_pct", "discount_pct", gettext_lazy("Discount %")),
    Target("batch_number", "batch_number", gettext_lazy("Batch / lot")),
]
ORDER_TARGET_KEYS = {target.key: target for target in ORDER_TARGETS}
ORDER_SYNONYMS = {
    "number": [
        "order number",
        "order no",
        "order",
        "order id",
        "po",
        "po number",
        "so number",
        "sales order",
        "external order number",
        "订单号",
        "订单编号",
        "合同号",
        "销售订单号",
    ],
    "customer": [
        "customer",
        "customer id",
        "customer name",
        "client",
        "buyer",
        "account",
        "external id",
        "客户",
        "客户名称",
        "客户编号",
        "客户代码",
    ],
    "order_date": ["order date", "date", "po date", "订单日期", "下单日期", "日期"],
    "currency": ["currency", "ccy", "币种", "货币", "结算币种"],
    "incoterm": ["incoterm", "incoterms", "trade term", "trade terms", "贸易术语", "价格条款"],
    "payment_terms": ["payment terms", "payment term", "payment", "付款方式", "付款条件"],
    "port": ["port", "port of loading", "pol", "loading port", "港口", "装运港", "起运港"],
    "promised_ship_date": [
        "promised ship date",
        "promised date",
        "ship by",
        "delivery date",
        "交货期",
        "承诺出货日期",
        "承诺交期",
        "交期",
    ],
    "estimated_ship_date": [
        "estimated ship date",
        "estimated date",
        "eta",
        "etd",
        "预计出货日期",
        "预计交期",
    ],
    "actual_ship_date": ["actual ship date", "shipped on", "ship date", "实际出货日期", "出货日期"],
    "status": ["status", "order status", "状态", "订单状态"],
    "essential": ["essential", "key order", "重要", "重点订单"],
    "time_sensitive": ["time sensitive", "time-sensitive", "urgent", "加急", "急单"],
    "remarks": ["remarks", "remark", "notes", "note", "comments", "备注", "说明"],
    "sku": [
        "sku",
        "product sku",
        "product",
        "product code",
        "item",
        "item code",
        "item no",
        "part number",
        "产品编号",
        "产品编码",
        "产品代码",
        "货号",
        "物料编号",
        "型号",
    ],
    "quantity": ["quantity", "qty", "数量", "订单数量"],
    "unit_price": ["unit price", "price", "单价", "价格"],
    "discount_pct": ["discount", "discount %", "discount pct", "折扣", "折扣率", "折扣%"],
    "batch_number": ["batch", "lot", "batch number", "lot number", "batch/lot", "批号", "批次"],
}
ORDER_FIELDS = ("currency", "incoterm", "payment_terms", "port", "promised_ship_date",
                "estimated_ship_date", "actual_ship_date", "status", "essential",
                "time_sensitive", "remarks")  # fmt: skip
LINE_FIELDS = ("sku", "quantity", "unit_price", "discount_pct", "batch_number")
ALLOWED_UPDATES = ("estimated_ship_date", "actual_ship_date", "status", "essential",
                   "time_sensitive", "port", "remarks")  # fmt: skip
GUARDED_ORDER = {
    "currency": gettext_lazy("currency"),
    "incoterm": gettext_lazy("Incoterm"),
    "payment_terms": gettext_lazy("payment terms"),
    "promised_ship_date": gettext_lazy("promised ship date"),
}
GUARDED_LINE = {
    "sku": gettext_lazy("product"),
    "quantity": gettext_lazy("quantity"),
    "unit_price": gettext_lazy("unit price"),
    "discount_pct": gettext_lazy("discount"),
}
STATUS_WORDS = {
    "草稿": "draft", "已确认": "confirmed", "确认": "confirmed", "生产中": "in_production",
    "在产": "in_production", "备货完成": "ready", "待发货": "ready", "已发货": "shipped",
    "发货": "shipped", "已交付": "delivered", "已送达": "delivered", "已取消": "cancelled",
    "取消": "cancelled", "open": "confirmed", "production": "in_production",
}  # fmt: skip
TRUE_WORDS = {"yes", "y", "true", "1", "x", "✓", "是", "对", "true()"}
FALSE_WORDS = {"no", "n", "false", "0", "否", "不", "false()"}
DATE_FORMATS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?\Z"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?\Z"),
)


def header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for key, words in ORDER_SYNONYMS.items():
        for word in words:
            index.setdefault(columns.normalise_header(word), key)
    return index


def auto_mapping(headers: list[str]) -> list[str | None]:
    """One target per column, matched by the English or Chinese header (as ``columns``)."""
    index = header_index()
    taken: set[str] = set()
    mapping: list[str | None] = []
    for header in headers:
        key = index.get(columns.normalise_header(header))
        if key in taken:
            key = None
        if key:
            taken.add(key)
        mapping.append(key)
    return mapping


@dataclass
class OrderImportResult:
    headers: list[str]
    mapping: list[str | None]
    rows: int = 0
    good_rows: int = 0
    orders_created: int = 0
    orders_updated: int = 0
    orders_unchanged: int = 0
    lines_created: int = 0
    lines_updated: int = 0
    timeline_entries: int = 0
    orders_held_for_approval: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


class _Bad(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class _Line:
    row: int
    product_id: int | None
    sku: str
    quantity: Decimal | None
    unit_price: Decimal | None
    discount_pct: Decimal | None  # None: blank
    batch_number: str | None  # None: blank


@dataclass
class _Group:
    row: int
    number: str
    customer: tuple | None = None  # (pk, currency, incoterm, payment_terms)
    customer_text: str = ""
    order_date: date | None = None
    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, tuple[int, str]] = field(default_factory=dict)  # field -> (row, raw)
    lines: list[_Line] = field(default_factory=list)
    bad: bool = False


def _decimal(raw: str, column: Column) -> Decimal:
    """A cell as a number of zero or more that fits its column (``tend.core.decimals``)."""
    text = raw.replace(",", "").replace(" ", "").rstrip("%")
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise _Bad(_("“%(value)s” is not a number.") % {"value": raw}) from None
    if not value.is_finite() or value < 0:
        raise _Bad(_("“%(value)s” is not a number of zero or more.") % {"value": raw})
    problem = column.problem(value)
    if problem is not None:
        raise _Bad(problem)
    return value.quantize(Decimal(1).scaleb(-column.decimal_places))


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _order_amount(lines: list[_Line]) -> Decimal:
    """What the order's lines come to after discounts, to the cent (as ``OrderLine.amount``)."""
    total = Decimal("0")
    for line in lines:
        discount = line.discount_pct or Decimal("0")
        total += _money(line.quantity * line.unit_price * (HUNDRED - discount) / HUNDRED)
    return _money(total)


class _Importer:
    def __init__(self, *, by: User, headers: list[str], mapping: list[str | None]):
        self.by = by
        self.headers = headers
        self.mapping = mapping
        self.result = OrderImportResult(headers=list(headers), mapping=list(mapping))
        self.errors: list[tuple[int, int, RowError]] = []
        self.bad_rows: set[int] = set()
        self.column_of: dict[str, int] = {}
        for index, key in enumerate(mapping):
            if key is not None and key not in self.column_of:
                self.column_of[key] = index
        missing = [
            k for k in ("number", "sku", "quantity", "unit_price") if k not in self.column_of
        ]
        for key in missing:
            self.error(
                None,
                "",
                _("No column is mapped to “%(field)s”.") % {"field": ORDER_TARGET_KEYS[key].label},
            )
        self.groups: dict[str, _Group] = {}
        self.now = timezone.now()
        self.held: list[_Group] = []  # new orders placed as drafts, waiting for approval
        self.policy_cache: dict[Decimal, bool] = {}
        self.dates: dict[str, date] = {}
        self.rate_cache: dict[tuple[str, date], Decimal | str] = {}
        self._load_lookups()
        self.status_index = columns._choice_index(OrderStatus.choices, STATUS_WORDS)
        self.creates: list[_Group] = []
        self.order_updates: list[tuple] = []
        self.line_updates: list[tuple[str, int]] = []
        self.estimate_changes: list[tuple[int, date | None, date | None]] = []
        self.extra_lines: list[tuple[int, _Line]] = []

    # Lookups ---------------------------------------------------------------------------

    def _load_lookups(self) -> None:
        self.by_external: dict[str, tuple] = {}
        self.by_name: dict[str, tuple | None] = {}
        for pk, external_id, name, currency, incoterm, terms in Customer.objects.values_list(
            "pk", "external_id", "name", "currency", "incoterm", "payment_terms"
        ).iterator(chunk_size=5000):
            info = (pk, currency, incoterm, terms)
            if external_id:
                self.by_external[external_id.strip().casefold()] = info
            key = " ".join(name.split()).casefold()
            self.by_name[key] = info if key not in self.by_name else None  # None: ambiguous
        self.visible = set(Customer.objects.visible_to(self.by).values_list("pk", flat=True))
        self.products = dict(Product.objects.values_list("sku", "pk"))
        self.list_prices = dict(Product.objects.values_list("pk", "list_price"))
        self.products_folded = {sku.casefold(): pk for sku, pk in self.products.items()}
        self.product_sku = {pk: sku for sku, pk in self.products.items()}
        rates: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
        for currency, valid_from, rate in ExchangeRate.objects.order_by(
            "currency", "valid_from"
        ).values_list("currency", "valid_from", "rate"):
            rates[currency].append((valid_from, rate))
        self.rates = {c: ([d for d, _r in v], [r for _d, r in v]) for c, v in rates.items()}

    def rate(self, currency: str, on: date) -> Decimal:
        key = (currency, on)
        found = self.rate_cache.get(key)
        if found is None:
            if currency == settings.TEND_BASE_CURRENCY:
                found = Decimal("1")
            else:
                days, values = self.rates.get(currency, ((), ()))
                at = bisect.bisect_right(days, on)
                if at:
                    found = values[at - 1]
                else:  # rate_for says which rate is missing
                    try:
                        found = rate_for(currency, on)
                    except ValidationError as exc:
                        found = exc.message_dict["currency"][0]
            self.rate_cache[key] = found
        if isinstance(found, str):
            raise _Bad(found)
        return found

    # Errors ----------------------------------------------------------------------------

    def error(self, row: int | None, column: str, message: str, index: int = -1) -> None:
        if row is not None:
            self.bad_rows.add(row)
        self.errors.append((row or 0, index, RowError(row, column, str(message))))

    def field_error(self, row: int, key: str, message: str) -> None:
        index = self.column_of.get(key, -1)
        self.error(row, self.headers[index] if index >= 0 else "", message, index)

    # Cells -----------------------------------------------------------------------------

    def _date(self, raw: str) -> date:
        found = self.dates.get(raw)
        if found is None:
            for pattern in DATE_FORMATS:
                match = pattern.match(raw)
                if match:
                    try:
                        found = date(*(int(part) for part in match.groups()))
                    except ValueError:
                        found = None
                    break
            if found is None:
                raise _Bad(_("“%(value)s” is not a date: write it as 2025-03-31.") % {"value": raw})
            self.dates[raw] = found
        return found

    def _flag(self, raw: str) -> bool:
        key = raw.strip().casefold()
        if key in TRUE_WORDS:
            return True
        if key in FALSE_WORDS:
            return False
        raise _Bad(_("“%(value)s” is not yes or no.") % {"value": raw})

    def _cell(self, key: str, raw: str) -> Any:
        if key in ("promised_ship_date", "estimated_ship_date", "actual_ship_date"):
            return self._date(raw)
        if key in ("essential", "time_sensitive"):
            return self._flag(raw)
        if key == "currency":
            code = columns.currency_code(raw)
            if code is None:
                raise _Bad(
                    _("“%(value)s” is not an ISO 4217 currency code (USD, EUR, CNY…).")
                    % {"value": raw}
                )
            return code
        if key == "incoterm":
            code = columns.choice_value("incoterm", raw)
            if code is None:
                raise _Bad(_("“%(value)s” is not an Incoterm (EXW, FOB, CIF…).") % {"value": raw})
            return code
        if key == "status":
            value = (
                self.status_index.get(raw.casefold())
                or self.status_index.get(columns.fold_cjk(raw).casefold())
                or self.status_index.get(columns.fold(raw) or "\0")
            )
            if value is None:
                raise _Bad(
                    _("Unknown status “%(value)s”: one of %(values)s.")
                    % {"value": raw, "values": ", ".join(OrderStatus.values)}
                )
            return value
        limit = {"payment_terms": 200, "port": 100}.get(key)
        value = raw if key == "remarks" else " ".join(raw.split())
        if limit and len(value) > limit:
            raise _Bad(
                _("Too long: at most %(max)s characters, this has %(length)s.")
                % {"max": limit, "length": len(value)}
            )
        return value

    def _customer(self, raw: str) -> tuple:
        key = " ".join(raw.split()).casefold()
        info = self.by_external.get(key)
        if info is None:
            if key in self.by_name:
                info = self.by_name[key]
                if info is None:
                    raise _Bad(
                        _("More than one customer is called “%(value)s”: give the external id.")
                        % {"value": raw}
                    )
            else:
                raise _Bad(_("No customer with external id or name “%(value)s”.") % {"value": raw})
        if info[0] not in self.visible:
            raise _Bad(
                _("Customer “%(value)s” is not one of yours; ask its owner or a manager.")
                % {"value": raw}
            )
        return info

    # Reading ---------------------------------------------------------------------------

    def read(self, rows) -> None:
        col = self.column_of
        get = {key: col.get(key) for key in ORDER_TARGET_KEYS}
        order_keys = [(k, get[k]) for k in ORDER_FIELDS if get[k] is not None]
        i_number, i_customer, i_date = get["number"], get["customer"], get["order_date"]
        i_sku, i_qty, i_price = get["sku"], get["quantity"], get["unit_price"]
        i_disc, i_batch = get["discount_pct"], get["batch_number"]
        groups = self.groups
        products, folded = self.products, self.products_folded
        count = 0
        for number, cells in rows:
            count += 1
            width = len(cells)

            def cell(index, cells=cells, width=width):
                return cells[index] if index is not None and index < width else ""

            order_number = " ".join(cell(i_number).split())
            if not order_number:
                self.field_error(number, "number", _("The order number is missing."))
                continue
            if len(order_number) > 60:
                self.field_error(number, "number", _("Too long: at most 60 characters."))
                continue
            group = groups.get(order_number)
            first = group is None
            if first:
                group = groups[order_number] = _Group(row=number, number=order_number)
            raw = cell(i_customer)
            if first:
                group.customer_text = raw
                if raw:
                    try:
                        group.customer = self._customer(raw)
                    except _Bad as bad:
                        self.field_error(number, "customer", bad.message)
                        group.bad = True
                raw = cell(i_date)
                if raw:
                    try:
                        group.order_date = self._date(raw)
                    except _Bad as bad:
                        self.field_error(number, "order_date", bad.message)
                        group.bad = True
            elif raw and raw != group.customer_text and group.customer_text:
                self.field_error(
                    number,
                    "customer",
                    _("Row %(row)s gives order %(number)s another customer (“%(value)s”).")
                    % {"row": group.row, "number": order_number, "value": group.customer_text},
                )
            values, origin = group.values, group.origin
            for key, index in order_keys:
                raw = cells[index] if index < width else ""
                if not raw:
                    continue
                seen = origin.get(key)
                if seen is not None:
                    if seen[1] != raw:
                        self.field_error(
                            number,
                            key,
                            _("Row %(row)s gives order %(number)s “%(value)s” here.")
                            % {"row": seen[0], "number": order_number, "value": seen[1]},
                        )
                    continue
                origin[key] = (number, raw)
                try:
                    values[key] = self._cell(key, raw)
                except _Bad as bad:
                    self.field_error(number, key, bad.message)
                    group.bad = True
            # The line.
            line_bad = False
            sku = cell(i_sku)
            product_id = products.get(sku) or folded.get(sku.casefold()) if sku else None
            if not sku:
                self.field_error(number, "sku", _("The product SKU is missing."))
                line_bad = True
            elif product_id is None:
                self.field_error(
                    number, "sku", _("No product with SKU “%(value)s”.") % {"value": sku}
                )
                line_bad = True
            parsed: list[Decimal | None] = []
            for key, index, column, required in (
                ("quantity", i_qty, QUANTITY, True),
                ("unit_price", i_price, UNIT_PRICE, True),
                ("discount_pct", i_disc, PERCENT, False),
            ):
                raw = cell(index)
                if not raw:
                    if required:
                        self.field_error(number, key, _("This is required."))
                        line_bad = True
                    parsed.append(None)
                    continue
                try:
                    value = _decimal(raw, column)
                    if key == "discount_pct" and value > HUNDRED:
                        raise _Bad(_("A discount cannot exceed 100%."))
                    parsed.append(value)
                except _Bad as bad:
                    self.field_error(number, key, bad.message)
                    line_bad = True
                    parsed.append(None)
            batch = cell(i_batch) if i_batch is not None else None
            if batch and len(batch) > 60:
                self.field_error(number, "batch_number", _("Too long: at most 60 characters."))
                line_bad = True
            if line_bad:
                group.bad = True
                continue
            group.lines.append(
                _Line(number, product_id, sku, parsed[0], parsed[1], parsed[2], batch or None)
            )
        self.result.rows = count

    # Checking against the book -----------------------------------------------------------

    def resolve(self, *, lock: bool) -> None:
        numbers = list(self.groups)
        existing: dict[str, dict] = {}
        query = Order.objects.order_by()
        if lock:
            query = query.select_for_update()
        names = ("pk", "number", "customer_id", "order_date", "currency", "rate_to_base",
                 "incoterm", "payment_terms", "port", "promised_ship_date",
                 "estimated_ship_date", "actual_ship_date", "status", "essential",
                 "time_sensitive", "remarks")  # fmt: skip
        for start in range(0, len(numbers), LOOKUP_CHUNK):
            for values in query.filter(number__in=numbers[start : start + LOOKUP_CHUNK]).values(
                *names
            ):
                existing[values["number"]] = values
        lines: dict[int, list[dict]] = defaultdict(list)
        ids = [values["pk"] for values in existing.values()]
        for start in range(0, len(ids), LOOKUP_CHUNK):
            for values in (
                OrderLine.objects.filter(order_id__in=ids[start : start + LOOKUP_CHUNK])
                .order_by("id")
                .values(
                    "pk",
                    "order_id",
                    "product_id",
                    "quantity",
                    "unit_price",
                    "discount_pct",
                    "batch_number",
                )  # fmt: skip
            ):
                lines[values["order_id"]].append(values)
        self.creates, self.order_updates, self.line_updates = [], [], []
        self.held = []
        self.estimate_changes = []
        unchanged = 0
        for number, group in self.groups.items():
            found = existing.get(number)
            if found is None:
                self._check_new(group)
            elif self._check_existing(group, found, lines.get(found["pk"], [])):
                unchanged += 1
        self.result.orders_unchanged = unchanged

    def _check_new(self, group: _Group) -> None:
        row = group.row
        if group.bad:
            self.creates.append(group)  # counted, never written: there are errors
            return
        if group.customer is None:
            self.field_error(row, "customer", _("A new order needs its customer."))
            return
        if group.order_date is None:
            self.field_error(row, "order_date", _("A new order needs its order date."))
            return
        values = group.values
        pk, currency, incoterm, terms = group.customer
        values.setdefault("currency", currency)
        values.setdefault("incoterm", incoterm)
        try:
            values["payment_terms"] = payment_terms_given(
                approved=terms, given=values.get("payment_terms") or ""
            )
        except ValidationError as refused:
            row_of = group.origin.get("payment_terms", (row,))[0]
            self.field_error(row_of, "payment_terms", refused.message_dict["payment_terms"][0])
            return
        values.setdefault("status", OrderStatus.CONFIRMED)
        if values.get("estimated_ship_date") is None:
            values["estimated_ship_date"] = values.get("promised_ship_date")
        if values["status"] == OrderStatus.SHIPPED and values.get("actual_ship_date") is None:
            self.field_error(row, "status", _("A shipped order needs its ship date."))
            return
        try:
            values["rate_to_base"] = self.rate(values["currency"], group.order_date)
        except _Bad as bad:
            self.field_error(group.origin.get("currency", (row,))[0], "currency", bad.message)
            return
        amount = _order_amount(group.lines)
        if max(amount, _money(amount * values["rate_to_base"])) > MONEY.largest:
            self.field_error(
                row,
                "unit_price",
                _("Order %(number)s comes to %(amount)s: too large, at most %(largest)s.")
                % {
                    "number": group.number,
                    "amount": f"{amount:,}",
                    "largest": f"{MONEY.largest:,}",
                },
            )
            return
        if transitions.agrees_terms(None, values["status"]):
            lines = [(line.product_id, line.quantity, line.unit_price, line.discount_pct)
                     for line in group.lines]  # fmt: skip
            if self._beyond_policy(self._depth(lines, values["rate_to_base"])):
                values["status"] = OrderStatus.DRAFT
                self.held.append(group)
        self.creates.append(group)

    def _depth(self, lines, rate: Decimal) -> Decimal:
        """The order's deepest line below list, as ``policy.order_depth`` measures it."""
        depths = [Decimal("0")]
        for product_id, quantity, unit_price, discount in lines:
            if quantity is None or unit_price is None:
                continue
            discount = discount or Decimal("0")
            net = (quantity * unit_price * (HUNDRED - discount) / HUNDRED).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
            depths.append(
                discount_depth(
                    net_amount=net,
                    quantity=quantity,
                    rate_to_base=rate,
                    list_price=self.list_prices.get(product_id),
                    discount_pct=discount,
                )
            )
        return max(depths).quantize(CENT, rounding=ROUND_HALF_UP)

    def _beyond_policy(self, depth: Decimal) -> bool:
        if depth not in self.policy_cache:
            self.policy_cache[depth] = discount_needs_approval(depth)
        return self.policy_cache[depth]

    def _check_status_move(self, group: _Group, found: dict, lines: list[dict]) -> None:
        """A re-import moves a status only along the declared transitions; confirming a draft
        beyond the discount policy, or reopening a confirmed order, needs a request first."""
        new, old = group.values.get("status"), found["status"]
        if new is None or new == old:
            return
        row = group.origin.get("status", (group.row,))[0]
        try:
            transitions.check_move(number=group.number, old=old, new=new)
        except ValidationError as refused:
            self.field_error(row, "status", refused.message_dict["status"][0])
            return
        except GuardedChange as refused:
            self.field_error(row, "status", str(refused))
            return
        if transitions.agrees_terms(old, new):
            rows = [(line["product_id"], line["quantity"], line["unit_price"],
                     line["discount_pct"]) for line in lines]  # fmt: skip
            depth = self._depth(rows, found["rate_to_base"])
            if self._beyond_policy(depth):
                self.field_error(
                    row, "status", confirm_refusal_for(number=group.number, depth=depth)
                )

    def _check_existing(self, group: _Group, found: dict, lines: list[dict]) -> bool:
        """Plan the allowed changes; report guarded ones. True when nothing changes."""
        row, number = group.row, group.number
        values = group.values
        if group.customer is not None and group.customer[0] != found["customer_id"]:
            self.field_error(
                row,
                "customer",
                _("Order %(number)s belongs to another customer in Tend.") % {"number": number},
            )
        if group.order_date is not None and group.order_date != found["order_date"]:
            self.field_error(
                row,
                "order_date",
                _("Order %(number)s was placed on %(day)s in Tend; an import cannot move it.")
                % {"number": number, "day": found["order_date"]},
            )
        guarded = found["status"] != OrderStatus.DRAFT
        for key, label in GUARDED_ORDER.items():
            if key in values and values[key] != found[key]:
                # Drafts too: the amounts and rate would need recomputing; edit them in Tend.
                self.field_error(
                    group.origin[key][0],
                    key,
                    (
                        GUARDED_MESSAGE
                        if guarded
                        else gettext_lazy(
                            "Order %(number)s: its %(field)s changes in Tend, not by "
                            "re-import (“%(old)s” in Tend, “%(new)s” in the file)."
                        )
                    )
                    % {"number": number, "field": label, "old": found[key], "new": values[key]},
                )
        batch_changes = []
        for position, line in enumerate(group.lines):
            if position >= len(lines):
                self.field_error(
                    line.row,
                    "sku",
                    _(
                        "Order %(number)s is already in Tend with %(count)s lines: a new line "
                        "changes only by an approved request."
                    )
                    % {"number": number, "count": len(lines)},
                )
                continue
            old = lines[position]
            new_values = {
                "sku": (line.product_id, old["product_id"]),
                "quantity": (line.quantity, old["quantity"]),
                "unit_price": (line.unit_price, old["unit_price"]),
                "discount_pct": (line.discount_pct, old["discount_pct"]),
            }
            for key, (new, current) in new_values.items():
                if new is None or new == current:
                    continue
                shown_old, shown_new = current, new
                if key == "sku":
                    shown_old, shown_new = self.product_sku.get(current, current), line.sku
                self.field_error(
                    line.row,
                    key,
                    GUARDED_MESSAGE
                    % {
                        "number": number,
                        "field": GUARDED_LINE[key],
                        "old": shown_old,
                        "new": shown_new,
                    },  # fmt: skip
                )
            if line.batch_number is not None and line.batch_number != old["batch_number"]:
                batch_changes.append((line.batch_number, old["pk"]))
        self._check_status_move(group, found, lines)
        status = values.get("status", found["status"])
        if status == OrderStatus.SHIPPED and not (
            values.get("actual_ship_date") or found["actual_ship_date"]
        ):
            self.field_error(row, "status", _("A shipped order needs its ship date."))
        changed = {
            key: values[key]
            for key in ALLOWED_UPDATES
            if key in values and values[key] != found[key]
        }
        if changed or batch_changes:
            merged = {key: changed.get(key, found[key]) for key in ALLOWED_UPDATES}
            self.order_updates.append((*merged.values(), self.now, found["pk"]))
            if "estimated_ship_date" in changed:
                self.estimate_changes.append(
                    (found["pk"], found["estimated_ship_date"], changed["estimated_ship_date"])
                )
            self.line_updates.extend(batch_changes)
            return False
        return True

    # Writing ---------------------------------------------------------------------------

    def write(self) -> None:
        from tend.orders.timeline_kinds import ORDER
        from tend.timeline.models import TimelineEntry

        now = self.now
        db_now = bulk.db_datetime(Order, now)
        by_id = self.by.pk
        order_ids = bulk.allocate_ids(Order, len(self.creates))
        order_rows, line_rows, entries = [], [], []
        title = _("Order %(number)s: %(amount)s %(currency)s, ship by %(date)s")
        source_type = Order._meta.label_lower
        for order_id, group in zip(order_ids, self.creates, strict=True):
            values = group.values
            for line in group.lines:
                discount = line.discount_pct or Decimal("0")
                line_rows.append(
                    (
                        order_id,
                        line.product_id,
                        line.quantity,
                        line.unit_price,
                        discount,
                        line.batch_number or "",
                    )  # fmt: skip
                )
            amount = _order_amount(group.lines)
            rate = values["rate_to_base"]
            amount_base = _money(amount * rate)
            customer_id = group.customer[0]
            order_rows.append(
                (
                    customer_id,
                    group.number,
                    group.order_date,
                    values["currency"],
                    rate,
                    amount,
                    amount_base,
                    values["incoterm"] or "",
                    values["payment_terms"] or "",
                    values.get("port", ""),
                    values.get("promised_ship_date"),
                    values.get("estimated_ship_date"),
                    values.get("actual_ship_date"),
                    values["status"],
                    values.get("essential", False),
                    values.get("time_sensitive", False),
                    values.get("remarks", ""),
                    by_id,
                    db_now,
                )
            )
            entries.append(
                (
                    customer_id,
                    db_now,
                    ORDER.key,
                    by_id,
                    (
                        title
                        % {
                            "number": group.number,
                            "amount": f"{amount:,.2f}",
                            "currency": values["currency"],
                            "date": values.get("promised_ship_date") or "—",
                        }
                    )[:300],
                    "",
                    f'{{"amount_base": "{amount_base}"}}',
                    source_type,
                    order_id,
                )
            )
        bulk.insert(
            Order,
            (
                "customer_id",
                "number",
                "order_date",
                "currency",
                "rate_to_base",
                "amount",
                "amount_base",
                "incoterm",
                "payment_terms",
                "port",
                "promised_ship_date",
                "estimated_ship_date",
                "actual_ship_date",
                "status",
                "essential",
                "time_sensitive",
                "remarks",
                "created_by_id",
                "created_at",
            ),  # fmt: skip
            order_rows,
            now=now,
            ids=order_ids,
        )
        bulk.insert(
            OrderLine,
            ("order_id", "product_id", "quantity", "unit_price", "discount_pct", "batch_number"),
            line_rows,
            now=now,
        )
        bulk.insert(
            TimelineEntry,
            (
                "customer_id",
                "at",
                "kind",
                "actor_id",
                "title",
                "body",
                "data",
                "source_type",
                "source_id",
            ),  # fmt: skip
            entries,
            now=now,
        )
        bulk.update(Order, (*ALLOWED_UPDATES, "updated_at"), self.order_updates)
        bulk.update(OrderLine, ("batch_number",), self.line_updates)
        bulk.insert(
            EstimateChange,
            ("order_id", "at", "by_id", "old_date", "new_date", "reason"),
            [
                (pk, db_now, by_id, old, new, _("Imported from a file."))
                for pk, old, new in self.estimate_changes
            ],
            now=now,
        )
        self.result.timeline_entries = len(entries)
        self._record_won_back(order_ids)
        self._request_confirmations(order_ids)

    def _request_confirmations(self, order_ids: list[int]) -> None:
        """New orders beyond the discount policy were written as drafts: ask for each to be
        confirmed, in the importing person's name (as ``order_create`` does)."""
        from tend.approvals.services import request_create

        held = {id(group) for group in self.held}
        ids = [pk for pk, group in zip(order_ids, self.creates, strict=True) if id(group) in held]
        for order in Order.objects.filter(pk__in=ids).select_related("customer").order_by("pk"):
            request_create(
                by=self.by,
                kind="discount",
                customer=order.customer,
                order=order,
                reason=_("Imported below list beyond policy: to be confirmed when approved."),
                proposed={"status": OrderStatus.CONFIRMED.value},
            )

    def _record_won_back(self, order_ids: list[int]) -> None:
        """Lost customers who ordered again are won back: one query finds them among the
        new orders' customers; only their orders go on to the service."""
        lost = customers_lost_among({group.customer[0] for group in self.creates})
        if not lost:
            return
        orders = [
            Order(
                pk=order_id,
                customer_id=group.customer[0],
                number=group.number,
                order_date=group.order_date,
                status=group.values["status"],
            )
            for order_id, group in zip(order_ids, self.creates, strict=True)
            if group.customer[0] in lost
        ]
        customers_won_back(orders=orders, by=self.by, now=self.now)

    def finish(self) -> OrderImportResult:
        result = self.result
        self.errors.sort(key=lambda item: (item[0], item[1]))
        result.errors = [error for _row, _index, error in self.errors]
        result.good_rows = result.rows - len(self.bad_rows)
        result.orders_created = len(self.creates)
        result.orders_updated = len(self.order_updates)
        result.lines_created = sum(len(group.lines) for group in self.creates)
        result.lines_updated = len(self.line_updates)
        result.orders_held_for_approval = len(self.held)
        return result


def import_orders(
    *,
    by: User,
    path: Path,
    mapping: list[str | None] | None = None,
    commit: bool = False,
    kind: str | None = None,
    progress: Callable[[int], None] | None = None,
    written: Callable[[], None] | None = None,
    stage: Callable[[str], None] | None = None,
    saving: Callable[[], None] | None = None,
) -> OrderImportResult:
    """Check the file (and with ``commit`` write it, all or nothing). ``mapping`` gives a
    target key per column; by default headers are matched by name.

    ``progress`` hears how many rows have been read; ``stage`` hears when the rows, all read,
    are checked against the book or (``commit``) saved; ``saving`` is called first inside the
    saving transaction (the caller's record, updated there, stays locked until it commits: a
    sign its worker is alive however long the save takes); ``written`` is called inside the
    transaction once the rows are written, so the caller's record commits with them. Raises
    ``files.UnreadableFile`` when the file cannot be read at all."""
    started = time.perf_counter()
    sheet = open_sheet(path, kind)
    try:
        if mapping is None:
            mapping = auto_mapping(sheet.headers)
        mapping = [key if key in ORDER_TARGET_KEYS else None for key in mapping]
        mapping = (mapping + [None] * len(sheet.headers))[: len(sheet.headers)]
        importer = _Importer(by=by, headers=sheet.headers, mapping=mapping)
        if not importer.errors:
            importer.read(with_progress(sheet.rows, progress))
    finally:
        sheet.close()
    if commit and not importer.errors:
        if stage is not None:
            stage(ImportStage.SAVING)  # outside the transaction, so the page sees it
        try:
            with transaction.atomic():
                if saving is not None:
                    saving()
                importer.resolve(lock=True)
                if not importer.errors:
                    importer.write()
                    importer.result.committed = True
                    if written is not None:
                        written()
        except IntegrityError as exc:  # a concurrent import took an order number first
            importer.result.committed = False
            importer.error(None, "", _("Nothing was imported: %(error)s") % {"error": exc})
    else:
        if stage is not None:
            stage(ImportStage.CHECKING)
        importer.resolve(lock=False)
    importer.result.seconds = time.perf_counter() - started
    return importer.finish()
