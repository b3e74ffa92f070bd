"""The order's life, as one table: which status may follow which.

Every path that moves an order — the status service, pages, the API, bulk actions, the admin,
approving a request — meets this table, because ``Order.save`` and the guarded queryset check
each move against it (``check_move``). An order is placed as a draft with its lines and then
walks the table to the status asked for (``path_from_draft``: an import of history starts at
"delivered"), so leaving draft is checked against the approval policy on every path.

Moves that lift the four-eyes guard (back to draft, where the agreed terms are editable again)
are declared in ``GUARDED_MOVES``: they happen only by applying an approved request.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tend.core.guard import GuardedChange, guard_open

from .models import OrderStatus

DRAFT = OrderStatus.DRAFT.value
CONFIRMED = OrderStatus.CONFIRMED.value
IN_PRODUCTION = OrderStatus.IN_PRODUCTION.value
READY = OrderStatus.READY.value
SHIPPED = OrderStatus.SHIPPED.value
DELIVERED = OrderStatus.DELIVERED.value
CANCELLED = OrderStatus.CANCELLED.value

TRANSITIONS: dict[str, tuple[str, ...]] = {
    DRAFT: (CONFIRMED, CANCELLED),
    CONFIRMED: (IN_PRODUCTION, READY, SHIPPED, CANCELLED, DRAFT),
    IN_PRODUCTION: (READY, SHIPPED, CANCELLED),
    READY: (IN_PRODUCTION, SHIPPED, CANCELLED),
    SHIPPED: (DELIVERED,),
    DELIVERED: (),
    CANCELLED: (),
}

# Moves that reopen agreed terms: only an approved "change to a confirmed order" makes them.
GUARDED_MOVES: frozenset[tuple[str, str]] = frozenset({(CONFIRMED, DRAFT)})

# Leaving draft for one of these agrees the order's terms: the approval policy is consulted.
AGREED = frozenset({CONFIRMED, IN_PRODUCTION, READY, SHIPPED, DELIVERED})


def allowed_next(status: str) -> list[str]:
    """The statuses an order at ``status`` may move to (in the table's order)."""
    return list(TRANSITIONS.get(status, ()))


def path_from_draft(status: str) -> list[str]:
    """The steps a new order takes from draft to start at ``status`` (the shortest, never a
    guarded move): placing an order walks the table, so each step is checked like any move."""
    paths: dict[str, list[str]] = {DRAFT: []}
    queue = [DRAFT]
    while queue:
        current = queue.pop(0)
        for following in TRANSITIONS[current]:
            if following not in paths and not is_guarded_move(current, following):
                paths[following] = [*paths[current], following]
                queue.append(following)
    return paths[status]


def is_guarded_move(old: str, new: str) -> bool:
    return (old, new) in GUARDED_MOVES


def agrees_terms(old: str | None, new: str) -> bool:
    """Whether moving from ``old`` (None: a new order) to ``new`` fixes the agreed terms."""
    return new in AGREED and (old is None or old == DRAFT)


def check_move(*, number: str, old: str, new: str) -> None:
    """Refuse a move the table does not declare (ValidationError on ``status``), and a guarded
    move outside an approved request (GuardedChange, which says which request to make)."""
    if old == new:
        return
    if new not in allowed_next(old):
        labels = dict(OrderStatus.choices)
        allowed = [str(labels[status]) for status in allowed_next(old)]
        raise ValidationError(
            {
                "status": _(
                    "Order %(number)s is %(status)s: it can move to %(allowed)s, not to %(wanted)s."
                )
                % {
                    "number": number,
                    "status": labels.get(old, old),
                    "allowed": ", ".join(allowed) or _("nothing (it is closed)"),
                    "wanted": labels.get(new, new),
                }
            }
        )
    if is_guarded_move(old, new) and not guard_open():
        raise GuardedChange(
            "Order",
            ["status"],
            message=_(
                "Order %(number)s is confirmed: moving it back to draft reopens its agreed "
                "terms, so it needs an approved request (ask for a change to a confirmed "
                "order, proposing the status draft)."
            )
            % {"number": number},
        )
