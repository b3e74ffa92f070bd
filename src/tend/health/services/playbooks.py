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
    if LEVEL_RANK[level] < LEVEL_RANK[rule.min_level]:
        return False
    tiers = {t.strip().upper() for t in rule.tiers.split(",") if t.strip()}
    if tiers and tier.upper() not in tiers:
        return False
    if rule.signal:
        return any(reason.get("code") == rule.signal for reason in reasons)
    return cause == rule.cause


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
        "customer_id", "customer__tier", "level", "cause", "reasons"
    )
    matched: dict[int, list[int]] = defaultdict(list)
    for customer_id, tier, level, cause, reasons in candidates.iterator(chunk_size=5000):
        for rule in rules:
            if rule_matches(rule, tier=tier, level=level, cause=cause, reasons=reasons):
                matched[rule.pk].append(customer_id)
    if not matched:
        return 0
    recent = PlaybookFiring.objects.filter(
        rule_id__in=list(matched), at__gte=now - timedelta(days=max(r.cooldown_days for r in rules))
    ).values_list("rule_id", "customer_id", "at")
    cooldown = {rule.pk: timedelta(days=rule.cooldown_days) for rule in rules}
    fired_recently = {(r, c) for r, c, at in recent if at >= now - cooldown[r]}
    all_customers = {c for ids in matched.values() for c in ids}
    customers = Customer.objects.select_related("owner", "backup_owner").in_bulk(all_customers)
    managers = _managers_by_team()
    tasks, firings = [], []
    for rule in rules:
        for customer_id in matched.get(rule.pk, []):
            if (rule.pk, customer_id) in fired_recently:
                continue
            customer = customers[customer_id]
            made = [
                _task(rule, step, customer, person, day=day, now=now)
                for step in rule.steps.all()
                if (person := _assignee(step, customer, managers)) is not None
            ]
            tasks.extend(made)
            firings.append(
                PlaybookFiring(rule=rule, customer=customer, at=now, tasks_created=len(made))
            )
    with transaction.atomic():
        opened = create_tasks_bulk(tasks)
        PlaybookFiring.objects.bulk_create(firings, batch_size=2000)
    return opened


def _task(rule, step, customer, person, *, day, now) -> Task:
    return Task(
        customer=customer,
        assignee=person,
        kind=step.kind,
        title=step.title,
        detail=rule.name,
        due_at=_due(day, step, person),
        origin="playbook",
        dedupe_key=f"playbook:{rule.pk}:{step.pk}:{customer.pk}",
        created_at=now,
    )
