"""Handing over everything a leaving person holds, in one transaction."""

import itertools
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tend.accounts.models import ApiToken, User
from tend.audit.models import AuditAction
from tend.audit.services import audit_record

from . import registry
from .models import Handover
from .selectors import people_in_scope, person_for_handover, successors_for_handover


class Strategy:
    ONE = "one"
    TERRITORY = "territory"
    ROUND_ROBIN = "round_robin"


@dataclass
class HandoverRule:
    """How to pick successors in bulk; per-item choices in ``overrides`` win."""

    strategy: str = Strategy.ONE
    successor: User | None = None
    by_territory: dict[str, User] = field(default_factory=dict)
    team_members: list[User] = field(default_factory=list)
    overrides: dict[str, User] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedMove:
    item: registry.HandoverItem
    successor: User | None


def handover_items(*, person: User) -> list[registry.HandoverItem]:
    return [item for kind in registry.kinds() for item in kind.items(person)]


def _check_may_hand_over(*, by: User, person: User) -> None:
    """Active people in the user's scope may be handed over, and inactive ones still holding
    something (deactivated outside the handover); an inactive person holding nothing is done."""
    if person_for_handover(user=by, pk=person.pk) is not None:
        return
    if not people_in_scope(user=by).filter(pk=person.pk).exists():
        raise PermissionDenied(_("You cannot hand over %(name)s.") % {"name": person})
    raise ValidationError(
        _("%(name)s has already been handed over and deactivated.") % {"name": person}
    )


def handover_plan(*, by: User, person: User, rule: HandoverRule) -> list[PlannedMove]:
    """The successor of every item under the rule. Items the rule cannot place have successor
    None, which the preview shows and the execution refuses."""
    _check_may_hand_over(by=by, person=person)
    items = handover_items(person=person)
    cycle = itertools.cycle([m for m in rule.team_members if m.pk != person.pk] or [None])
    planned = []
    for item in sorted(items, key=lambda i: (i.kind, i.label.lower(), i.pk)):
        successor = rule.overrides.get(item.key)
        if successor is None:
            if rule.strategy == Strategy.TERRITORY:
                successor = rule.by_territory.get(item.territory) or rule.successor
            elif rule.strategy == Strategy.ROUND_ROBIN:
                successor = next(cycle)
            else:
                successor = rule.successor
        planned.append(PlannedMove(item, successor))
    return planned


@transaction.atomic
def handover_execute(*, by: User, person: User, rule: HandoverRule) -> Handover:
    """Move everything the person holds to successors and deactivate the person, or nothing.

    The plan is recomputed inside the transaction, with the person's row locked, so items that
    arrived after the preview are not left behind."""
    person = User.objects.select_for_update().get(pk=person.pk)
    planned = handover_plan(by=by, person=person, rule=rule)
    was_active = person.is_active
    assignable = set(successors_for_handover(user=by).values_list("pk", flat=True)) | {by.pk}
    errors = []
    for move in planned:
        if move.successor is None:
            errors.append(_("No successor for %(item)s.") % {"item": move.item.label})
        elif move.successor.pk == person.pk or not move.successor.is_active:
            errors.append(
                _("%(name)s cannot take over %(item)s.")
                % {"name": move.successor, "item": move.item.label}
            )
        elif move.successor.pk not in assignable:
            errors.append(
                _("You cannot give %(item)s to %(name)s.")
                % {"name": move.successor, "item": move.item.label}
            )
    if errors:
        raise ValidationError(errors)

    by_kind: dict[str, list[tuple[registry.HandoverItem, User]]] = {}
    for move in planned:
        by_kind.setdefault(move.item.kind, []).append((move.item, move.successor))
    for kind_key, moves in by_kind.items():
        registry.get(kind_key).move(person=person, moves=moves, by=by)

    remaining = handover_items(person=person)
    if remaining:
        raise ValidationError(
            _("%(count)s items could not be moved; nothing was changed.")
            % {"count": len(remaining)}
        )
    person.is_active = False
    person.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=person, revoked_at__isnull=True).update(revoked_at=timezone.now())
    summary = {
        kind: dict(Counter(str(successor) for _item, successor in moves))
        for kind, moves in by_kind.items()
    }
    handover = Handover.objects.create(person=person, by=by, summary=summary)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=person,
        before={"is_active": was_active},
        after={"is_active": False, "handover": summary},
    )
    return handover
