"""The market in the demo book:

- **referrals**: the customers the builder marked as referred enter the referral ledger; a few
  dealers were passed leads, and some customers were reviewed in public;
- **territories**: each demo region covers the countries of its customers; every dealer and
  distributor holds its country (exclusively for dealers);
- **transshipment** (story S4): one dealer's lot is found in a shop next door, in another
  dealer's exclusive country; the alert waits for review and the neighbour's risk rises;
- **a price rise told to all dealers** (story S7): kettles up 6%, sent 45 days before it takes
  effect; some dealers read it, some acknowledged it;
- **tiers**: product costs for part of the catalogue, then the tiers computed from value.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count

from tend.core.bulk import bulk_insert
from tend.customers.models import Customer, CustomerType, Territory
from tend.demo import data
from tend.demo.registry import DemoContext, register_step
from tend.imports.bulk import update as update_rows
from tend.orders.models import OrderLine, OrderStatus, Product

from .models import (
    BusinessPassed,
    LeadOutcome,
    MarketCheck,
    MarketProfile,
    Mention,
    Notice,
    NoticeRecipient,
    Referral,
    Sentiment,
    TerritoryArea,
    TerritoryRight,
    TransshipmentAlert,
)
from .services import channel, notices, referrals, tiers

DEALERS = (CustomerType.DEALER, CustomerType.DISTRIBUTOR)


def reset(ctx: DemoContext) -> None:
    TransshipmentAlert.objects.all().delete()
    MarketCheck.objects.all().delete()
    NoticeRecipient.objects.all().delete()
    Notice.objects.all().delete()
    TerritoryRight.objects.all().delete()
    TerritoryArea.objects.all().delete()
    Territory.objects.filter(name__startswith="Exclusive: ").delete()
    Referral.objects.all().delete()
    BusinessPassed.objects.all().delete()
    Mention.objects.all().delete()
    MarketProfile.objects.all().delete()


@register_step("market_referrals", after="customers", reset=reset)
def build_referrals(ctx: DemoContext) -> None:
    rows = [
        (referrer, referred, day, "", None, ctx.now)
        for referrer, referred, day in ctx.data.get("referrals", [])
    ]
    bulk_insert(
        Referral, ("referrer_id", "referred_id", "on", "note", "created_by_id", "created_at"), rows
    )
    ctx.counts["referrals"] = len(rows)


@register_step("market", after="approvals")
def build_market(ctx: DemoContext) -> None:
    rng = ctx.rng("market")
    admin = ctx.admin
    today = ctx.today
    dealers = [c for c in ctx.customers if c.type in DEALERS and c.status != "prospect"]

    # Costs for two thirds of the catalogue: margins are known where cost is.
    products = list(Product.objects.filter(list_price__isnull=False).order_by("sku"))
    for product in products:
        if rng.random() < 0.67:
            product.cost = (product.list_price * Decimal(str(rng.uniform(0.55, 0.8)))).quantize(
                Decimal("0.01")
            )
    Product.objects.bulk_update(products, ["cost"])

    # Territories: each region covers its customers' countries; dealers hold their country.
    countries = defaultdict(set)
    for customer in ctx.customers:
        countries[customer.territory].add(customer.country)
    TerritoryArea.objects.bulk_create(
        [
            TerritoryArea(territory=ctx.territories[name], country=code)
            for name, codes in countries.items()
            if name in ctx.territories
            for code in sorted(codes)
        ]
    )
    by_country = defaultdict(list)
    for dealer in dealers:
        by_country[dealer.country].append(dealer)
    exclusive_territory = {}
    for code in sorted(by_country):
        exclusive_territory[code], _ = Territory.objects.get_or_create(name=f"Exclusive: {code}")
        TerritoryArea.objects.get_or_create(territory=exclusive_territory[code], country=code)
    holders = {}
    rights = []
    for code, group in sorted(by_country.items()):
        for index, dealer in enumerate(group):
            exclusive = index == 0 and dealer.type == CustomerType.DEALER
            rights.append(
                TerritoryRight(
                    dealer_id=dealer.id,
                    territory=exclusive_territory[code],
                    exclusive=exclusive,
                    valid_from=dealer.created_at.date(),
                )
            )
            if exclusive:
                holders[code] = dealer
    TerritoryRight.objects.bulk_create(rights, batch_size=5000)

    # S4: a lot of one dealer found next door, in another dealer's exclusive country.
    region = {c.id: c.territory for c in ctx.customers}

    def neighbours(dealer) -> list[str]:
        """The exclusive countries of the dealer's region other than its own."""
        return sorted(
            code
            for code, holder in holders.items()
            if code != dealer.country and holder.territory == region.get(dealer.id)
        )

    # Only the last half year's lines of dealers with a neighbour can tell the story (a fresh
    # lot on the shelves): reading just those keeps the sort small on a big book.
    sources = {dealer.id: neighbours(dealer) for dealer in dealers}
    lots = list(
        OrderLine.objects.filter(
            order__customer_id__in=[pk for pk, codes in sources.items() if codes],
            order__status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED],
            order__order_date__gte=today - timedelta(days=data.RECENT_LOT_DAYS),
        )
        .exclude(batch_number="")
        .select_related("order__customer", "product")
        .order_by("-order__order_date", "pk")[:5000]
    )
    # a lot that went to one customer only, so the trace names one source dealer
    single = set(
        OrderLine.objects.filter(batch_number__in={line.batch_number for line in lots})
        .values_list("product_id", "batch_number")
        .annotate(n=Count("order__customer_id", distinct=True))
        .filter(n=1)
        .values_list("product_id", "batch_number")
    )
    found = next(
        (
            (line, sources[line.order.customer_id][0])
            for line in lots
            if (line.product_id, line.batch_number) in single
        ),
        None,
    )
    if found is None and lots:
        # A big book ships every lot to many dealers: give one shipment a lot of its own (a
        # special run for that dealer), so the trace names one source dealer.
        line = lots[0]
        line.batch_number = f"{line.batch_number}-S{line.pk}"[:40]
        OrderLine.objects.filter(pk=line.pk).update(batch_number=line.batch_number)
        found = (line, sources[line.order.customer_id][0])
    if found is not None:
        line, code = found
        harmed = Customer.objects.get(pk=holders[code].id)
        checker = harmed.owner or admin
        channel.market_check_record(
            by=checker,
            country=code,
            city=harmed.city or code,
            shop=rng.choice(["Home Plus", "Casa Bella", "KitchenWorld", "Mega Electro"]),
            product=line.product,
            lot_code=line.batch_number,
            price=(line.product.list_price or Decimal("20")) * Decimal("1.9"),
            currency="USD",
            checked_on=today - timedelta(days=6),
            notes="Sold below the local dealer's shelf price; carton labels of another market.",
            now=ctx.now - timedelta(days=6),
        )
        ctx.counts["transshipment_alerts"] = TransshipmentAlert.objects.count()

    # S7: a price rise told to all dealers 45 days before it takes effect.
    line_name = products[0].category if products else ""
    if line_name and dealers:
        sent = ctx.now - timedelta(days=10)
        notice = notices.notice_create(
            by=admin,
            kind="price",
            title=f"{line_name}: prices rise 6%",
            body="Copper, steel and freight have risen all year; list prices of the line rise "
            "6% for orders placed from the effective date. Orders confirmed before keep their "
            "prices.",
            product_line=line_name,
            change_pct=Decimal("6"),
            effective_date=(sent + timedelta(days=46)).date(),
            notice_days=45,
            acknowledge_by=(sent + timedelta(days=25)).date(),
            now=sent,
        )
        told = list(Customer.objects.filter(pk__in=[d.id for d in dealers]))
        notices.notice_send(by=admin, notice=notice, customers=told, now=sent)
        recipients = list(NoticeRecipient.objects.filter(notice=notice).order_by("pk"))
        for recipient in recipients:
            roll = rng.random()
            if roll < 0.55:
                recipient.read_at = sent + timedelta(hours=rng.randint(2, 120))
            if roll < 0.35:
                recipient.used_at = recipient.read_at + timedelta(minutes=rng.randint(1, 30))
        # Not bulk_update: its UPDATE is a CASE of a branch per row tried for every row,
        # quadratic (over 15 minutes for the 100,000-customer book on PostgreSQL).
        update_rows(
            NoticeRecipient,
            ["read_at", "used_at"],
            [(r.read_at, r.used_at, r.pk) for r in recipients if r.read_at],
        )
        ctx.counts["notice_recipients"] = len(recipients)

    # S11: leads passed to dealers and public mentions.
    picks = rng.sample(dealers, min(len(dealers), 12))
    for index, dealer in enumerate(picks):
        customer = Customer.objects.get(pk=dealer.id)
        by = customer.owner or admin
        passed = referrals.business_passed_record(
            by=by,
            customer=customer,
            lead=rng.choice(["Hotel group", "Supermarket chain", "Online shop", "Caterer"])
            + f" in {customer.city or customer.country}",
            passed_on=today - timedelta(days=rng.randint(20, 300)),
            description="Asked us for a local supplier at the trade fair.",
            value=Decimal(rng.choice([8000, 15000, 40000])),
        )
        if index % 3 != 2:
            referrals.business_passed_close(
                by=by,
                passed=passed,
                outcome=LeadOutcome.WON if index % 3 == 0 else LeadOutcome.LOST,
            )
        if index < 6:
            referrals.mention_record(
                by=by,
                customer=customer,
                url=f"https://reviews.example.com/{customer.pk}",
                where="Trade forum",
                sentiment=(Sentiment.POSITIVE, Sentiment.NEUTRAL, Sentiment.NEGATIVE)[index % 3],
                summary=(
                    "Praises our after-sales service",
                    "Compares our kettles with two competitors",
                    "Complains about a late container",
                )[index % 3],
                seen_on=today - timedelta(days=rng.randint(3, 90)),
            )

    # Tiers from value, as the nightly job computes them.
    tiers.tiers_compute(now=ctx.now)
    ctx.counts["market_profiles"] = MarketProfile.objects.count()
