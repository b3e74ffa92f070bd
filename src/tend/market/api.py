"""The market in the REST API: tiers and the service floor, territories, market checks and
transshipment alerts, notices, referrals, business passed and mentions. Thin: records are fetched
through the user's view of the book (404 otherwise), writes go through ``services``."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from tend.api.schemas import Day, Id, PageQuery, errors
from tend.core.decimals import PERCENT, MoneyIn, UnitPriceIn
from tend.customers.models import Territory, Tier
from tend.customers.selectors import customer_get_for_user, customers_visible_to
from tend.orders.models import Product

from . import selectors
from .models import (
    ChannelAction,
    LeadOutcome,
    MarketCheck,
    MarketProfile,
    Notice,
    NoticeKind,
    NoticeRecipient,
    Referral,
    SaleKind,
    Sentiment,
    TerritoryRight,
    TransshipmentAlert,
)
from .services import channel, notices, referrals, tiers

router = Router(tags=["market"])
ChangePctIn = PERCENT.schema()


def _page(queryset: QuerySet, query: PageQuery) -> dict[str, Any]:
    offset = (query.page - 1) * query.page_size
    return {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "results": list(queryset[offset : offset + query.page_size]),
    }


# --- Tiers ------------------------------------------------------------------------------------


class TierFloorOut(Schema):
    tier: str
    cadence_days: int
    customers_now: int
    customers_proposed: int


class TierFloorIn(Schema):
    cadence_days: int = Field(ge=1, le=366, description="Days between touches for the tier.")


class ProfileOut(Schema):
    customer_id: int
    customer_name: str
    tier: str
    proposed_tier: str
    revenue_12m: Decimal
    margin_12m: Decimal | None
    abc_revenue: str
    abc_margin: str
    recency: int = Field(description="RFM recency score 1..5 (5 = most recent), 0 without orders.")
    frequency: int
    monetary: int
    potential: Decimal | None
    computed_at: datetime | None

    @staticmethod
    def resolve_customer_name(obj: MarketProfile) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_tier(obj: MarketProfile) -> str:
        return obj.customer.tier


class ProfilePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProfileOut]


class ApplyIn(Schema):
    customer_ids: list[Id] = Field(min_length=1, max_length=5000)


class ApplyOut(Schema):
    changed: int


class PotentialIn(Schema):
    potential: MoneyIn | None = Field(description="Yearly potential in base currency; null: none.")


def _floor_rows(user) -> list[dict]:
    counts = selectors.tier_counts(user=user)
    return [
        {
            "tier": row["tier"],
            "cadence_days": row["cadence_days"],
            "customers_now": counts[row["tier"]]["now"],
            "customers_proposed": counts[row["tier"]]["proposed"],
        }
        for row in selectors.tier_floor()
    ]


@router.get(
    "/market/tiers",
    response={200: list[TierFloorOut], **errors()},
    summary="Each tier's service floor and how many customers hold it",
)
def list_tiers(request):
    return _floor_rows(request.user)


@router.put(
    "/market/tiers/{tier}",
    response={200: list[TierFloorOut], **errors(400, 403, 404, 422)},
    summary="Set a tier's touch cadence (admins)",
)
def set_tier_floor(request, tier: str, payload: TierFloorIn):
    if tier not in Tier.values:
        raise Http404("No such tier.")
    tiers.tier_policy_set(by=request.user, tier=tier, cadence_days=payload.cadence_days)
    return _floor_rows(request.user)


@router.get(
    "/market/tier-proposals",
    response={200: ProfilePage, **errors(422)},
    summary="Customers whose proposed tier differs from their tier",
)
def list_tier_proposals(request, query: Query[PageQuery]):
    return _page(selectors.tier_proposals(user=request.user), query)


@router.post(
    "/market/tier-proposals/apply",
    response={200: ApplyOut, **errors(400, 403, 422)},
    summary="Give the chosen customers their proposed tier (managers and admins)",
)
def apply_tier_proposals(request, payload: ApplyIn):
    return {"changed": tiers.tiers_apply(by=request.user, customer_ids=payload.customer_ids)}


@router.get(
    "/customers/{customer_id}/market-profile",
    response={200: ProfileOut, **errors(404, 422)},
    summary="A customer's value profile: revenue, margin, ABC, RFM, proposed tier",
)
def get_profile(request, customer_id: int):
    customer = customer_get_for_user(user=request.user, pk=customer_id)
    profile, _created = MarketProfile.objects.get_or_create(customer=customer)
    profile.customer = customer
    return profile


@router.put(
    "/customers/{customer_id}/market-profile/potential",
    response={200: ProfileOut, **errors(400, 404, 422)},
    summary="Record what the customer could buy in a year",
)
def set_potential(request, customer_id: int, payload: PotentialIn):
    customer = customer_get_for_user(user=request.user, pk=customer_id)
    profile = tiers.potential_set(by=request.user, customer=customer, potential=payload.potential)
    profile.customer = customer
    return profile


# --- Territories --------------------------------------------------------------------------


class RightOut(Schema):
    id: int
    dealer_id: int
    dealer_name: str
    territory_id: int
    territory: str
    product_line: str
    exclusive: bool
    valid_from: date
    valid_until: date | None

    @staticmethod
    def resolve_dealer_name(obj: TerritoryRight) -> str:
        return obj.dealer.name

    @staticmethod
    def resolve_territory(obj: TerritoryRight) -> str:
        return obj.territory.name


class RightPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[RightOut]


class RightIn(Schema):
    dealer_id: Id
    territory_id: Id
    product_line: str = Field("", max_length=100, description="Empty: every line.")
    exclusive: bool = False
    valid_from: Day
    valid_until: Day | None = None


class AreaIn(Schema):
    country: str = Field(min_length=2, max_length=2)
    province: str = Field("", max_length=100)
    city: str = Field("", max_length=100)


class AreaOut(Schema):
    id: int
    territory_id: int
    country: str
    province: str
    city: str


def _territory(pk: int) -> Territory:
    territory = Territory.objects.filter(pk=pk).first()
    if territory is None:
        raise Http404("No such territory.")
    return territory


@router.get(
    "/market/territory-rights",
    response={200: RightPage, **errors(422)},
    summary="Territory rights of the dealers you may see",
)
def list_rights(request, query: Query[PageQuery]):
    return _page(selectors.rights_visible(user=request.user), query)


@router.post(
    "/market/territory-rights",
    response={201: RightOut, **errors(400, 403, 404, 422)},
    summary="Grant a dealer a right to sell a line in a territory (managers and admins)",
)
def grant_right(request, payload: RightIn):
    dealer = customer_get_for_user(user=request.user, pk=payload.dealer_id)
    right = channel.territory_right_grant(
        by=request.user,
        dealer=dealer,
        territory=_territory(payload.territory_id),
        product_line=payload.product_line,
        exclusive=payload.exclusive,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
    )
    return Status(201, right)


@router.post(
    "/market/territories/{territory_id}/areas",
    response={201: AreaOut, **errors(400, 403, 404, 422)},
    summary="Add a country, province/state or city to a territory (managers and admins)",
)
def add_area(request, territory_id: int, payload: AreaIn):
    area = channel.territory_area_add(
        by=request.user, territory=_territory(territory_id), **payload.dict()
    )
    return Status(201, area)


# --- Market checks and alerts -------------------------------------------------------------


class CheckIn(Schema):
    country: str = Field(min_length=2, max_length=2)
    province: str = Field("", max_length=100)
    city: str = Field(min_length=1, max_length=100)
    shop: str = Field(min_length=1, max_length=200)
    product_id: Id
    lot_code: str = Field(min_length=1, max_length=60)
    price: UnitPriceIn | None = None
    currency: str = Field("", max_length=3)
    checked_on: Day
    notes: str = Field("", max_length=5000)


class CheckOut(Schema):
    id: int
    country: str
    province: str
    city: str
    shop: str
    product_id: int
    lot_code: str
    price: Decimal | None
    currency: str
    checked_on: date
    notes: str
    by_id: int
    has_photo: bool = Field(description="Photos are added on the market-check page.")
    alert_ids: list[int]

    @staticmethod
    def resolve_has_photo(obj: MarketCheck) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_alert_ids(obj: MarketCheck) -> list[int]:
        return [alert.pk for alert in obj.alerts.all()]


class CheckPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CheckOut]


class AlertOut(Schema):
    id: int
    market_check_id: int
    lot_code: str
    found_at: str
    source_dealer_id: int
    source_dealer_name: str
    harmed_dealer_id: int | None
    harmed_dealer_name: str | None
    order_number: str | None
    state: str
    sale_kind: str
    review_note: str
    action_request_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_lot_code(obj: TransshipmentAlert) -> str:
        return obj.market_check.lot_code

    @staticmethod
    def resolve_found_at(obj: TransshipmentAlert) -> str:
        check = obj.market_check
        return ", ".join(p for p in (check.shop, check.city, check.province, check.country) if p)

    @staticmethod
    def resolve_source_dealer_name(obj: TransshipmentAlert) -> str:
        return obj.source_dealer.name

    @staticmethod
    def resolve_harmed_dealer_name(obj: TransshipmentAlert) -> str | None:
        return obj.harmed_dealer.name if obj.harmed_dealer_id else None

    @staticmethod
    def resolve_order_number(obj: TransshipmentAlert) -> str | None:
        return obj.order_line.order.number if obj.order_line_id else None


class AlertPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AlertOut]


class ClassifyIn(Schema):
    sale_kind: SaleKind = Field(description="active or passive")
    note: str = Field("", max_length=5000)
    dismiss: bool = False


class ActionIn(Schema):
    action: ChannelAction
    reason: str = Field(min_length=1, max_length=5000)


class ActionOut(Schema):
    approval_request_id: int
    state: str


@router.get(
    "/market/checks",
    response={200: CheckPage, **errors(422)},
    summary="Market checks you may see",
)
def list_checks(request, query: Query[PageQuery]):
    queryset = selectors.checks_visible(user=request.user).prefetch_related("alerts")
    return _page(queryset.order_by("-checked_on", "-pk"), query)


@router.post(
    "/market/checks",
    response={201: CheckOut, **errors(400, 404, 422)},
    summary="Record a market check; the lot is traced and alerts raised",
)
def create_check(request, payload: CheckIn):
    product = Product.objects.filter(pk=payload.product_id).first()
    if product is None:
        raise Http404("No such product.")
    data = payload.dict(exclude={"product_id"})
    check = channel.market_check_record(by=request.user, product=product, **data)
    return Status(201, selectors.check_get_for_user(user=request.user, pk=check.pk))


@router.get(
    "/market/checks/{check_id}",
    response={200: CheckOut, **errors(404, 422)},
    summary="A market check",
)
def get_check(request, check_id: int):
    return selectors.check_get_for_user(user=request.user, pk=check_id)


@router.get(
    "/market/alerts",
    response={200: AlertPage, **errors(422)},
    summary="Transshipment alerts on dealers you may see",
)
def list_alerts(request, query: Query[PageQuery]):
    return _page(selectors.alerts_visible(user=request.user), query)


@router.get(
    "/market/alerts/{alert_id}",
    response={200: AlertOut, **errors(404, 422)},
    summary="A transshipment alert",
)
def get_alert(request, alert_id: int):
    return selectors.alert_get_for_user(user=request.user, pk=alert_id)


@router.post(
    "/market/alerts/{alert_id}/classify",
    response={200: AlertOut, **errors(400, 403, 404, 422)},
    summary="Classify the sale as active or passive, or dismiss (managers and admins)",
)
def classify_alert(request, alert_id: int, payload: ClassifyIn):
    alert = selectors.alert_get_for_user(user=request.user, pk=alert_id)
    channel.alert_classify(
        by=request.user,
        alert=alert,
        sale_kind=payload.sale_kind.value,
        note=payload.note,
        dismiss=payload.dismiss,
    )
    return selectors.alert_get_for_user(user=request.user, pk=alert_id)


@router.post(
    "/market/alerts/{alert_id}/action",
    response={201: ActionOut, **errors(400, 403, 404, 422)},
    summary="Ask to act against the source dealer: an approval request (active sales only)",
)
def request_action(request, alert_id: int, payload: ActionIn):
    alert = selectors.alert_get_for_user(user=request.user, pk=alert_id)
    approval = channel.alert_action_request(
        by=request.user, alert=alert, action=payload.action.value, reason=payload.reason
    )
    return Status(201, {"approval_request_id": approval.pk, "state": approval.state})


# --- Notices ------------------------------------------------------------------------------


class NoticeIn(Schema):
    kind: NoticeKind
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    product_line: str = Field("", max_length=100)
    change_pct: ChangePctIn | None = Field(None, description="Price notices: -90 to 500.")
    effective_date: Day
    notice_days: int = Field(30, ge=0, le=730)
    acknowledge_by: Day


class NoticeOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    product_line: str
    change_pct: Decimal | None
    effective_date: date
    notice_days: int
    acknowledge_by: date
    sent_at: datetime | None
    customers_told: int = Field(description="Among the customers you may see.")
    customers_acknowledged: int

    @staticmethod
    def resolve_customers_told(obj: Notice) -> int:
        return getattr(obj, "told", None) or 0

    @staticmethod
    def resolve_customers_acknowledged(obj: Notice) -> int:
        return getattr(obj, "acknowledged", None) or 0


class NoticePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[NoticeOut]


class SendIn(Schema):
    customer_ids: list[Id] = Field(min_length=1, max_length=20000)


class SendOut(Schema):
    emails_sent: int
    customers_reached: int
    contacts_already_told: int
    customers_without_email: list[int]


class RecipientOut(Schema):
    customer_id: int
    customer_name: str
    contact_id: int
    email: str
    sent_at: datetime
    read_at: datetime | None
    reminded_at: datetime | None
    acknowledged_at: datetime | None

    @staticmethod
    def resolve_customer_name(obj: NoticeRecipient) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_acknowledged_at(obj: NoticeRecipient) -> datetime | None:
        return obj.used_at


class RecipientPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[RecipientOut]


class OldPriceLineOut(Schema):
    order_id: int
    order_number: str
    order_date: date
    customer_id: int
    product_id: int
    unit_price_base: Decimal
    new_list_price: Decimal | None
    notice_id: int | None

    @staticmethod
    def resolve_order_number(obj) -> str:
        return obj.order.number

    @staticmethod
    def resolve_order_date(obj) -> date:
        return obj.order.order_date

    @staticmethod
    def resolve_customer_id(obj) -> int:
        return obj.order.customer_id

    @staticmethod
    def resolve_unit_price_base(obj) -> Decimal:
        return Decimal(obj.unit_base).quantize(Decimal("0.0001"))

    @staticmethod
    def resolve_new_list_price(obj) -> Decimal | None:
        return obj.new_price


class OldPricePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[OldPriceLineOut]


@router.get(
    "/market/notices", response={200: NoticePage, **errors(422)}, summary="Price and policy notices"
)
def list_notices(request, query: Query[PageQuery]):
    return _page(selectors.notices_visible(user=request.user), query)


@router.post(
    "/market/notices",
    response={201: NoticeOut, **errors(400, 403, 422)},
    summary="Draft a notice (managers and admins)",
)
def create_notice(request, payload: NoticeIn):
    data = payload.dict()
    data["kind"] = payload.kind.value
    notice = notices.notice_create(by=request.user, **data)
    return Status(201, selectors.notice_get_for_user(user=request.user, pk=notice.pk))


@router.get(
    "/market/notices/{notice_id}",
    response={200: NoticeOut, **errors(404, 422)},
    summary="A notice, with how many of your customers acknowledged it",
)
def get_notice(request, notice_id: int):
    return selectors.notice_get_for_user(user=request.user, pk=notice_id)


@router.post(
    "/market/notices/{notice_id}/send",
    response={200: SendOut, **errors(400, 403, 404, 422)},
    summary="Send the notice to the chosen customers' contacts (managers and admins)",
)
def send_notice(request, notice_id: int, payload: SendIn):
    notice = selectors.notice_get_for_user(user=request.user, pk=notice_id)
    ids = sorted(set(payload.customer_ids))
    chosen = list(customers_visible_to(user=request.user).filter(pk__in=ids))
    if len(chosen) != len(ids):
        raise Http404("No such customer.")
    result = notices.notice_send(by=request.user, notice=notice, customers=chosen)
    return {
        "emails_sent": result.sent,
        "customers_reached": result.customers,
        "contacts_already_told": result.already,
        "customers_without_email": [c.pk for c in result.no_email],
    }


@router.get(
    "/market/notices/{notice_id}/recipients",
    response={200: RecipientPage, **errors(404, 422)},
    summary="Who was told, read and acknowledged (your customers)",
)
def list_recipients(request, notice_id: int, query: Query[PageQuery]):
    notice = selectors.notice_get_for_user(user=request.user, pk=notice_id)
    return _page(selectors.notice_recipients(user=request.user, notice=notice), query)


@router.get(
    "/market/old-price-lines",
    response={200: OldPricePage, **errors(422)},
    summary="Order lines placed at the old price after a price notice took effect",
)
def list_old_price_lines(request, query: Query[PageQuery]):
    return _page(selectors.old_price_lines(user=request.user), query)


# --- Referrals, business passed, mentions -------------------------------------------------


class ReferralIn(Schema):
    referrer_id: Id
    referred_id: Id
    on: Day
    note: str = Field("", max_length=300)


class ReferralOut(Schema):
    id: int
    referrer_id: int
    referrer_name: str
    referred_id: int
    referred_name: str
    on: date
    note: str
    revenue_since: Decimal = Field(description="Base currency, the referred customer's orders.")

    @staticmethod
    def resolve_referrer_name(obj: Referral) -> str:
        return obj.referrer.name

    @staticmethod
    def resolve_referred_name(obj: Referral) -> str:
        return obj.referred.name


class ReferralPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ReferralOut]


class PassedIn(Schema):
    customer_id: Id
    lead: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    value: MoneyIn | None = None
    passed_on: Day


class PassedOut(Schema):
    id: int
    customer_id: int
    lead: str
    description: str
    value: Decimal | None
    passed_on: date
    outcome: str
    outcome_note: str


class PassedPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PassedOut]


class OutcomeIn(Schema):
    outcome: LeadOutcome = Field(description="won, lost or declined")
    note: str = Field("", max_length=300)


class MentionIn(Schema):
    customer_id: Id
    url: str = Field(min_length=1, max_length=500)
    where: str = Field("", max_length=100)
    sentiment: Sentiment
    summary: str = Field(min_length=1, max_length=300)
    seen_on: Day


class MentionOut(Schema):
    id: int
    customer_id: int
    url: str
    where: str
    sentiment: str
    summary: str
    seen_on: date


class MentionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MentionOut]


@router.get(
    "/market/referrals",
    response={200: ReferralPage, **errors(422)},
    summary="The referral ledger, with the revenue each referred customer brought since",
)
def list_referrals(request, query: Query[PageQuery]):
    return _page(selectors.referrals_visible(user=request.user), query)


@router.post(
    "/market/referrals",
    response={201: ReferralOut, **errors(400, 404, 422)},
    summary="Record who referred whom",
)
def create_referral(request, payload: ReferralIn):
    user = request.user
    referral = referrals.referral_record(
        by=user,
        referrer=customer_get_for_user(user=user, pk=payload.referrer_id),
        referred=customer_get_for_user(user=user, pk=payload.referred_id),
        on=payload.on,
        note=payload.note,
    )
    return Status(201, selectors.referrals_visible(user=user).get(pk=referral.pk))


@router.get(
    "/market/business-passed",
    response={200: PassedPage, **errors(422)},
    summary="Leads we passed to customers you may see",
)
def list_passed(request, query: Query[PageQuery]):
    return _page(selectors.business_passed_visible(user=request.user), query)


@router.post(
    "/market/business-passed",
    response={201: PassedOut, **errors(400, 404, 422)},
    summary="Record a lead passed to a customer",
)
def create_passed(request, payload: PassedIn):
    customer = customer_get_for_user(user=request.user, pk=payload.customer_id)
    passed = referrals.business_passed_record(
        by=request.user, customer=customer, **payload.dict(exclude={"customer_id"})
    )
    return Status(201, passed)


@router.post(
    "/market/business-passed/{passed_id}/outcome",
    response={200: PassedOut, **errors(400, 404, 422)},
    summary="Record what came of a lead",
)
def close_passed(request, passed_id: int, payload: OutcomeIn):
    passed = selectors.business_passed_visible(user=request.user).filter(pk=passed_id).first()
    if passed is None:
        raise Http404("No such lead.")
    return referrals.business_passed_close(
        by=request.user, passed=passed, outcome=payload.outcome.value, note=payload.note
    )


@router.get(
    "/market/mentions",
    response={200: MentionPage, **errors(422)},
    summary="Public reviews and mentions of customers you may see",
)
def list_mentions(request, query: Query[PageQuery]):
    return _page(selectors.mentions_visible(user=request.user), query)


@router.post(
    "/market/mentions",
    response={201: MentionOut, **errors(400, 404, 422)},
    summary="Record a public review or mention",
)
def create_mention(request, payload: MentionIn):
    customer = customer_get_for_user(user=request.user, pk=payload.customer_id)
    mention = referrals.mention_record(
        by=request.user,
        customer=customer,
        url=payload.url,
        where=payload.where,
        sentiment=payload.sentiment.value,
        summary=payload.summary,
        seen_on=payload.seen_on,
    )
    return Status(201, mention)
