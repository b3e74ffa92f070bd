"""Health snapshots written directly, for tests of what is shown: exact numbers, no scoring."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

from tend.health import risk as risk_math
from tend.health.models import HealthSnapshot, ScoreRun

DAY = date(2026, 6, 1)

RHYTHM = {
    "code": "rhythm_break",
    "cause": "rhythm",
    "weight": 0.5,
    "params": {"days": 200, "gap": 30},
}
PROMISES = {"code": "broken_promises", "cause": "service", "weight": 0.3, "params": {"count": 2}}
SINGLE = {
    "code": "single_threaded",
    "cause": "people",
    "weight": 0.1,
    "params": {"person": "Alice Tester", "contacts": 1},
}
RHYTHM_TEXT = "No order for 200 days; usually orders every 30 days"
PROMISES_TEXT = "2 promises to them broken in the last 90 days"
SINGLE_TEXT = "Only Alice Tester has ever been in contact with them (1 of their contacts)"


def level_of(risk: float) -> str:
    if risk >= risk_math.HIGH:
        return "high"
    return "medium" if risk >= risk_math.MEDIUM else "low"


def snapshot(
    customer,
    *,
    risk: float,
    annual: int = 10_000,
    day: date = DAY,
    cause=None,
    reasons=None,
    **extra,
) -> HealthSnapshot:
    """A snapshot whose value at risk is risk x annual, its level from the thresholds, and its
    cause from its first reason."""
    reasons = [RHYTHM] if reasons is None else reasons
    if cause is None:
        cause = reasons[0]["cause"] if reasons else ""
    return HealthSnapshot.objects.create(
        customer=customer,
        day=day,
        risk=risk,
        level=level_of(risk),
        cause=cause,
        value_at_risk=(Decimal(str(risk)) * annual).quantize(Decimal("0.01")),
        annual_value=Decimal(annual),
        reasons=reasons,
        **extra,
    )


def score_run(day: date = DAY, customers: int = 4) -> ScoreRun:
    started = datetime.combine(day, time(2, 0), tzinfo=UTC)
    return ScoreRun.objects.create(
        day=day,
        started_at=started,
        finished_at=started.replace(minute=1),
        customers=customers,
        parameters={"levels": {"high": 2, "medium": 1, "low": 1}, "tasks_opened": 3},
        timings={"read_orders": 0.5, "fit": 1.25, "write": 0.25},
    )
