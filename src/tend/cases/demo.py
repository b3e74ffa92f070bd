"""Demo cases: complaints at a realistic rhythm (about one customer in twenty, most resolved and
closed within days, some open and a few past their SLA); one unstable lot whose complaints fire
the lot alert; one air conditioner case bounced between sales and service (story S3); and a
regional surge of delivery complaints on one team (story S8). Written through the services, so
the event log, the clocks, the timeline and the audit are what real use leaves."""

from datetime import timedelta

from django.db.models import Count, Sum

from tend.accounts.models import User
from tend.customers.models import Customer
from tend.demo import data
from tend.demo.registry import register_step
from tend.orders.models import OrderLine, OrderStatus

from . import services
from .models import Case, LotAlert
from .services.clock import book_clock

CATEGORIES = ["quality"] * 4 + ["delivery"] * 3 + ["documents"] * 2 + ["service", "price"]
SEVERITIES = ["low"] * 3 + ["medium"] * 4 + ["high"] * 2 + ["critical"]
CHANNELS = ["email", "email", "call", "whatsapp", "visit"]
TITLES = {
    "quality": [
        "Cracked housing on arrival",
        "Units fail after a week",
        "Colour differs from sample",
        "Leaking seal",
    ],
    "delivery": ["Container arrived late", "Short shipment", "Wrong port of discharge"],
    "documents": ["Certificate of origin missing", "Invoice amount wrong"],
    "service": ["No answer from technical support"],
    "price": ["Charged above the agreed price"],
}
RESOLUTIONS = ["replacement", "repair", "explanation", "explanation"]
ROOT_CAUSES = [
    "Packing too thin for sea freight",
    "Supplier component batch",
    "Forwarder missed the cut-off",
    "Clerk used an old template",
]
MAX_BACKGROUND = 1500


def reset(ctx) -> None:
    from .models import CaseAttachment, CaseEvent, CaseLot, SlaAlert

    LotAlert.objects.all().delete()
    SlaAlert.objects.all().delete()
    CaseAttachment.objects.all().delete()
    CaseLot.objects.all().delete()
    CaseEvent.objects.filter(corrects__isnull=False).delete()
    CaseEvent.objects.all().delete()
    Case.objects.all().delete()


def _open(by, customer, category, severity, opened_at, rng, lots=None, title=None):
    return services.case_open(
        by=by,
        customer=customer,
        title=title or rng.choice(TITLES[category]),
        description="Reported by the customer with photos.",
        category=category,
        severity=severity,
        channel=rng.choice(CHANNELS),
        opened_at=opened_at,
        lots=lots,
    )


def _close(case, by, rng, at):
    services.case_respond(case=case, by=by, text="Acknowledged; investigating.", at=at)
    services.case_resolve(
        case=case,
        by=by,
        resolution=rng.choice(RESOLUTIONS),
        note="Agreed with the customer.",
        at=at + timedelta(hours=2),
    )
    services.case_close(
        case=case,
        by=by,
        root_cause=rng.choice(ROOT_CAUSES),
        customer_satisfied=rng.random() < 0.8,
        ask_csat=False,  # the voice demo builds the book's surveys and answers itself
    )


@register_step("cases", after="orders", reset=reset)
def build_cases(ctx) -> None:
    with book_clock(ctx.now):
        _build(ctx)


def _build(ctx) -> None:
    rng = ctx.rng("cases")
    now = ctx.now
    people = {u.pk: u for u in User.objects.filter(is_active=True)}
    owned = [c for c in ctx.customers if c.owner_id in people]
    if not owned:
        return
    customers = Customer.objects.in_bulk([c.id for c in owned])
    count = min(max(len(owned) // 20, 10), MAX_BACKGROUND)
    for demo in rng.sample(owned, min(count, len(owned))):
        customer, owner = customers[demo.id], people[demo.owner_id]
        category = rng.choice(CATEGORIES)
        opened = now - timedelta(days=rng.uniform(0.2, 150))
        case = _open(owner, customer, category, rng.choice(SEVERITIES), opened, rng)
        if opened < now - timedelta(days=10) and rng.random() < 0.85:
            _close(case, owner, rng, opened + timedelta(hours=rng.uniform(1, 48)))
        elif rng.random() < 0.5:
            services.case_respond(
                case=case,
                by=owner,
                text="We are on it.",
                at=min(opened + timedelta(hours=rng.uniform(0.5, 30)), now),
            )
    _unstable_lot(ctx, rng, now, people)
    _bounced_case(ctx, rng, now, people, owned, customers)
    _surge(ctx, rng, now, people, owned, customers)
    services.cases_sla_check(now=now)
    services.lot_alerts_compute(now=now)
    ctx.counts["cases"] = Case.objects.count()
    ctx.counts["lot alerts"] = LotAlert.objects.count()


def _unstable_lot(ctx, rng, now, people):
    """Of the lots ordered in the last half year, the one with the most receivers gets
    complaints from a third of them (a fresh lot: and reading half a year of lines, not every
    line of a big book's history)."""
    row = (
        OrderLine.objects.filter(
            order__status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED],
            order__customer__owner__isnull=False,
            order__order_date__gte=ctx.today - timedelta(days=data.RECENT_LOT_DAYS),
        )
        .exclude(batch_number="")
        .values("product_id", "batch_number")
        .annotate(n=Count("order__customer", distinct=True), units=Sum("quantity"))
        .order_by("-n", "product_id", "batch_number")
        .first()
    )
    if row is None or row["n"] < 3:
        return
    lines = (
        OrderLine.objects.filter(product_id=row["product_id"], batch_number=row["batch_number"])
        .select_related("order__customer__owner", "product")
        .order_by("id")
    )
    seen = set()
    receivers = []
    for line in lines:
        customer = line.order.customer
        if customer.pk not in seen and customer.owner_id in people:
            seen.add(customer.pk)
            receivers.append((customer, line))
    for customer, line in receivers[: max(3, len(receivers) // 3)][:20]:
        case = _open(
            people[customer.owner_id],
            customer,
            "quality",
            "high",
            now - timedelta(days=rng.uniform(1, 20)),
            rng,
            lots=[(line.product, line.batch_number)],
            title=f"{line.product.name}: cloudy, off taste (lot {line.batch_number})",
        )
        case.order_lines.add(line)
        case.orders.add(line.order)
    ctx.data["unstable_lot"] = row["batch_number"]


def _bounced_case(ctx, rng, now, people, owned, customers):
    """Story S3: an air conditioner complaint passed sales → service → sales → service."""
    sales = next((u for u in people.values() if u.is_rep), None)
    service = (
        next((u for u in people.values() if u.is_rep and u.team_id != sales.team_id), None)
        if sales
        else None
    )
    if sales is None or service is None:
        return
    demo = next((c for c in owned if c.owner_id == sales.pk), None)
    if demo is None:
        return
    opened = now - timedelta(days=6)
    case = _open(
        sales,
        customers[demo.id],
        "quality",
        "high",
        opened,
        rng,
        title="Air conditioner trips the breaker after an hour",
    )
    hops = [
        (sales, service, "Technical fault: service handles it"),
        (service, sales, "Customer wants money back: sales decides"),
        (sales, service, "Repair first, then we talk about money"),
    ]
    for i, (by, to, why) in enumerate(hops):
        services.case_hand_off(
            case=case, to=to, by=by, reason=why, at=opened + timedelta(hours=20 * (i + 1))
        )
    ctx.data["bounced_case"] = case.pk


def _surge(ctx, rng, now, people, owned, customers):
    """Story S8: a week of delivery complaints in one territory, all on one team."""
    by_territory = {}
    for demo in owned:
        if demo.territory:
            by_territory.setdefault(demo.territory, []).append(demo)
    if not by_territory:
        return
    territory = max(sorted(by_territory), key=lambda t: len(by_territory[t]))
    for demo in rng.sample(by_territory[territory], min(12, len(by_territory[territory]))):
        _open(
            people[demo.owner_id],
            customers[demo.id],
            "delivery",
            "medium",
            now - timedelta(days=rng.uniform(0.1, 6)),
            rng,
            title="Port congestion: container held",
        )
    ctx.data["surge_region"] = territory
