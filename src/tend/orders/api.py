"""Products, exchange rates, orders, updates to customers, disruptions and samples in the REST
API. Thin: resolve ids through the user's view of the book, call the services, shape the
output. Money is a decimal string, never a float."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tend.accounts.models import User
from tend.api.schemas import Day, Id, PageQuery, errors
from tend.core.decimals import DiscountIn, MoneyIn, QuantityIn, RateIn, UnitPriceIn
from tend.customers.models import Contact
from tend.customers.selectors import customer_get_for_user

from . import selectors, services
from .models import (
    Disruption,
    DisruptionKind,
    EstimateChange,
    ExchangeRate,
    FeeStatus,
    Order,
    OrderLine,
    OrderStatus,
    OrderUpdate,
    Product,
    Sample,
    SampleOutcome,
    UpdateChannel,
)

router = Router(tags=["orders"])


# ---------------------------------------------------------------------------------------------
# Schemas: shared


class ProductRef(Schema):
    id: int
    sku: str
    name: str


# ---------------------------------------------------------------------------------------------
# Schemas: products and exchange rates


class ProductIn(Schema):
    sku: str = Field(max_length=60)
    name: str = Field(max_length=200)
    local_name: str = ""
    category: str = ""
    launch_date: Day | None = None
    list_price: MoneyIn | None = Field(None, description="In the base currency.")
    active: bool = True


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    local_name: str
    category: str
    launch_date: date | None
    list_price: Decimal | None = Field(description="In the base currency.")
    active: bool


class ProductPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProductOut]


class ProductQuery(PageQuery):
    active: bool | None = None
    category: str = ""
    q: str = Field("", description="Words found in the SKU, name or local name.")


class ExchangeRateIn(Schema):
    currency: str = Field(description="ISO 4217 code (EUR, CNY...).")
    valid_from: Day
    rate: RateIn = Field(description="Units of the base currency one unit is worth (> 0).")


class ExchangeRateOut(Schema):
    id: int
    currency: str
    base_currency: str
    valid_from: date
    rate: Decimal

    @staticmethod
    def resolve_base_currency(obj: ExchangeRate) -> str:
        return settings.TEND_BASE_CURRENCY


class ExchangeRatePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ExchangeRateOut]


class ExchangeRateQuery(PageQuery):
    currency: str = ""


# ---------------------------------------------------------------------------------------------
# Schemas: orders


class OrderLineIn(Schema):
    product_id: Id
    quantity: QuantityIn
    unit_price: UnitPriceIn = Field(description="In the order's currency.")
    discount_pct: DiscountIn = Decimal("0")
    batch_number: str = ""


class OrderIn(Schema):
    number: str
    order_date: Day
    currency: str = Field("", description="ISO 4217; empty: the customer's.")
    incoterm: str = Field("", description="Incoterms 2020 (FOB, CIF...); empty: the customer's.")
    payment_terms: str = Field(
        "",
        description="Empty: the customer's approved terms. Other terms are refused (422 naming "
        "payment_terms): they reach an order only by an approved change to it.",
    )
    port: str = ""
    promised_ship_date: Day | None = None
    estimated_ship_date: Day | None = Field(None, description="Empty: the promised date.")
    status: OrderStatus = Field(
        OrderStatus.CONFIRMED,
        description="Past draft, the discount policy is consulted: an order priced beyond it is "
        "placed as a draft with a pending discount approval that confirms it.",
    )
    essential: bool = False
    time_sensitive: bool = False
    quality_standard: str = ""
    remarks: str = ""
    lines: list[OrderLineIn]


class OrderLineOut(Schema):
    id: int
    product_id: int
    product_sku: str
    product_name: str
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    batch_number: str
    amount: Decimal = Field(description="After discount, in the order's currency.")

    @staticmethod
    def resolve_product_sku(obj: OrderLine) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_product_name(obj: OrderLine) -> str:
        return obj.product.name


class EstimateChangeOut(Schema):
    id: int
    at: datetime
    by_id: int | None
    by_name: str | None
    old_date: date | None
    new_date: date | None
    reason: str
    disruption_id: int | None

    @staticmethod
    def resolve_by_name(obj: EstimateChange) -> str | None:
        return str(obj.by) if obj.by_id else None


class OrderUpdateOut(Schema):
    id: int
    order_id: int
    at: datetime
    by_id: int | None
    by_name: str | None
    channel: str
    contact_id: int | None
    contact_name: str | None
    language: str
    subject: str
    body: str
    old_date: date | None
    new_date: date | None
    reason: str
    disruption_id: int | None

    @staticmethod
    def resolve_by_name(obj: OrderUpdate) -> str | None:
        return str(obj.by) if obj.by_id else None

    @staticmethod
    def resolve_contact_name(obj: OrderUpdate) -> str | None:
        return obj.contact.name if obj.contact_id else None


def _today() -> date:
    return timezone.localdate()


def _needs_update(order: Order, today: date, now: datetime) -> bool:
    """The same rule as ``Order.objects.needing_update``, for one order in hand."""
    if not order.is_late(today):
        return False
    since = now - timedelta(days=settings.TEND_DELAY_UPDATE_EVERY_DAYS)
    return order.last_delay_update_at is None or order.last_delay_update_at <= since


class OrderOut(Schema):
    id: int
    number: str
    customer_id: int
    customer_name: str
    order_date: date
    currency: str
    rate_to_base: Decimal = Field(description="Base-currency value of one unit on the order date.")
    amount: Decimal
    amount_base: Decimal
    base_currency: str
    incoterm: str
    payment_terms: str
    port: str
    promised_ship_date: date | None
    estimated_ship_date: date | None
    actual_ship_date: date | None
    status: str
    essential: bool
    time_sensitive: bool
    quality_standard: str
    remarks: str
    is_late: bool
    days_late: int
    needs_update: bool = Field(description="Late, and the customer not told in the last N days.")
    last_delay_update_at: datetime | None
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_name(obj: Order) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_base_currency(obj: Order) -> str:
        return settings.TEND_BASE_CURRENCY

    @staticmethod
    def resolve_is_late(obj: Order) -> bool:
        return obj.is_late(_today())

    @staticmethod
    def resolve_days_late(obj: Order) -> int:
        return obj.days_late(_today())

    @staticmethod
    def resolve_needs_update(obj: Order) -> bool:
        return _needs_update(obj, _today(), timezone.now())


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]
    estimate_changes: list[EstimateChangeOut] = Field(description="Newest first.")
    updates: list[OrderUpdateOut] = Field(description="Newest first.")

    @staticmethod
    def resolve_lines(obj: Order) -> list:
        return list(obj.lines.all())

    @staticmethod
    def resolve_estimate_changes(obj: Order) -> list:
        return list(obj.estimate_changes.all())

    @staticmethod
    def resolve_updates(obj: Order) -> list:
        return list(obj.updates.all())


class OrderPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[OrderOut]


class OrderQuery(PageQuery):
    customer: Id | None = Field(None, description="A customer id.")
    status: OrderStatus | None = None
    late: bool | None = Field(
        None, description="True: open orders past their promise or estimated after it."
    )
    order_date_from: Day | None = None
    order_date_to: Day | None = None
    promised_from: Day | None = Field(None, description="Promised ship date on or after.")
    promised_to: Day | None = Field(None, description="Promised ship date on or before.")
    product: Id | None = Field(None, description="Orders with a line of this product id.")
    lot: str = Field("", max_length=60, description="Orders with a line of this batch / lot.")
    q: str = Field("", max_length=60, description="Words of the order number.")


class EstimateIn(Schema):
    new_date: Day
    reason: str = Field(description="Why the date moves: the customer will ask.")


class StatusIn(Schema):
    status: OrderStatus
    actual_ship_date: Day | None = Field(None, description="Required when shipped.")


class DraftQuery(Schema):
    contact_id: Id | None = Field(None, description="Empty: the customer's primary contact.")
    reason: str | None = Field(None, description="Empty: the reason of the last date move.")


class DraftOut(Schema):
    contact_id: int | None
    language: str
    subject: str
    body: str
    reason: str
    old_date: date | None = Field(description="The ship date the customer last heard.")
    new_date: date | None


class OrderUpdateIn(Schema):
    channel: UpdateChannel = Field(description="email is sent by Tend; the others are recorded.")
    contact_id: Id | None = None
    subject: str
    body: str
    reason: str = ""
    language: str | None = Field(None, description="Empty: the contact's language.")


# ---------------------------------------------------------------------------------------------
# Schemas: disruptions


class DisruptionIn(Schema):
    kind: DisruptionKind
    title: str
    description: str = ""
    starts_on: Day
    ends_on: Day | None = None
    product_ids: list[Id] = []
    ports: list[str] = Field([], description="Ports of loading it touches (Ningbo, ...).")


class DisruptionOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    starts_on: date
    ends_on: date | None
    product_ids: list[int]
    ports: list[str]
    created_by_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_product_ids(obj: Disruption) -> list[int]:
        return sorted(product.pk for product in obj.products.all())

    @staticmethod
    def resolve_ports(obj: Disruption) -> list[str]:
        return obj.port_list


class DisruptionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[DisruptionOut]


class AffectedOrderOut(OrderOut):
    customer_told: bool = Field(description="The customer has had its message about this.")

    @staticmethod
    def resolve_customer_told(obj: Order) -> bool:
        return getattr(obj, "customer_told", False)


class AffectedOrderPage(Schema):
    count: int
    customers: int = Field(description="Customers among the affected orders you may see.")
    page: int
    page_size: int
    results: list[AffectedOrderOut]


class ShiftIn(Schema):
    order_ids: list[Id] = Field(min_length=1)
    days: int | None = Field(None, ge=-365, le=365, description="Move by this many days...")
    new_date: Day | None = Field(None, description="...or to this date.")
    reason: str = Field("", description="Empty: the disruption's title.")


class ShiftOut(Schema):
    moved: int


class NoticePreviewOut(Schema):
    customer_id: int
    customer_name: str
    to: str = Field(description="The contact's email address.")
    signed_by: str = Field(description="The customer's owner, who signs it (From name).")
    reply_to: str = Field(description="Where replies go: the owner's address.")
    language: str
    subject: str
    body: str
    orders: list[str]


class NoticePlanOut(Schema):
    count: int = Field(description="Messages that would go now: pass it to notify as `expected`.")
    messages: list[NoticePreviewOut]
    unreached: list[str] = Field(description="Affected customers with no contact email.")
    already_told: int = Field(description="Customers told before: not written to again.")


class NotifyQuery(Schema):
    expected: int | None = Field(
        None,
        ge=0,
        le=1_000_000,
        description="The count the preview showed; if the plan changed since, nothing is sent.",
    )


class NotifyOut(Schema):
    sent: int = Field(description="Customers told now; those told before are not told again.")
    unreached: list[str] = Field(
        description="Customers with no contact email: tell them another way."
    )


# ---------------------------------------------------------------------------------------------
# Schemas: samples


class SampleIn(Schema):
    product_ids: list[Id]
    contact_id: Id | None = None
    quantity: int = Field(1, ge=1, le=2**31 - 1)
    sent_on: Day
    courier: str = ""
    tracking_number: str = ""
    is_free: bool = True
    fee: MoneyIn = Field(Decimal("0"), description="A charged sample's fee.")
    fee_currency: str = Field("", description="Empty: the customer's currency.")
    fee_status: FeeStatus = Field(
        FeeStatus.WAIVED, description="A charged sample is invoiced or paid."
    )
    cost: MoneyIn = Field(Decimal("0"), description="Our cost, in the base currency.")
    follow_up_on: Day | None = None


class SampleOut(Schema):
    id: int
    customer_id: int
    contact_id: int | None
    products: list[ProductRef]
    quantity: int
    sent_on: date
    courier: str
    tracking_number: str
    is_free: bool
    fee: Decimal
    fee_currency: str
    fee_status: str
    terms: str
    cost: Decimal
    follow_up_on: date | None
    outcome: str
    order_id: int | None
    outcome_reason: str
    sent_by_id: int
    created_at: datetime

    @staticmethod
    def resolve_products(obj: Sample) -> list:
        return list(obj.products.all())


class SamplePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SampleOut]


class SampleOutcomeIn(Schema):
    outcome: SampleOutcome
    order_id: Id | None = Field(None, description="The order it led to (outcome 'order').")
    reason: str = Field("", description="Why it led to no order (outcome 'no_order').")
    fee_status: FeeStatus | None = None


# ---------------------------------------------------------------------------------------------
# Helpers


def _page(queryset: QuerySet, query: PageQuery) -> dict[str, Any]:
    offset = (query.page - 1) * query.page_size
    return {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "results": list(queryset[offset : offset + query.page_size]),
    }


def _renamed(exc: ValidationError, renames: dict[str, str]) -> ValidationError:
    """Report the services' errors under the API's field names."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {renames.get(field, field): messages for field, messages in exc.message_dict.items()}
    )


LINE_PRODUCT = re.compile(r"^lines\.(\d+)\.product$")


def _order_errors(exc: ValidationError) -> ValidationError:
    """``lines.2.product`` is ``lines.2.product_id`` in the API."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {
            LINE_PRODUCT.sub(r"lines.\1.product_id", field): messages
            for field, messages in exc.message_dict.items()
        }
    )


def _require_manager(user: User, message: str) -> None:
    if not (user.is_manager or user.is_admin):
        raise PermissionDenied(message)


def _order_detail(user: User, pk: int) -> Order:
    order = selectors.order_get_for_user(user=user, pk=pk)
    prefetch_related_objects(
        [order],
        Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id")),
        Prefetch("estimate_changes", queryset=EstimateChange.objects.select_related("by")),
        Prefetch("updates", queryset=OrderUpdate.objects.select_related("by", "contact")),
    )
    return order


def _contact_of(order_or_customer_id: int, contact_id: int | None, field: str) -> Contact | None:
    """A contact of this customer by id; another's (or none) is a field error."""
    if contact_id is None:
        return None
    contact = Contact.objects.filter(pk=contact_id, customer_id=order_or_customer_id).first()
    if contact is None:
        raise ValidationError({field: _("No contact with id %(id)s.") % {"id": contact_id}})
    return contact


def _sample_queryset() -> QuerySet[Sample]:
    return Sample.objects.prefetch_related(
        Prefetch("products", queryset=Product.objects.order_by("sku"))
    )


# ---------------------------------------------------------------------------------------------
# Products


@router.get("/products", response={200: ProductPage, **errors(422)}, summary="List products")
def list_products(request, query: Query[ProductQuery]):
    queryset = Product.objects.order_by("sku")
    if query.active is not None:
        queryset = queryset.filter(active=query.active)
    if query.category:
        queryset = queryset.filter(category__iexact=query.category)
    for word in query.q.split():
        queryset = queryset.filter(
            Q(sku__icontains=word) | Q(name__icontains=word) | Q(local_name__icontains=word)
        )
    return _page(queryset, query)


@router.post(
    "/products",
    response={201: ProductOut, **errors(400, 403, 422)},
    summary="Add a product (managers and admins)",
)
def create_product(request, payload: ProductIn):
    product = services.product_create(by=request.user, fields=payload.dict())
    return Status(201, product)


@router.get(
    "/products/{product_id}",
    response={200: ProductOut, **errors(404, 422)},
    summary="Get a product",
)
def get_product(request, product_id: int):
    return get_object_or_404(Product, pk=product_id)


# ---------------------------------------------------------------------------------------------
# Exchange rates


@router.get(
    "/exchange-rates",
    response={200: ExchangeRatePage, **errors(422)},
    summary="Exchange rates to the base currency, newest first per currency",
)
def list_exchange_rates(request, query: Query[ExchangeRateQuery]):
    queryset = ExchangeRate.objects.order_by("currency", "-valid_from")
    if query.currency:
        queryset = queryset.filter(currency=query.currency.strip().upper())
    return _page(queryset, query)


@router.post(
    "/exchange-rates",
    response={201: ExchangeRateOut, **errors(400, 403, 422)},
    summary="Add an exchange rate (managers and admins)",
)
def create_exchange_rate(request, payload: ExchangeRateIn):
    rate = services.exchange_rate_create(
        by=request.user,
        currency=payload.currency,
        valid_from=payload.valid_from,
        rate=payload.rate,
    )
    return Status(201, rate)


# ---------------------------------------------------------------------------------------------
# Orders


@router.get(
    "/orders",
    response={200: OrderPage, **errors(422)},
    summary="List orders of customers you may see",
)
def list_orders(request, query: Query[OrderQuery]):
    filters = selectors.OrderFilters(
        q=query.q,
        status=query.status.value if query.status is not None else "",
        late={None: "", True: "yes", False: "no"}[query.late],
        customer=query.customer,
        product=query.product,
        lot=query.lot.strip(),
        ordered_from=query.order_date_from,
        ordered_to=query.order_date_to,
        promised_from=query.promised_from,
        promised_to=query.promised_to,
    )
    queryset = selectors.order_list(user=request.user, filters=filters, today=_today())
    return _page(queryset, query)


@router.post(
    "/customers/{customer_id}/orders",
    response={201: OrderDetailOut, **errors(400, 403, 404, 422)},
    summary="Place an order with its lines",
)
def create_order(request, customer_id: int, payload: OrderIn):
    customer = customer_get_for_user(user=request.user, pk=customer_id)
    fields = payload.dict(exclude={"lines"}, exclude_unset=True)
    if "status" in fields:
        fields["status"] = OrderStatus(fields["status"]).value
    lines = [line.dict() for line in payload.lines]
    try:
        order = services.order_create(
            by=request.user, customer=customer, fields=fields, lines=lines
        )
    except ValidationError as exc:
        raise _order_errors(exc) from exc
    return Status(201, _order_detail(request.user, order.pk))


@router.get(
    "/orders/{order_id}",
    response={200: OrderDetailOut, **errors(404, 422)},
    summary="Get an order with its lines, date moves and updates",
)
def get_order(request, order_id: int):
    return _order_detail(request.user, order_id)


@router.post(
    "/orders/{order_id}/estimate",
    response={200: OrderDetailOut, **errors(400, 404, 422)},
    summary="Move the estimated ship date, saying why",
)
def set_estimate(request, order_id: int, payload: EstimateIn):
    order = selectors.order_get_for_user(user=request.user, pk=order_id)
    services.order_set_estimate(
        by=request.user, order=order, new_date=payload.new_date, reason=payload.reason
    )
    return _order_detail(request.user, order_id)


@router.post(
    "/orders/{order_id}/status",
    response={200: OrderDetailOut, **errors(400, 403, 404, 422)},
    summary="Change the status",
)
def set_status(request, order_id: int, payload: StatusIn):
    """Moves along the declared transitions only. Confirming a draft priced beyond the discount
    policy, or moving a confirmed order back to draft, is a 422 on ``status`` that names the
    approval request to make; approving it makes the move."""
    order = selectors.order_get_for_user(user=request.user, pk=order_id)
    services.order_status_change(
        by=request.user,
        order=order,
        status=payload.status.value,
        actual_ship_date=payload.actual_ship_date,
    )
    return _order_detail(request.user, order_id)


@router.get(
    "/orders/{order_id}/pdf",
    response={200: None, **errors(404, 422)},
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF, named after its document number (PI-2026-00042.pdf).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
    summary="The order confirmation / proforma invoice: the same number until the order changes",
)
def order_pdf(request, order_id: int):
    order = selectors.order_get_for_user(user=request.user, pk=order_id)
    document, content = services.order_document_generate(by=request.user, order=order)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{document.number}.pdf"
    )
    return response


# ---------------------------------------------------------------------------------------------
# Updates to the customer about an order's dates


@router.get(
    "/orders/{order_id}/updates",
    response={200: list[OrderUpdateOut], **errors(404, 422)},
    summary="What the customer was told about the order's dates, newest first",
)
def list_order_updates(request, order_id: int):
    order = selectors.order_get_for_user(user=request.user, pk=order_id)
    return list(order.updates.select_related("by", "contact"))


@router.get(
    "/orders/{order_id}/update-draft",
    response={200: DraftOut, **errors(404, 422)},
    summary="Draft the update about the order's dates, in the contact's language",
)
def draft_order_update(request, order_id: int, query: Query[DraftQuery]):
    order = selectors.order_get_for_user(user=request.user, pk=order_id)
    if query.contact_id is None:
        contact = order.customer.contacts.filter(is_primary=True).order_by("id").first()
    else:
        contact = _contact_of(order.customer_id, query.contact_id, "contact_id")
    reason = query.reason
    if reason is None:
        reason = order.estimate_changes.values_list("reason", flat=True).first() or ""
    draft = services.order_update_draft(
        order=order, contact=contact, reason=reason, sender=request.user
    )
    return {
        "contact_id": contact.pk if contact else None,
        "language": draft.language,
        "subject": draft.subject,
        "body": draft.body,
        "reason": reason,
        "old_date": draft.old_date,
        "new_date": draft.new_date,
    }


@router.post(
    "/orders/{order_id}/updates",
    response={201: OrderUpdateOut, **errors(400, 404, 422)},
    summary="Send (email) or record (call, WhatsApp, WeChat, other) an update to the customer",
)
def create_order_update(request, order_id: int, payload: OrderUpdateIn):
    order = selectors.order_get_for_user(user=request.user, pk=order_id)
    contact = _contact_of(order.customer_id, payload.contact_id, "contact_id")
    language = payload.language or (contact.language if contact else "en")
    try:
        update = services.order_update_record(
            by=request.user,
            order=order,
            channel=payload.channel.value,
            contact=contact,
            subject=payload.subject,
            body=payload.body,
            reason=payload.reason,
            language=language,
        )
    except ValidationError as exc:
        raise _renamed(exc, {"contact": "contact_id"}) from exc
    return Status(201, OrderUpdate.objects.select_related("by", "contact").get(pk=update.pk))


# ---------------------------------------------------------------------------------------------
# Disruptions


@router.get(
    "/disruptions",
    response={200: DisruptionPage, **errors(422)},
    summary="List disruptions, latest first",
)
def list_disruptions(request, query: Query[PageQuery]):
    queryset = (
        selectors.disruptions_visible_to(user=request.user)
        .prefetch_related("products")
        .order_by("-starts_on", "-id")
    )
    return _page(queryset, query)


@router.post(
    "/disruptions",
    response={201: DisruptionOut, **errors(400, 403, 422)},
    summary="Record a disruption (managers and admins)",
)
def create_disruption(request, payload: DisruptionIn):
    _require_manager(request.user, _("Only managers and admins manage disruptions."))
    product_ids = list(dict.fromkeys(payload.product_ids))
    products = Product.objects.in_bulk(product_ids)
    missing = [pk for pk in product_ids if pk not in products]
    if missing:
        raise ValidationError(
            {"product_ids": [_("No product with id %(id)s.") % {"id": pk} for pk in missing]}
        )
    fields = payload.dict(exclude={"product_ids", "ports"})
    fields["kind"] = DisruptionKind(fields["kind"]).value
    fields["ports"] = ", ".join(port.strip() for port in payload.ports if port.strip())
    try:
        disruption = services.disruption_create(
            by=request.user, fields=fields, products=[products[pk] for pk in product_ids]
        )
    except ValidationError as exc:
        raise _renamed(exc, {"products": "product_ids"}) from exc
    prefetch_related_objects([disruption], "products")
    return Status(201, disruption)


def _affected_visible(user: User, disruption: Disruption) -> QuerySet[Order]:
    visible = selectors.orders_visible_to(user=user).values("pk")
    return services.disruption_affected_orders(disruption).filter(pk__in=visible)


@router.get(
    "/disruptions/{disruption_id}/orders",
    response={200: AffectedOrderPage, **errors(404, 422)},
    summary="Orders it affects that you may see, most important first",
)
def list_affected_orders(request, disruption_id: int, query: Query[PageQuery]):
    disruption = get_object_or_404(Disruption, pk=disruption_id)
    affected = _affected_visible(request.user, disruption)
    page = _page(affected, query)
    page["customers"] = affected.values("customer_id").distinct().count()
    told = set(disruption.notices.values_list("customer_id", flat=True))
    for order in page["results"]:
        order.customer_told = order.customer_id in told
    return page


@router.post(
    "/disruptions/{disruption_id}/shift",
    response={200: ShiftOut, **errors(400, 403, 404, 422)},
    summary="Move the estimates of affected orders by days or to a date (managers and admins)",
)
def shift_estimates(request, disruption_id: int, payload: ShiftIn):
    disruption = get_object_or_404(Disruption, pk=disruption_id)
    _require_manager(request.user, _("Only managers and admins manage disruptions."))
    order_ids = list(dict.fromkeys(payload.order_ids))
    found = _affected_visible(request.user, disruption).filter(pk__in=order_ids).in_bulk()
    missing = [pk for pk in order_ids if pk not in found]
    if missing:
        raise ValidationError(
            {"order_ids": [_("No affected order with id %(id)s.") % {"id": pk} for pk in missing]}
        )
    moved = services.disruption_shift_estimates(
        by=request.user,
        disruption=disruption,
        orders=[found[pk] for pk in order_ids],
        days=payload.days,
        new_date=payload.new_date,
        reason=payload.reason,
    )
    return {"moved": moved}


@router.post(
    "/disruptions/{disruption_id}/notify",
    response={200: NotifyOut, **errors(403, 404, 422)},
    summary="Tell every affected customer once (managers and admins); again sends nothing",
)
def notify_disruption(request, disruption_id: int, query: Query[NotifyQuery]):
    disruption = get_object_or_404(Disruption, pk=disruption_id)
    _require_manager(request.user, _("Only managers and admins manage disruptions."))
    result = services.disruption_notify(
        by=request.user, disruption=disruption, expected=query.expected
    )
    return {"sent": result.sent, "unreached": result.unreached}


@router.get(
    "/disruptions/{disruption_id}/notify/preview",
    response={200: NoticePlanOut, **errors(403, 404, 422)},
    summary="The personal updates notify would send now, each as it will go out",
)
def preview_disruption_notices(request, disruption_id: int):
    disruption = get_object_or_404(Disruption, pk=disruption_id)
    _require_manager(request.user, _("Only managers and admins manage disruptions."))
    plan = services.disruption_notices_plan(by=request.user, disruption=disruption)
    return {
        "count": len(plan.notices),
        "messages": [
            {
                "customer_id": notice.customer.pk,
                "customer_name": notice.customer.name,
                "to": notice.contact.email,
                "signed_by": str(notice.signer),
                "reply_to": notice.reply_to,
                "language": notice.language,
                "subject": notice.subject,
                "body": notice.body,
                "orders": [order.number for order in notice.orders],
            }
            for notice in plan.notices
        ],
        "unreached": plan.unreached,
        "already_told": plan.already_told,
    }


# ---------------------------------------------------------------------------------------------
# Samples


SAMPLE_RENAMES = {"products": "product_ids", "contact": "contact_id"}


@router.get(
    "/customers/{customer_id}/samples",
    response={200: SamplePage, **errors(404, 422)},
    summary="Samples given to a customer, and on what terms",
)
def list_samples(request, customer_id: int, query: Query[PageQuery]):
    customer = customer_get_for_user(user=request.user, pk=customer_id)
    return _page(_sample_queryset().filter(customer=customer).order_by("-sent_on", "-id"), query)


@router.post(
    "/customers/{customer_id}/samples",
    response={201: SampleOut, **errors(400, 404, 422)},
    summary="Log a sample sent",
)
def create_sample(request, customer_id: int, payload: SampleIn):
    customer = customer_get_for_user(user=request.user, pk=customer_id)
    product_ids = list(dict.fromkeys(payload.product_ids))
    products = Product.objects.in_bulk(product_ids)
    missing = [pk for pk in product_ids if pk not in products]
    if missing:
        raise ValidationError(
            {"product_ids": [_("No product with id %(id)s.") % {"id": pk} for pk in missing]}
        )
    contact = _contact_of(customer.pk, payload.contact_id, "contact_id")
    fields = payload.dict(exclude={"product_ids", "contact_id"}, exclude_unset=True)
    if "fee_status" in fields:
        fields["fee_status"] = FeeStatus(fields["fee_status"]).value
    if not fields.get("fee_currency"):
        fields["fee_currency"] = customer.currency or settings.TEND_BASE_CURRENCY
    fields["fee_currency"] = fields["fee_currency"].strip().upper()
    fields["contact"] = contact
    try:
        sample = services.sample_log(
            by=request.user,
            customer=customer,
            products=[products[pk] for pk in product_ids],
            fields=fields,
        )
    except ValidationError as exc:
        raise _renamed(exc, SAMPLE_RENAMES) from exc
    return Status(201, _sample_queryset().get(pk=sample.pk))


@router.post(
    "/samples/{sample_id}/outcome",
    response={200: SampleOut, **errors(400, 404, 422)},
    summary="Say what a sample led to (and where its fee stands)",
)
def set_sample_outcome(request, sample_id: int, payload: SampleOutcomeIn):
    sample = selectors.sample_get_for_user(user=request.user, pk=sample_id)
    order = None
    if payload.order_id is not None:
        try:
            order = selectors.order_get_for_user(user=request.user, pk=payload.order_id)
        except Http404:
            raise ValidationError(
                {"order_id": _("No order with id %(id)s.") % {"id": payload.order_id}}
            ) from None
    try:
        services.sample_set_outcome(
            by=request.user,
            sample=sample,
            outcome=payload.outcome.value,
            order=order,
            reason=payload.reason,
            fee_status=payload.fee_status.value if payload.fee_status is not None else None,
        )
    except ValidationError as exc:
        raise _renamed(
            exc, {"order": "order_id", "outcome_reason": "reason", **SAMPLE_RENAMES}
        ) from exc
    return _sample_queryset().get(pk=sample.pk)
