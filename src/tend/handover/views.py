from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tend.accounts.models import Team, User
from tend.core.inputs import parse_id
from tend.customers.selectors import single_threads_through

from . import registry, services
from .selectors import people_left_holding, person_for_handover, successors_for_handover


def _require_manager(user) -> None:
    if user.is_rep:
        raise PermissionDenied(_("Only managers and admins hand people over."))


@login_required
def handover_index(request):
    _require_manager(request.user)
    return render(
        request,
        "handover/index.html",
        {
            "people": successors_for_handover(user=request.user),
            "left_holding": people_left_holding(user=request.user),
            "kinds": {kind.key: kind.label for kind in registry.kinds()},
        },
    )


def _rule_from_post(post, successors: dict[int, User], teams) -> services.HandoverRule:
    def person(value):
        return successors.get(parse_id(value))

    by_territory = {}
    index = 0
    while f"territory-{index}-name" in post:
        chosen = person(post.get(f"territory-{index}", ""))
        if chosen:
            by_territory[post[f"territory-{index}-name"]] = chosen
        index += 1
    overrides = {
        key.removeprefix("item-"): person(value)
        for key, value in post.items()
        if key.startswith("item-") and person(value)
    }
    team_id = parse_id(post.get("team", ""))
    members = []
    if team_id:
        members = [u for u in successors.values() if u.team_id == team_id]
        members.sort(key=lambda u: (str(u), u.pk))
    return services.HandoverRule(
        strategy=post.get("strategy", services.Strategy.ONE),
        successor=person(post.get("successor", "")),
        by_territory=by_territory,
        team_members=members,
        overrides=overrides,
    )


@login_required
def handover_person(request, user_id: int):
    _require_manager(request.user)
    person = person_for_handover(user=request.user, pk=user_id)
    if person is None:
        raise Http404(_("No such person."))
    successors = {u.pk: u for u in successors_for_handover(user=request.user).exclude(pk=person.pk)}
    successors[request.user.pk] = request.user
    teams = Team.objects.filter(pk__in={u.team_id for u in successors.values() if u.team_id})
    items = services.handover_items(person=person)
    territories = sorted({item.territory for item in items if item.territory})
    plan = None
    rule = services.HandoverRule()
    if request.method == "POST":
        rule = _rule_from_post(request.POST, successors, teams)
        if request.POST.get("action") == "confirm":
            try:
                handover = services.handover_execute(by=request.user, person=person, rule=rule)
            except ValidationError as exc:
                for message in exc.messages[:20]:
                    messages.error(request, message)
            else:
                moved = sum(sum(c.values()) for c in handover.summary.values())
                messages.success(
                    request,
                    _("%(name)s was handed over: %(count)s items moved, account deactivated.")
                    % {"name": person, "count": moved},
                )
                return redirect("handover:index")
        plan = services.handover_plan(by=request.user, person=person, rule=rule)
    kinds = {kind.key: kind.label for kind in registry.kinds()}
    return render(
        request,
        "handover/person.html",
        {
            "person": person,
            "items": items,
            "kinds": kinds,
            "single_threads": single_threads_through(user=request.user, person=person),
            "successors": sorted(successors.values(), key=str),
            "teams": teams,
            "territories": territories,
            "rule": rule,
            "plan": plan,
            "unplaced": plan is not None and any(m.successor is None for m in plan),
            "post": request.POST,
        },
    )
