"""Demo history of approval requests: concessions granted and refused across the book, and one
customer who keeps threatening to leave for better terms (seed 004) — visible to the approver."""

from django.db.models import Q

from tend.accounts.models import User
from tend.customers.models import Customer
from tend.demo.registry import register_step

from . import services
from .models import ApprovalRequest, Concession, CreditNote

THREATS = [
    ("Free freight on the next two containers", "1800"),
    ("Extended warranty to 3 years on kettles", "2400"),
    ("Exclusive rights for their city for one year", "4000"),
    ("Extra 60 days of credit on the spring order", "900"),
    ("Free spare parts kit with every pallet", "650"),
    ("Marketing support for a trade fair booth", "1500"),
]


def reset(ctx) -> None:
    """Credit notes and concessions protect their requests: they go first."""
    CreditNote.objects.all().delete()
    Concession.objects.all().delete()
    ApprovalRequest.objects.all().delete()


def _decider(ctx, customer: Customer) -> User | None:
    """A manager of the owner's team, else an admin."""
    team_id = customer.owner.team_id if customer.owner_id else None
    manager = User.objects.filter(role="manager", team_id=team_id, is_active=True).first()
    return manager or ctx.admin


@register_step("approvals", after="customers", reset=reset)
def build_approvals(ctx) -> None:
    rng = ctx.rng("approvals")
    owned = [c for c in ctx.customers if c.owner_id]
    if not owned:
        return
    picks = rng.sample(owned, min(len(owned), 24))
    people = {u.pk: u for u in User.objects.filter(Q(role="rep") | Q(role="manager"))}
    customers = Customer.objects.select_related("owner").in_bulk([c.id for c in picks])

    # The customer who keeps asking: six concessions granted over time, a seventh waiting.
    threatener = customers[picks[0].id]
    requester = people.get(threatener.owner_id) or ctx.admin
    decider = _decider(ctx, threatener)
    for description, value in THREATS:
        request = services.request_create(
            by=requester,
            kind="accommodation",
            customer=threatener,
            reason="Says a competitor offers it; threatens to move the business",
            proposed={"description": description, "value": value, "currency": "USD"},
        )
        if request.is_pending and decider and decider.pk != requester.pk:
            services.request_decide(
                by=decider, request=request, decision="approve", comment="Keep them this season"
            )
    services.request_create(
        by=requester,
        kind="credit_terms",
        customer=threatener,
        reason="Threatens to leave unless payment moves to 120 days",
        proposed={"payment_terms": "O/A 120 days", "credit_limit": "80000"},
    )

    # Elsewhere: refunds, credit terms and accommodations, some granted, some refused, some open.
    for index, pick in enumerate(picks[1:]):
        customer = customers[pick.id]
        requester = people.get(customer.owner_id) or ctx.admin
        decider = _decider(ctx, customer)
        kind = ("refund", "credit_terms", "accommodation")[index % 3]
        if kind == "refund":
            proposed = {
                "kind": "credit_note",
                "amount": str(rng.choice([180, 420, 950, 2600])),
                "currency": "USD",
            }
            reason = "Cracked glass in part of the shipment; customer asked for credit"
        elif kind == "credit_terms":
            proposed = {"payment_terms": rng.choice(["O/A 60 days", "T/T 20/80", "L/C 90 days"])}
            reason = "Customer asks for easier terms after three years of on-time payment"
        else:
            proposed = {
                "description": "Free freight on one order",
                "value": str(rng.choice([400, 700, 1200])),
                "currency": "USD",
            }
            reason = "Competitor offered free freight"
        request = services.request_create(
            by=requester, kind=kind, customer=customer, reason=reason, proposed=proposed
        )
        outcome = index % 4
        if not request.is_pending or decider is None or decider.pk == requester.pk:
            continue
        if outcome in (0, 1):
            services.request_decide(
                by=decider, request=request, decision="approve", comment="Agreed"
            )
        elif outcome == 2:
            services.request_decide(
                by=decider,
                request=request,
                decision="reject",
                comment="Not while two invoices are overdue",
            )
