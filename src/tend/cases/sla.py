"""SLA targets and the stored clock figures of a case: the database side of ``clock``."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings

from tend.agenda.local import customer_weekend, holiday_dates

from . import clock
from .models import END_STATUSES, OPEN_STATUSES, PAUSE_STATUSES, Case, CaseEvent, SlaPolicy

# What an exporter promises out of the box (working hours; a working day is 9 hours):
# an A customer hears back within the morning on a critical case, a C customer within a week
# on a minor one. Admins change them under Settings → SLA policies.
DEFAULT_POLICIES: dict[tuple[str, str], tuple[int, int]] = {
    ("A", "critical"): (2, 18),
    ("A", "high"): (4, 27),
    ("A", "medium"): (8, 45),
    ("A", "low"): (16, 90),
    ("B", "critical"): (4, 27),
    ("B", "high"): (8, 45),
    ("B", "medium"): (16, 72),
    ("B", "low"): (24, 135),
    ("C", "critical"): (8, 45),
    ("C", "high"): (16, 72),
    ("C", "medium"): (24, 108),
    ("C", "low"): (40, 180),
}


def targets(*, tier: str, severity: str) -> tuple[Decimal, Decimal]:
    """(first response, resolution) in working hours for a tier and severity."""
    policy = SlaPolicy.objects.filter(tier=tier, severity=severity).first()
    if policy is not None:
        return policy.response_hours, policy.resolution_hours
    response, resolution = DEFAULT_POLICIES.get((tier, severity), (24, 108))
    return Decimal(response), Decimal(resolution)


def calendar_for(*, country: str, time_zone: str, years: range) -> clock.WorkCalendar:
    """The customer's working calendar: zone, week, public holidays over ``years``."""
    days: set[date] = set()
    for year in years:
        days |= holiday_dates(country, year)
    return clock.WorkCalendar(
        tz=time_zone or "UTC",
        weekend=customer_weekend(country),
        holidays=frozenset(days),
        day_start=settings.TEND_WORKDAY_START,
        day_end=settings.TEND_WORKDAY_END,
    )


def case_calendar(case: Case, now: datetime) -> clock.WorkCalendar:
    customer = case.customer
    first = min(case.opened_at, now).year
    return calendar_for(
        country=customer.country, time_zone=customer.time_zone, years=range(first, now.year + 2)
    )


def clock_events(events) -> list[clock.ClockEvent]:
    return [
        clock.ClockEvent(
            id=e.pk,
            at=e.at,
            kind=e.kind,
            to_status=e.to_status,
            corrects=e.corrects_id,
            void=bool((e.data or {}).get("void")),
        )
        for e in events
    ]


def case_clock(case: Case, *, now: datetime, events=None) -> clock.ClockResult:
    if events is None:
        events = CaseEvent.objects.filter(case=case).only(
            "id", "at", "kind", "to_status", "corrects_id", "data"
        )
    return clock.sla_clock(
        clock_events(events),
        now=now,
        calendar=case_calendar(case, now),
        pause=PAUSE_STATUSES,
        end=END_STATUSES,
    )


SLA_FIELDS = [
    "opened_at",
    "first_response_at",
    "sla_response_due_at",
    "sla_resolution_due_at",
    "sla_used_pct",
    "sla_response_met",
    "sla_resolution_met",
    "sla_resolution_working_hours",
    "sla_breached_at",
    "sla_check_at",
]

# Percent of the resolution time at which the SLA watch warns (50, 75) and escalates (100).
WATCH_LEVELS = (50, 75, 100)


def apply_clock(case: Case, *, now: datetime, events=None) -> clock.ClockResult:
    """Recompute the case's stored SLA figures from its log (not saved: callers save
    ``SLA_FIELDS``)."""
    result = case_clock(case, now=now, events=events)
    calendar = case_calendar(case, now)
    response_target = float(case.sla_response_hours)
    resolution_target = float(case.sla_resolution_hours)
    if result.opened_at is not None:
        case.opened_at = result.opened_at
        case.sla_response_due_at = calendar.add_hours(result.opened_at, response_target)
    case.first_response_at = result.first_response_at
    if result.first_response_at is not None:
        case.sla_response_met = result.response_hours <= response_target
    elif result.response_hours > response_target:
        case.sla_response_met = False
    else:
        case.sla_response_met = None
    used = result.resolution_hours
    case.sla_resolution_working_hours = Decimal(str(round(used, 2)))
    case.sla_used_pct = min(int(used * 100 / resolution_target), 999) if resolution_target else 0
    breached = used > resolution_target
    # When the clock passed its target, from the log: the same whenever the figures are
    # computed, and a correction moves it (or undoes the breach).
    crossed = clock.crossed_at(result, target_hours=resolution_target, calendar=calendar)
    case.sla_breached_at = (crossed or now) if breached else None
    if result.running:
        remaining = resolution_target - used
        if remaining > 0:
            case.sla_resolution_due_at = calendar.add_hours(now, remaining)
        else:
            case.sla_resolution_due_at = case.sla_breached_at
    else:
        case.sla_resolution_due_at = None
    if result.ended_at is not None and not result.running:
        case.sla_resolution_met = not breached
    elif breached:
        case.sla_resolution_met = False
    else:
        case.sla_resolution_met = None
    # Something happened to the case (an event, a hand-off, a correction): the SLA watch looks
    # at it on its next run, which then schedules the next look (``next_check_at``).
    case.sla_check_at = now if case.status in OPEN_STATUSES else None
    return result


def next_check_at(case: Case, result: clock.ClockResult, *, now: datetime) -> datetime | None:
    """The first instant at which the case's clocks can cross a level the watch acts on and
    has not reached yet: the first response's target, then 50 %, 75 % and 100 % of the
    resolution time. None while nothing can happen without a new event (the clock paused or
    ended, every level passed): then only an event brings the case back to the watch."""
    if case.status not in OPEN_STATUSES:
        return None
    crossings = []
    if case.first_response_at is None and case.sla_response_met is None:
        due = case.sla_response_due_at
        crossings.append(due + timedelta(seconds=1) if due is not None else None)
    if result.running:
        target = float(case.sla_resolution_hours)
        for level in WATCH_LEVELS:
            reached = (
                case.sla_breached_at is not None if level == 100 else case.sla_used_pct >= level
            )
            if not reached:
                # A second past the level, so that the figures computed then are past it too.
                remaining = target * level / 100 - result.resolution_hours + 1 / 3600
                crossings.append(case_calendar(case, now).add_hours(now, max(remaining, 0)))
                break
    crossings = [moment for moment in crossings if moment is not None]
    return min(crossings) if crossings else None
