"""The policy applied to values a record is *given*, not only changed to.

Four eyes would mean little if a guarded value could be written by creating a record instead
of changing one, or by confirming a draft priced beyond policy. So:

- confirming an order (creating it past draft, or moving a draft on) agrees its prices: the
  discount policy is consulted on its deepest line below list (``order_terms_requirements``);
- a new customer's payment terms and credit limit are credit terms like any other: the credit
  terms policy is consulted on them (``customer_terms_requirements``).

Beyond policy, the paths that create records hold the terms back and make the request (see
``order_create`` and ``customer_create``); the paths that move a status refuse and name the
request to make (``order_terms_check``).
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from tend.core.guard import GuardedChange

from .models import RequestKind

CENT = Decimal("0.01")


def _policy_requirements(kind: str, measure: Decimal) -> dict[str, Any]:
    from .changes import policy_requirements

    return policy_requirements(kind, measure)


def needs_approval(rules: dict[str, Any]) -> bool:
    return rules["approvals_needed"] > 0 or rules["admin_required"]


def order_depth(*, rate_to_base: Decimal, lines) -> Decimal:
    """The deepest line below list, in percent (0 when every line sells at list or above)."""
    depths = [line.depth_below_list(rate_to_base) for line in lines]
    return max([Decimal("0"), *depths]).quantize(CENT, rounding=ROUND_HALF_UP)


def _discount_requirements(depth: Decimal) -> dict[str, Any]:
    """What selling ``depth`` percent below list needs. At list or above there is no discount
    to approve, even when no discount policy exists (which asks one approver for any)."""
    rules = _policy_requirements(RequestKind.DISCOUNT, depth)
    if depth <= 0:
        rules = {**rules, "approvals_needed": 0, "admin_required": False}
    return rules


def order_terms_requirements(*, order, lines) -> dict[str, Any]:
    """What confirming ``order`` with ``lines`` needs under the discount policy."""
    return _discount_requirements(order_depth(rate_to_base=order.rate_to_base, lines=lines))


def confirm_refusal(*, order, lines) -> str:
    """Why a draft cannot be confirmed without approval, and which request to make."""
    return confirm_refusal_for(
        number=order.number, depth=order_depth(rate_to_base=order.rate_to_base, lines=lines)
    )


def confirm_refusal_for(*, number: str, depth: Decimal) -> str:
    return _(
        "Order %(number)s sells up to %(depth)s%% below list, beyond what may be confirmed "
        "without approval: ask for a discount approval on it, proposing the status "
        "“confirmed”; it is confirmed when approved."
    ) % {"number": number, "depth": depth}


def discount_needs_approval(depth: Decimal) -> bool:
    """Whether confirming at ``depth`` percent below list needs an approver."""
    return needs_approval(_discount_requirements(depth))


def order_terms_check(*, order, lines) -> None:
    """Refuse to confirm an order priced beyond policy (the model layer's last line)."""
    if needs_approval(order_terms_requirements(order=order, lines=lines)):
        raise GuardedChange("Order", ["status"], message=confirm_refusal(order=order, lines=lines))


def customer_terms_measure(proposed: dict[str, Any]) -> Decimal:
    """As a credit terms request measures it: the credit limit (0 for terms alone)."""
    limit = proposed.get("credit_limit")
    return Decimal(str(limit)) if limit is not None else Decimal("0")


def customer_terms_requirements(proposed: dict[str, Any]) -> dict[str, Any]:
    return _policy_requirements(RequestKind.CREDIT_TERMS, customer_terms_measure(proposed))
