"""Reads about cases, scoped by the user: a case is visible through its customer (the customer
rule), to its owner, and to the manager of its owner's team. Anything else is a 404."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from tend.accounts.models import User
from tend.customers.selectors import customers_visible_to

from .models import OPEN_STATUSES, Case, CaseEvent, CaseStatus


def cases_visible_to(*, user: User) -> QuerySet[Case]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.is_admin:
        return Case.objects.all()
    rule = Q(customer__in=customers_visible_to(user=user)) | Q(owner=user)
    if user.is_manager and user.team_id:
        rule |= Q(owner__in=User.objects.filter(team_id=user.team_id).values("pk"))
    return Case.objects.filter(rule)


def case_get_for_user(*, user: User, pk) -> Case:
    try:
        return (
            cases_visible_to(user=user)
            .select_related(
                "customer",
                "customer__owner",
                "owner",
                "owner__team",
                "raised_by",
                "approval_request",
                "escalated_to",
            )
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case.") from None


def may_act(*, case: Case, user: User) -> bool:
    """Who may move a case (status, hand-off, resolution): its owner; otherwise a manager or
    admin who can see it. A rep acts only on the cases they own."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if case.owner_id == user.pk:
        return True
    if user.is_rep:
        return False
    return cases_visible_to(user=user).filter(pk=case.pk).exists()


@dataclass(frozen=True)
class CaseFilters:
    status: str = "open"  # "open", "all" or one status
    mine: bool = False
    category: str = ""
    severity: str = ""
    breached: bool = False
    customer_id: int | None = None


def case_queue(*, user: User, filters: CaseFilters) -> QuerySet[Case]:
    """The case queue: nearest to breach first (share of the resolution time used), then the
    oldest."""
    queryset = cases_visible_to(user=user)
    if filters.status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.status in CaseStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.mine:
        queryset = queryset.filter(owner=user)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.breached:
        queryset = queryset.filter(sla_breached_at__isnull=False)
    if filters.customer_id is not None:
        queryset = queryset.filter(customer_id=filters.customer_id)
    return queryset.select_related("customer", "owner", "owner__team").order_by(
        "-sla_used_pct", "opened_at", "id"
    )


def case_page(queryset: QuerySet[Case], number, size: int = 50):
    """A page of an ordered case list: the sort runs over narrow rows (ids and sort keys, an
    index), then only the page's cases are read with their customer and owner."""
    from django.core.paginator import Paginator

    page = Paginator(queryset.values_list("pk", flat=True), size).get_page(number)
    ids = list(page.object_list)
    found = Case.objects.select_related("customer", "owner", "owner__team").in_bulk(ids)
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def cases_near_breach(*, user: User) -> QuerySet[Case]:
    """The person's own open cases and those escalated to them, nearest to breach first."""
    return (
        Case.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(owner=user) | Q(escalated_to=user))
        .select_related("customer", "owner")
        .order_by("-sla_used_pct", "opened_at", "id")
    )


def case_history(*, case: Case) -> list[CaseEvent]:
    """Every event, in order, with the people named; a hand-off to someone who had held the
    case before is marked as passed back."""
    return list(
        case.events.select_related("actor", "from_owner", "to_owner", "corrects").order_by(
            "at", "id"
        )
    )


def cases_of_customer(*, customer_id: int, limit: int = 10) -> list[Case]:
    return list(
        Case.objects.filter(customer_id=customer_id)
        .select_related("owner")
        .order_by("-opened_at", "-id")[:limit]
    )


# --- for other apps (reports, voice, health): one definition each ---


def customers_with_open_cases() -> QuerySet:
    """Ids of customers with an open case (new, in progress or waiting on them)."""
    return Case.objects.filter(status__in=OPEN_STATUSES).values("customer_id").distinct()


@dataclass(frozen=True)
class SlaOutcome:
    case_id: int
    customer_id: int
    first_response_met: bool | None  # None: no response yet and not yet late
    resolution_met: bool | None  # None: still running within target
    resolution_working_hours: float


def case_sla_outcomes(*, cases: QuerySet[Case] | None = None) -> list[SlaOutcome]:
    """Per case: first response on time?, resolution on time?, working hours to resolution
    (so far while open) — the figures the clock stored from the event log."""
    queryset = Case.objects.all() if cases is None else cases
    rows = queryset.values_list(
        "pk",
        "customer_id",
        "sla_response_met",
        "sla_resolution_met",
        "sla_resolution_working_hours",
    )
    return [
        SlaOutcome(pk, customer, response, resolution, float(hours))
        for pk, customer, response, resolution, hours in rows.order_by("pk")
    ]


def complaint_history(*, customer_id: int, since: datetime | None = None) -> dict:
    """What an approver sees beside concessions: cases by category, open ones, unsatisfied
    closures, the latest few."""
    from django.db.models import Count

    queryset = Case.objects.filter(customer_id=customer_id)
    if since is not None:
        queryset = queryset.filter(opened_at__gte=since)
    by_category = dict(
        queryset.values_list("category").annotate(n=Count("pk")).order_by("category")
    )
    return {
        "total": sum(by_category.values()),
        "by_category": by_category,
        "open": queryset.filter(status__in=OPEN_STATUSES).count(),
        "unsatisfied": queryset.filter(customer_satisfied=False).count(),
        "latest": list(queryset.select_related("owner").order_by("-opened_at", "-id")[:5]),
    }


def case_sla_by_tier(*, customers, start: datetime, end: datetime) -> dict[str, dict]:
    """The stored SLA figures of ``case_sla_outcomes`` summed per customer tier, in one query:

    - ``decided`` / ``met``: cases opened in [start, end) whose resolution clock is decided
      (resolved, or already late while open); met = resolved on time with no late first
      response;
    - ``resolved`` / ``hours`` / ``hours_sq``: cases resolved in [start, end) and their working
      hours to resolution (sum and sum of squares)."""
    from django.db.models import Count, F, FloatField, Sum
    from django.db.models.functions import Cast

    opened = Q(opened_at__gte=start, opened_at__lt=end, sla_resolution_met__isnull=False)
    met = opened & Q(sla_resolution_met=True) & ~Q(sla_response_met=False)
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end)
    hours = Cast("sla_resolution_working_hours", FloatField())
    rows = (
        Case.objects.filter(customer__in=customers)
        .filter(opened | resolved)
        .values(tier=F("customer__tier"))
        .annotate(
            decided=Count("pk", filter=opened),
            met=Count("pk", filter=met),
            resolved=Count("pk", filter=resolved),
            hours=Sum(hours, filter=resolved),
            hours_sq=Sum(hours * hours, filter=resolved),
        )
        .order_by()
    )
    return {row.pop("tier"): row for row in rows}
