"""Customer health in the REST API: the at-risk list, one customer's health and its history, the
playbooks and the score runs. Thin: resolve the customer through the user's view of the book,
call the selectors, shape the output."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tend.api.schemas import Id, PageQuery, errors
from tend.customers.selectors import customer_get_for_user

from .causes import Cause, RiskLevel
from .models import HealthSnapshot, PlaybookRule, PlaybookStep, ScoreRun
from .selectors import risk as selectors
from .signals import reason_text

router = Router(tags=["health"])


class HealthReasonOut(Schema):
    code: str = Field(description="The signal that fired, e.g. rhythm_break.")
    cause: str = Field(description="The cause of loss it points to (seed 004).")
    weight: float = Field(description="How strongly it alone says the customer is slipping.")
    text: str = Field(description="The reason in plain words, in the reader's language.")
    params: dict[str, Any] = Field(description="The numbers the text is made of.")


def _reasons(snapshot: HealthSnapshot) -> list[dict]:
    return [
        {
            "code": reason.get("code", ""),
            "cause": reason.get("cause", ""),
            "weight": reason.get("weight", 0.0),
            "text": reason_text(reason),
            "params": reason.get("params") or {},
        }
        for reason in snapshot.reasons or []
    ]


class AtRiskOut(Schema):
    customer_id: int
    customer_name: str
    country: str
    tier: str
    owner_id: int | None
    owner_name: str | None
    day: date
    level: str
    risk: float = Field(description="0 to 1.")
    cause: str = Field(description="The main cause; empty when no signal fired.")
    value_at_risk: Decimal = Field(description="Risk x annual value, in the base currency.")
    annual_value: Decimal = Field(description="The larger of the last two 12-month revenues.")
    reasons: list[HealthReasonOut] = Field(description="Strongest first.")

    @staticmethod
    def resolve_customer_name(obj: HealthSnapshot) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_country(obj: HealthSnapshot) -> str:
        return obj.customer.country

    @staticmethod
    def resolve_tier(obj: HealthSnapshot) -> str:
        return obj.customer.tier

    @staticmethod
    def resolve_owner_id(obj: HealthSnapshot) -> int | None:
        return obj.customer.owner_id

    @staticmethod
    def resolve_owner_name(obj: HealthSnapshot) -> str | None:
        return str(obj.customer.owner) if obj.customer.owner_id else None

    @staticmethod
    def resolve_reasons(obj: HealthSnapshot) -> list[dict]:
        return _reasons(obj)


class AtRiskPage(Schema):
    count: int
    page: int
    page_size: int
    day: date | None = Field(description="The scored day listed; empty before the first scoring.")
    currency: str = Field(description="The base currency of every amount.")
    results: list[AtRiskOut]


class AtRiskQuery(PageQuery):
    team_id: Id | None = Field(None, description="The owner's team.")
    owner_id: Id | None = None
    pool: bool = Field(False, description="Only customers with no owner.")
    country: str = Field("", description="ISO 3166 alpha-2 code.")
    tier: str = Field("", pattern="^[ABC]?$")
    cause: Cause | None = Field(None, description="The main cause.")
    level: RiskLevel | None = Field(None, description="One level; default high and medium.")
    all_levels: bool = Field(False, description="Every level, low included.")


class HealthOut(Schema):
    customer_id: int
    day: date
    level: str
    risk: float
    cause: str
    value_at_risk: Decimal
    annual_value: Decimal
    currency: str
    p_alive: float | None = Field(description="Probability the customer is still buying.")
    expected_orders_12m: float | None
    expected_value_12m: Decimal | None
    clv_36m: Decimal | None = Field(description="Expected value over 36 months.")
    days_since_last_order: int | None
    usual_gap_days: float | None
    revenue_12m: Decimal
    revenue_prev_12m: Decimal
    reasons: list[HealthReasonOut]

    @staticmethod
    def resolve_currency(obj: HealthSnapshot) -> str:
        return settings.TEND_BASE_CURRENCY

    @staticmethod
    def resolve_reasons(obj: HealthSnapshot) -> list[dict]:
        return _reasons(obj)


class HistoryPointOut(Schema):
    day: date
    risk: float
    level: str
    value_at_risk: Decimal


class HistoryQuery(Schema):
    days: int = Field(selectors.HISTORY_DAYS, ge=1, le=730, description="Up to the latest score.")


class PlaybookStepOut(Schema):
    kind: str = Field(description="The task's kind.")
    assignee: str = Field(description="owner, manager or backup.")
    due_in_days: int
    title: str


class PlaybookOut(Schema):
    id: int
    name: str
    cause: str
    signal: str = Field(description="Only this signal; empty: the customer's main cause.")
    min_level: str
    tiers: str = Field(description="e.g. A or A,B; empty: every tier.")
    cooldown_days: int
    per_owner: bool = Field(description="One task per owner for all their matching customers.")
    active: bool
    steps: list[PlaybookStepOut]

    @staticmethod
    def resolve_steps(obj: PlaybookRule) -> list[PlaybookStep]:
        return list(obj.steps.all())


class ScoreRunOut(Schema):
    id: int
    day: date
    started_at: datetime
    finished_at: datetime | None
    customers: int
    levels: dict[str, int] = Field(description="Customers at each level.")
    tasks_opened: int | None = Field(description="By the playbooks.")
    timings: dict[str, float] = Field(description="Seconds per step.")
    parameters: dict[str, Any] = Field(description="The fitted buying-model parameters.")

    @staticmethod
    def resolve_levels(obj: ScoreRun) -> dict[str, int]:
        return obj.parameters.get("levels", {})

    @staticmethod
    def resolve_tasks_opened(obj: ScoreRun) -> int | None:
        return obj.parameters.get("tasks_opened")


class RunsQuery(Schema):
    limit: int = Field(20, ge=1, le=365)


@router.get(
    "/health/at-risk",
    response={200: AtRiskPage, **errors(422)},
    summary="Customers at risk you may see on the latest scored day, by value at risk",
)
def list_at_risk(request, query: Query[AtRiskQuery]):
    if query.all_levels:
        levels: tuple[str, ...] = ()
    elif query.level:
        levels = (query.level.value,)
    else:
        levels = selectors.AT_RISK_LEVELS
    filters = selectors.AtRiskFilters(
        team=query.team_id,
        owner="pool" if query.pool else str(query.owner_id or ""),
        country=query.country,
        tier=query.tier,
        cause=query.cause.value if query.cause else "",
        levels=levels,
    )
    day = selectors.latest_score_day()
    queryset = selectors.at_risk_list(user=request.user, filters=filters, day=day)
    offset = (query.page - 1) * query.page_size
    return {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "day": day,
        "currency": settings.TEND_BASE_CURRENCY,
        "results": list(queryset[offset : offset + query.page_size]),
    }


@router.get(
    "/customers/{customer_id}/health",
    response={200: HealthOut, **errors(404, 422)},
    summary="A customer's latest health: risk, level, value at risk, forecast and reasons",
)
def customer_health(request, customer_id: int):
    customer = customer_get_for_user(user=request.user, pk=customer_id)
    snapshot = selectors.customer_latest_snapshot(customer=customer)
    if snapshot is None:
        return Status(404, {"message": "Not scored yet."})
    return snapshot


@router.get(
    "/customers/{customer_id}/health/history",
    response={200: list[HistoryPointOut], **errors(404, 422)},
    summary="A customer's risk day by day, oldest first, up to its latest score",
)
def customer_health_history(request, customer_id: int, query: Query[HistoryQuery]):
    customer = customer_get_for_user(user=request.user, pk=customer_id)
    history = selectors.customer_history(customer=customer, days=query.days)
    return list(history.only("day", "risk", "level", "value_at_risk"))


@router.get(
    "/health/playbooks",
    response={200: list[PlaybookOut], **errors()},
    summary="Playbook rules and their steps (read-only; admins edit them in Settings)",
)
def list_playbooks(request):
    return list(selectors.playbook_rules())


@router.get(
    "/health/runs",
    response={200: list[ScoreRunOut], **errors(403, 422)},
    summary="The latest scorings of the book (managers and admins: they count the whole book)",
)
def list_runs(request, query: Query[RunsQuery]):
    if request.user.is_rep:
        raise PermissionDenied(_("Score runs describe the whole book: managers and admins only."))
    return list(selectors.score_runs(limit=query.limit))
