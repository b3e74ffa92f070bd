"""Playbooks: after each scoring, every active rule looks at the day's snapshots and opens its
tasks for the customers it matches, once per cooldown. A rule matches a snapshot at or above
its level, in one of its tiers, whose main cause is the rule's (or, for a rule naming a signal,
with that signal among its reasons): a minor service reason on a customer slipping for another
cause does not call for a service call."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tend.accounts.models import Role, User
from tend.customers.models import Customer
from tend.tasks.models import Task
from tend.tasks.services import create_tasks_bulk

from ..causes import RiskLevel
from ..models import AssigneeRole, HealthSnapshot, PlaybookFiring, PlaybookRule, PlaybookStep

LEVEL_RANK = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}
WORKDAY_START = time(9, 0)


def rule_matches(
    rule: PlaybookRule, *, tier: str, level: str, cause: str, reasons: list[dict]
) -> bool:
    return _matcher(rule)(tier, level, cause, reasons)


def _matcher(rule: PlaybookRule):
    """``rule_matches`` for one rule, its tiers parsed once (it runs on every snapshot at risk)."""
    lowest = LEVEL_RANK[rule.min_level]
    tiers = {t.strip().upper() for t in rule.tiers.split(",") if t.strip()}
    signal, wanted_cause = rule.signal, rule.cause

    def matches(tier: str, level: str, cause: str, reasons: list[dict]) -> bool:
        if LEVEL_RANK[level] < lowest:
            return False
        if tiers and tier.upper() not in tiers:
            return False
        if signal:
            return any(reason.get("code") == signal for reason in reasons)
        return cause == wanted_cause

    return matches


def _managers_by_team() -> dict[int | None, User]:
    """The first active manager of each team; under None, the first active admin."""
    found: dict[int | None, User] = {}
    for person in User.objects.filter(is_active=True, role__in=[Role.MANAGER, Role.ADMIN]):
        key = person.team_id if person.role == Role.MANAGER else None
        found.setdefault(key, person)
    return found


def _assignee(step: PlaybookStep, customer: Customer, managers) -> User | None:
    owner = customer.owner if customer.owner_id and customer.owner.is_active else None
    if step.assignee == AssigneeRole.OWNER:
        return owner
    if step.assignee == AssigneeRole.BACKUP:
        backup = customer.backup_owner
        return backup if backup is not None and backup.is_active else owner
    team = customer.owner.team_id if customer.owner_id else None
    return managers.get(team) or managers.get(None)


def _due(day: date, step: PlaybookStep, person: User) -> datetime:
    """09:00 in the assignee's time zone, ``due_in_days`` after the scoring day."""
    try:
        zone = ZoneInfo(person.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.combine(day + timedelta(days=step.due_in_days), WORKDAY_START, tzinfo=zone)


def run_playbooks(*, day: date, now: datetime | None = None) -> int:
    """Open the tasks the active rules call for on ``day``'s snapshots; returns how many."""
    now = now or timezone.now()
    rules = list(PlaybookRule.objects.filter(active=True).prefetch_related("steps"))
    if not rules:
        return 0
    lowest = min(LEVEL_RANK[rule.min_level] for rule in rules)
    levels = [level for level, rank in LEVEL_RANK.items() if rank >= lowest]
    candidates = HealthSnapshot.objects.filter(day=day, level__in=levels).values_list(
        "customer_id", "customer__tier", "level", "cause", "reasons", "value_at_risk"
    )
    matchers = [(rule.pk, _matcher(rule)) for rule in rules]
    matched: dict[int, list[int]] = defaultdict(list)
    value_at_risk: dict[int, object] = {}
    for customer_id, tier, level, cause, reasons, value in candidates.iterator(chunk_size=5000):
        value_at_risk[customer_id] = value
        for pk, matches in matchers:
            if matches(tier, level, cause, reasons):
                matched[pk].append(customer_id)
    if not matched:
        return 0
    recent = PlaybookFiring.objects.filter(
        rule_id__in=list(matched), at__gte=now - timedelta(days=max(r.cooldown_days for r in rules))
    ).values_list("rule_id", "customer_id", "at")
    cooldown = {rule.pk: timedelta(days=rule.cooldown_days) for rule in rules}
    fired_recently = {(r, c) for r, c, at in recent if at >= now - cooldown[r]}
    # Only the customers some rule is due to fire for: on most nights the rest are cooling down.
    due_customers = {c for pk, ids in matched.items() for c in ids if (pk, c) not in fired_recently}
    customers = Customer.objects.select_related("owner", "backup_owner").in_bulk(due_customers)
    managers = _managers_by_team()
    tasks, firings = [], []
    for rule in rules:
        due = [customers[c] for c in matched.get(rule.pk, []) if (rule.pk, c) not in fired_recently]
        groups = _by_owner(due, value_at_risk) if rule.per_owner else [[c] for c in due]
        for group in groups:
            lead = group[0]
            made = [
                _task(rule, step, group, person, day=day, now=now)
                for step in rule.steps.all()
                if (person := _assignee(step, lead, managers)) is not None
            ]
            tasks.extend(made)
            firings.extend(
                PlaybookFiring(rule=rule, customer=customer, at=now, tasks_created=len(made))
                for customer in group
            )
    with transaction.atomic():
        opened = create_tasks_bulk(tasks)
        PlaybookFiring.objects.bulk_create(firings, batch_size=2000)
    return opened


def _by_owner(customers: list[Customer], value_at_risk: dict) -> list[list[Customer]]:
    """Customers grouped by owner, each group led by its customer with the most value at risk."""
    groups: dict[int | None, list[Customer]] = defaultdict(list)
    for customer in customers:
        groups[customer.owner_id].append(customer)
    for group in groups.values():
        group.sort(key=lambda c: (-value_at_risk.get(c.pk, 0), c.pk))
    return list(groups.values())


def _task(rule, step, group: list[Customer], person, *, day, now) -> Task:
    """The step's task on the group's lead customer; for a group of several, the title counts
    them and the detail names them, and the task is deduplicated per owner."""
    lead = group[0]
    title, detail = step.title, rule.name
    key = f"playbook:{rule.pk}:{step.pk}:{lead.pk}"
    if rule.per_owner:
        owner = lead.owner if lead.owner_id else None
        key = f"playbook:{rule.pk}:{step.pk}:owner:{owner.pk if owner else 'pool'}"
        if len(group) > 1:
            title = _("%(title)s (%(count)d customers of %(owner)s)") % {
                "title": step.title,
                "count": len(group),
                "owner": owner or _("the pool"),
            }
            names = ", ".join(c.name for c in group[:20])
            more = len(group) - 20
            detail = f"{rule.name}: {names}" + (f" (+{more})" if more > 0 else "")
    return Task(
        customer=lead,
        assignee=person,
        kind=step.kind,
        title=title[:200],
        detail=detail,
        due_at=_due(day, step, person),
        origin="playbook",
        dedupe_key=key,
        created_at=now,
    )
