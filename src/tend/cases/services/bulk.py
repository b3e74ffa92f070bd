"""Bulk reassignment from the case load (story S8): selected cases to a person, or spread over
a team (each to the member with the fewest open cases at that moment). Each move is a recorded
hand-off with the same reason."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from tend.accounts.models import Team, User

from .. import sla
from ..models import OPEN_STATUSES
from ..selectors import cases_visible_to
from . import clock
from .cases import _check_person, _hand_off, _text

MAX_BULK = 500


@transaction.atomic
def cases_reassign(
    *, case_ids: list[int], by: User, reason: str, to: User | None = None, team: Team | None = None
) -> int:
    """Hand off every selected open case the person may see; returns how many moved. All or
    nothing: an id that is not a visible open case refuses the whole batch."""
    if by.is_rep:
        raise PermissionDenied(_("A manager or admin reassigns cases in bulk."))
    reason = _text(reason, "reason", required=_("Say why the cases move."), most=500)
    if (to is None) == (team is None):
        raise ValidationError({"to": _("Choose a person or a team, not both.")})
    ids = sorted(set(case_ids))
    if not ids:
        raise ValidationError({"cases": _("Select at least one case.")})
    if len(ids) > MAX_BULK:
        raise ValidationError({"cases": _("At most %(n)d cases at a time.") % {"n": MAX_BULK}})
    cases = list(
        cases_visible_to(user=by)
        .filter(pk__in=ids, status__in=OPEN_STATUSES)
        .select_for_update(of=("self",))
        .select_related("customer", "owner", "owner__team")
        .order_by("pk")
    )
    missing = set(ids) - {case.pk for case in cases}
    if missing:
        raise ValidationError(
            {
                "cases": _("Not open cases you can see: %(ids)s")
                % {"ids": ", ".join(str(i) for i in sorted(missing)[:20])}
            }
        )
    if to is not None:
        _check_person(to, "to")
        targets = [to]
    else:
        targets = list(
            User.objects.filter(team=team, is_active=True)
            .annotate(load=Count("cases_owned", filter=Q(cases_owned__status__in=OPEN_STATUSES)))
            .order_by("load", "pk")
        )
        if not targets:
            raise ValidationError({"team": _("%(team)s has no active members.") % {"team": team}})
    load = {person.pk: getattr(person, "load", 0) for person in targets}
    now = clock.now()
    moved = 0
    for case in cases:
        candidates = [p for p in targets if p.pk != case.owner_id]
        if not candidates:
            continue
        successor = min(candidates, key=lambda p: (load[p.pk], p.pk))
        _hand_off(case, to=successor, by=by, reason=reason, at=now)
        load[successor.pk] += 1
        sla.apply_clock(case, now=now)
        case.save(update_fields=sla.SLA_FIELDS)
        moved += 1
    return moved
