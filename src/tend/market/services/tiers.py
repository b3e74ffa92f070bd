"""Tiers from value: the nightly computation of every customer's profile and proposed tier, and
applying proposed tiers (by a manager in bulk, or by the job when ``TEND_TIERS_AUTO_APPLY``).

Revenue is the orders' base-currency amount, cancelled orders excluded (as health counts it),
over the 12 months up to today. Margin is counted on the lines whose product has a cost; a
customer none of whose lines has a cost has no margin class."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, ExpressionWrapper, F, FloatField, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.audit.models import AuditAction, AuditEntry
from tend.core.i18n import TranslatableText
from tend.customers.models import Customer, Tier
from tend.orders.models import Order, OrderLine, OrderStatus
from tend.timeline.models import TimelineEntry
from tend.timeline.services import timeline_add

from .. import floor, scoring
from ..models import MarketProfile, TierPolicy
from ..timeline_kinds import TIER

CENT = Decimal("0.01")
BATCH = 2000


def _cents(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _window(today: date) -> tuple[date, date]:
    return today - timedelta(days=365), today


def tiers_compute(*, now: datetime | None = None) -> dict[str, int]:
    """Recompute every customer's market profile (revenue, margin, ABC, RFM, proposed tier)
    from a few aggregate queries, and store it. Returns counts by proposed tier."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, end = _window(today)
    rows = list(Customer.objects.order_by("pk").values_list("pk", "market_profile__potential"))
    ids = np.array([pk for pk, _p in rows], dtype=np.int64)
    n = ids.size
    potential = np.array([float(p) if p is not None else np.nan for _pk, p in rows])

    def column(pairs, dtype=float, fill=0.0):
        out = np.full(n, fill, dtype=dtype)
        if pairs:
            keys, values = zip(*pairs, strict=True)
            where = np.searchsorted(ids, np.asarray(keys, dtype=np.int64))
            out[where] = np.asarray(values, dtype=dtype)
        return out

    orders = Order.objects.exclude(status=OrderStatus.CANCELLED)
    recent = (
        orders.filter(order_date__gt=start, order_date__lte=end)
        .values("customer_id")
        .annotate(revenue=Sum("amount_base"), n=Count("id"))
        .values_list("customer_id", "revenue", "n")
    )
    recent = list(recent)
    revenue = column([(c, float(r or 0)) for c, r, _n in recent])
    frequency = column([(c, k) for c, _r, k in recent], dtype=int, fill=0)
    last = list(
        orders.filter(order_date__lte=end)
        .values("customer_id")
        .annotate(last=Max("order_date"))
        .values_list("customer_id", "last")
    )
    has_orders = column([(c, True) for c, _d in last], dtype=bool, fill=False)
    recency = column([(c, (today - d).days) for c, d in last], dtype=float, fill=0.0)
    line_margin = ExpressionWrapper(
        F("quantity") * F("unit_price") * (100 - F("discount_pct")) / 100 * F("order__rate_to_base")
        - F("quantity") * F("product__cost"),
        output_field=FloatField(),
    )
    margins = list(
        OrderLine.objects.filter(
            order__order_date__gt=start,
            order__order_date__lte=end,
            product__cost__isnull=False,
        )
        .exclude(order__status=OrderStatus.CANCELLED)
        .values("order__customer_id")
        .annotate(margin=Sum(line_margin))
        .values_list("order__customer_id", "margin")
    )
    margin_known = column([(c, True) for c, _m in margins], dtype=bool, fill=False)
    margin = column([(c, float(m or 0)) for c, m in margins])

    cutoffs = tuple(settings.TEND_ABC_CUTOFFS)
    abc_revenue = scoring.abc_classes(revenue, cutoffs)
    abc_margin = np.full(n, "", dtype="<U1")
    if margin_known.any():
        abc_margin[margin_known] = scoring.abc_classes(margin[margin_known], cutoffs)
    proposed = scoring.best_class(abc_revenue, abc_margin)
    proposed = scoring.potential_lift(proposed, potential, revenue, abc_revenue)
    r, f, m = scoring.rfm_scores(recency, frequency, revenue, has_orders)

    profiles = [
        MarketProfile(
            customer_id=pk,
            revenue_12m=_cents(revenue[i]),
            margin_12m=_cents(margin[i]) if margin_known[i] else None,
            abc_revenue=str(abc_revenue[i]),
            abc_margin=str(abc_margin[i]),
            recency=int(r[i]),
            frequency=int(f[i]),
            monetary=int(m[i]),
            proposed_tier=str(proposed[i]),
            computed_at=now,
        )
        for i, pk in enumerate(ids.tolist())
    ]
    # Rewritten wholesale (bulk_update's CASE per row and field is far slower): the potentials
    # people entered are read under lock and carried into the new rows.
    with transaction.atomic():
        kept = dict(
            MarketProfile.objects.select_for_update()
            .filter(potential__isnull=False)
            .values_list("customer_id", "potential")
        )
        for profile in profiles:
            profile.potential = kept.get(profile.customer_id)
        MarketProfile.objects.all().delete()
        MarketProfile.objects.bulk_create(profiles, batch_size=BATCH)
    return {tier: int((proposed == tier).sum()) for tier in Tier.values}


def tiers_nightly(*, now: datetime) -> str:
    """The job: recompute, and apply the proposals when the setting says so."""
    counts = tiers_compute(now=now)
    applied = 0
    if settings.TEND_TIERS_AUTO_APPLY:
        changed = MarketProfile.objects.exclude(proposed_tier="").exclude(
            proposed_tier=F("customer__tier")
        )
        applied = tiers_apply(
            by=None, customer_ids=list(changed.values_list("customer_id", flat=True)), now=now
        )
    return f"proposed {counts}, applied {applied}"


def tiers_apply(*, by: User | None, customer_ids: list[int], now: datetime | None = None) -> int:
    """Give the chosen customers their proposed tier (those whose tier differs): the tier, the
    next touch date that follows from its cadence, an audit entry and a timeline entry each.
    ``by`` None is the nightly job; a person must be a manager or admin and see each customer.
    Returns how many changed."""
    now = now or timezone.now()
    if by is not None and not (by.is_manager or by.is_admin):
        raise PermissionDenied(_("Only managers and admins apply tiers."))
    ids = sorted({int(pk) for pk in customer_ids})
    if not ids:
        raise ValidationError({"customers": _("Choose at least one customer.")})
    changed = 0
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            queryset = Customer.objects.filter(pk__in=chunk)
            if by is not None:
                visible = Customer.objects.visible_to(by).filter(pk__in=chunk).count()
                if visible != len(chunk):
                    raise ValidationError(
                        {"customers": _("Some of these customers are not yours to see.")}
                    )
            customers = list(
                queryset.select_for_update(of=("self",))
                .select_related("market_profile")
                .order_by("pk")
            )
            moved, audits, entries = [], [], []
            for customer in customers:
                profile = getattr(customer, "market_profile", None)
                if profile is None or not profile.proposed_tier:
                    continue
                if profile.proposed_tier == customer.tier:
                    continue
                old = customer.tier
                customer.tier = profile.proposed_tier
                customer.refresh_touch_dates()
                moved.append(customer)
                audits.append(
                    AuditEntry(
                        actor=by,
                        action=AuditAction.UPDATE,
                        entity="customer",
                        entity_id=customer.pk,
                        entity_label=str(customer)[:300],
                        customer_id=customer.pk,
                        changes={"tier": [old, customer.tier]},
                        at=now,
                    )
                )
                entries.append(
                    timeline_add(
                        customer_id=customer.pk,
                        kind=TIER,
                        title=TranslatableText(
                            gettext_lazy("Tier %(old)s → %(new)s (revenue %(abc)s, RFM %(rfm)s)"),
                            {
                                "old": old,
                                "new": customer.tier,
                                "abc": profile.abc_revenue,
                                "rfm": profile.rfm or "—",
                            },
                        ),
                        actor=by,
                        at=now,
                        data={"old": old, "new": customer.tier, "auto": by is None},
                        save=False,
                    )
                )
            Customer.objects.bulk_update(
                moved, ["tier", "touch_due_at", "pool_return_at", "updated_at"]
            )
            AuditEntry.objects.bulk_create(audits)
            TimelineEntry.objects.bulk_create(entries)
            changed += len(moved)
    return changed


def potential_set(*, by: User, customer: Customer, potential: Decimal | None) -> MarketProfile:
    """Record what a customer could buy in a year (base currency): it lifts the proposed tier
    one class at most, at the next computation."""
    if potential is not None and potential < 0:
        raise ValidationError({"potential": _("The potential cannot be negative.")})
    from tend.audit.services import audit_record

    with transaction.atomic():
        profile, _created = MarketProfile.objects.select_for_update().get_or_create(
            customer=customer
        )
        before = profile.potential
        profile.potential = potential
        profile.save(update_fields=["potential"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            instance=customer,
            before={"potential": str(before) if before is not None else None},
            after={"potential": str(potential) if potential is not None else None},
            customer_id=customer.pk,
        )
    return profile


def tier_policy_set(*, by: User, tier: str, cadence_days: int) -> TierPolicy:
    """Change a tier's touch cadence; the next-touch dates of the tier's customers without a
    cadence of their own follow. Admins only: it changes the service floor of a whole tier."""
    from tend.audit.services import audit_record

    if not by.is_admin:
        raise PermissionDenied(_("Only admins change a tier's service floor."))
    if tier not in Tier.values:
        raise ValidationError({"tier": _("Unknown tier.")})
    if not isinstance(cadence_days, int) or not 1 <= cadence_days <= 366:
        raise ValidationError({"cadence_days": _("Between 1 and 366 days.")})
    with transaction.atomic():
        before = floor.tier_cadence(tier)
        policy, _created = TierPolicy.objects.update_or_create(
            tier=tier, defaults={"cadence_days": cadence_days}
        )
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            instance=policy,
            before={"cadence_days": before},
            after={"cadence_days": cadence_days},
        )
        floor.forget()
        transaction.on_commit(floor.forget)
        customers = list(
            Customer.objects.filter(tier=tier, cadence_days__isnull=True).only(
                "pk",
                "tier",
                "cadence_days",
                "last_outbound_at",
                "created_at",
                "owner",
                "owned_since",
            )
        )
        for customer in customers:
            customer.refresh_touch_dates()
        Customer.objects.bulk_update(
            customers, ["touch_due_at", "pool_return_at"], batch_size=BATCH
        )
    return policy
