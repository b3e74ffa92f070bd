"""Reads for the market, every one through the customer visibility rule: an alert, a referral or
a notice's recipients show only where the user may see the customers concerned."""

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from tend.accounts.models import User
from tend.customers.models import Customer, Tier
from tend.orders.models import Order, OrderLine, OrderStatus

from . import floor
from .models import (
    BusinessPassed,
    MarketCheck,
    MarketProfile,
    Mention,
    Notice,
    NoticePrice,
    NoticeRecipient,
    Referral,
    TerritoryRight,
    TransshipmentAlert,
)

ZERO = Value(0, output_field=DecimalField(max_digits=18, decimal_places=2))


def _visible(user: User):
    return Customer.objects.visible_to(user)


# --- Tiers ------------------------------------------------------------------------------------


def tier_floor() -> list[dict]:
    """Each tier's service floor, as the tiers page shows it."""
    cadences = floor.tier_cadences()
    items = floor.floor_items()
    return [
        {
            "tier": tier,
            "cadence_days": cadences.get(tier),
            "items": [(item.label, item.value_for(tier)) for item in items],
        }
        for tier in Tier.values
    ]


def tier_proposals(*, user: User) -> QuerySet[MarketProfile]:
    """Visible customers whose proposed tier differs from their tier (the diff to apply)."""
    return (
        MarketProfile.objects.filter(customer__in=_visible(user))
        .exclude(proposed_tier="")
        .exclude(proposed_tier=F("customer__tier"))
        .select_related("customer__owner")
        .order_by("customer__tier", "-revenue_12m", "customer_id")
    )


def tier_counts(*, user: User) -> dict[str, dict[str, int]]:
    """Per tier, how many visible customers hold it now and how many are proposed for it."""
    visible = _visible(user)
    now = dict(visible.values_list("tier").annotate(n=Count("id")).values_list("tier", "n"))
    proposed = dict(
        MarketProfile.objects.filter(customer__in=visible)
        .exclude(proposed_tier="")
        .values_list("proposed_tier")
        .annotate(n=Count("id"))
        .values_list("proposed_tier", "n")
    )
    return {
        tier: {"now": now.get(tier, 0), "proposed": proposed.get(tier, 0)} for tier in Tier.values
    }


def profile_for(*, customer: Customer) -> MarketProfile | None:
    return MarketProfile.objects.filter(customer=customer).first()


# --- Territories and alerts ---------------------------------------------------------------


def rights_visible(*, user: User) -> QuerySet[TerritoryRight]:
    return (
        TerritoryRight.objects.filter(dealer__in=_visible(user))
        .select_related("dealer", "territory")
        .order_by("territory__name", "dealer__name", "product_line", "pk")
    )


def alerts_visible(*, user: User) -> QuerySet[TransshipmentAlert]:
    visible = _visible(user)
    return (
        TransshipmentAlert.objects.filter(
            Q(source_dealer__in=visible) | Q(harmed_dealer__in=visible)
        )
        .select_related(
            "market_check__product",
            "market_check__by",
            "source_dealer",
            "harmed_dealer",
            "order_line__order",
            "action_request",
        )
        .order_by("-created_at", "-pk")
    )


def alert_get_for_user(*, user: User, pk: int) -> TransshipmentAlert:
    try:
        return alerts_visible(user=user).get(pk=pk)
    except (TransshipmentAlert.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such alert.") from None


def checks_visible(*, user: User) -> QuerySet[MarketCheck]:
    """Admins and managers see every check (they watch the market); a rep sees the checks they
    made and those whose alerts concern their customers."""
    queryset = MarketCheck.objects.select_related("product", "by")
    if user.is_admin or user.is_manager:
        return queryset
    visible = _visible(user)
    concerned = TransshipmentAlert.objects.filter(
        Q(source_dealer__in=visible) | Q(harmed_dealer__in=visible), market_check=OuterRef("pk")
    )
    return queryset.filter(Q(by=user) | Exists(concerned))


def check_get_for_user(*, user: User, pk: int) -> MarketCheck:
    try:
        return checks_visible(user=user).get(pk=pk)
    except (MarketCheck.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such market check.") from None


# --- Notices ------------------------------------------------------------------------------


def notices_visible(*, user: User) -> QuerySet[Notice]:
    """Notices are company announcements: everyone signed in sees them; recipients and
    acknowledgements are shown only for the customers the user may see."""
    told = NoticeRecipient.objects.filter(notice=OuterRef("pk"))
    visible = _visible(user)
    return Notice.objects.select_related("created_by").annotate(
        told=Subquery(
            told.filter(customer__in=visible)
            .values("notice")
            .annotate(n=Count("customer_id", distinct=True))
            .values("n")[:1]
        ),
        acknowledged=Subquery(
            told.filter(customer__in=visible, used_at__isnull=False)
            .values("notice")
            .annotate(n=Count("customer_id", distinct=True))
            .values("n")[:1]
        ),
    )


def notice_get_for_user(*, user: User, pk: int) -> Notice:
    try:
        return notices_visible(user=user).get(pk=pk)
    except (Notice.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such notice.") from None


def notice_recipients(*, user: User, notice: Notice) -> QuerySet[NoticeRecipient]:
    return (
        NoticeRecipient.objects.filter(notice=notice, customer__in=_visible(user))
        .select_related("customer__owner", "contact")
        .order_by("customer__name", "customer_id", "contact__name", "pk")
    )


def _below_new_price():
    """Order lines priced (in base currency, before discount) below the new list price of a
    price notice in force on the order's date."""
    return Exists(
        NoticePrice.objects.filter(
            product_id=OuterRef("product_id"),
            notice__effective_date__lte=OuterRef("order__order_date"),
            new_price__gt=OuterRef("unit_base"),
            notice__sent_at__isnull=False,
        )
    )


def old_price_lines(*, user: User) -> QuerySet[OrderLine]:
    """Lines of orders placed on or after a price notice's effective date at less than the new
    list price: sold at the old price."""
    unit_base = ExpressionWrapper(
        F("unit_price") * F("order__rate_to_base"),
        output_field=DecimalField(max_digits=30, decimal_places=6),
    )
    return (
        OrderLine.objects.filter(order__customer__in=_visible(user))
        .exclude(order__status=OrderStatus.CANCELLED)
        .annotate(unit_base=unit_base)
        .filter(_below_new_price())
        .annotate(
            new_price=Subquery(
                NoticePrice.objects.filter(
                    product_id=OuterRef("product_id"),
                    notice__effective_date__lte=OuterRef("order__order_date"),
                    notice__sent_at__isnull=False,
                )
                .order_by("-notice__effective_date")
                .values("new_price")[:1]
            ),
            notice_id=Subquery(
                NoticePrice.objects.filter(
                    product_id=OuterRef("product_id"),
                    notice__effective_date__lte=OuterRef("order__order_date"),
                    notice__sent_at__isnull=False,
                )
                .order_by("-notice__effective_date")
                .values("notice_id")[:1]
            ),
        )
        .select_related("order__customer", "product")
        .order_by("-order__order_date", "pk")
    )


def old_price_lines_of_order(*, order: Order) -> list[OrderLine]:
    """For the order page (the order was fetched through the user's visibility)."""
    unit_base = ExpressionWrapper(
        F("unit_price") * F("order__rate_to_base"),
        output_field=DecimalField(max_digits=30, decimal_places=6),
    )
    return list(
        OrderLine.objects.filter(order=order)
        .exclude(order__status=OrderStatus.CANCELLED)
        .annotate(unit_base=unit_base)
        .filter(_below_new_price())
        .select_related("product")
    )


# --- Referrals ----------------------------------------------------------------------------


def _revenue_since():
    """Revenue (base currency, cancelled orders excluded) the referred customer has brought
    since the day of the referral: one correlated aggregate."""
    return Coalesce(
        Subquery(
            Order.objects.filter(
                customer_id=OuterRef("referred_id"), order_date__gte=OuterRef("on")
            )
            .exclude(status=OrderStatus.CANCELLED)
            .values("customer_id")
            .annotate(total=Sum("amount_base"))
            .values("total")[:1],
            output_field=DecimalField(max_digits=18, decimal_places=2),
        ),
        ZERO,
    )


def referrals_visible(*, user: User) -> QuerySet[Referral]:
    """Referrals where the user may see the referrer or the referred customer."""
    visible = _visible(user)
    return (
        Referral.objects.filter(Q(referrer__in=visible) | Q(referred__in=visible))
        .select_related("referrer", "referred")
        .annotate(revenue_since=_revenue_since())
        .order_by("-on", "-pk")
    )


def referrals_of_customer(*, customer: Customer) -> dict:
    """For the customer page: who referred them, whom they referred (with the revenue each has
    brought since), the business we passed them and public mentions."""
    referrals = list(
        Referral.objects.filter(Q(referrer=customer) | Q(referred=customer))
        .select_related("referrer", "referred")
        .annotate(revenue_since=_revenue_since())
        .order_by("-on", "-pk")
    )
    return {
        "referred_by": next((r for r in referrals if r.referred_id == customer.pk), None),
        "referred": [r for r in referrals if r.referrer_id == customer.pk],
        "passed": list(
            BusinessPassed.objects.filter(customer=customer).order_by("-passed_on", "-pk")[:20]
        ),
        "mentions": list(
            Mention.objects.filter(customer=customer).order_by("-seen_on", "-pk")[:20]
        ),
    }


def referral_report(*, user: User) -> dict:
    """Top referrers by the revenue their referrals brought, and business passed by outcome."""
    referrals = referrals_visible(user=user)
    grouped: dict[int, dict] = {}
    for referral in referrals:
        row = grouped.setdefault(
            referral.referrer_id,
            {"referrer": referral.referrer, "count": 0, "revenue": 0, "referred": []},
        )
        row["count"] += 1
        row["revenue"] += referral.revenue_since
        row["referred"].append(referral.referred)
    top = sorted(grouped.values(), key=lambda row: (-row["revenue"], row["referrer"].name))[:50]
    passed = BusinessPassed.objects.filter(customer__in=_visible(user))
    by_outcome = dict(
        passed.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n")
    )
    return {"top": top, "passed_by_outcome": by_outcome}


def business_passed_visible(*, user: User) -> QuerySet[BusinessPassed]:
    return (
        BusinessPassed.objects.filter(customer__in=_visible(user))
        .select_related("customer", "by")
        .order_by("-passed_on", "-pk")
    )


def mentions_visible(*, user: User) -> QuerySet[Mention]:
    return (
        Mention.objects.filter(customer__in=_visible(user))
        .select_related("customer", "by")
        .order_by("-seen_on", "-pk")
    )
