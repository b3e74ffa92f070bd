"""The SLA clock, computed from a case's event log. Pure: no Django, no database.

Working time is the customer's: their zone, their week and their country's public holidays
(``agenda.local``), between the working day's hours, counted by ``engagement.workhours``. The
clock runs while the case is open, pauses while we wait on the customer, and stops at resolution
(a reopened case runs on).
A correction moves an event to its right time; the clock is simply computed again."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from tend.engagement.workhours import is_working_day, working_hours_between, zone_info


@dataclass(frozen=True)
class WorkCalendar:
    tz: str
    weekend: frozenset[int] = frozenset({5, 6})
    holidays: frozenset[date] = frozenset()
    day_start: int = 9
    day_end: int = 18

    def hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours from ``start`` to ``end``: ``workhours.working_hours_between`` on the
        customer's week and public holidays."""
        if end <= start:
            return 0.0
        total = working_hours_between(
            start,
            end,
            tz=self.tz,
            day_start=self.day_start,
            day_end=self.day_end,
            weekend=self.weekend,
            holidays=self.holidays,
        )
        return round(max(total, 0.0), 4)

    def add_hours(self, moment: datetime, hours: float) -> datetime:
        """The instant ``hours`` working hours after ``moment``."""
        zone = zone_info(self.tz)
        local = moment.astimezone(zone)
        remaining = hours * 3600
        day = local.date()
        for _ in range(3660):
            if is_working_day(day, weekend=self.weekend, holidays=self.holidays):
                open_at = datetime.combine(day, time(self.day_start), tzinfo=zone)
                close_at = datetime.combine(day, time(self.day_end), tzinfo=zone)
                lo = max(open_at, local)
                if close_at > lo:
                    available = (close_at - lo).total_seconds()
                    if available >= remaining:
                        return lo + timedelta(seconds=remaining)
                    remaining -= available
            day += timedelta(days=1)
        raise ValueError("No working time in ten years: check the working hours setting.")


@dataclass(frozen=True)
class ClockEvent:
    id: int
    at: datetime
    kind: str  # "opened", "status", "response", "correction", ...
    to_status: str = ""
    corrects: int | None = None  # for a correction: the event it moves to ``at``
    void: bool = False  # a correction may strike an event out instead


@dataclass
class ClockResult:
    opened_at: datetime | None = None
    first_response_at: datetime | None = None
    response_hours: float = 0.0  # working hours to the first response (or so far)
    resolution_hours: float = 0.0  # working hours the clock has run (to the end, or so far)
    running: bool = False
    paused: bool = False
    ended_at: datetime | None = None
    intervals: list[tuple[datetime, datetime | None]] = field(default_factory=list)


def effective_events(events: Iterable[ClockEvent]) -> list[ClockEvent]:
    """Apply corrections (the latest one for an event wins) and order by time."""
    events = list(events)
    latest: dict[int, ClockEvent] = {}
    for event in sorted(events, key=lambda e: e.id):
        if event.kind == "correction" and event.corrects is not None:
            latest[event.corrects] = event
    out = []
    for event in events:
        if event.kind == "correction":
            continue
        fix = latest.get(event.id)
        if fix is not None:
            if fix.void:
                continue
            event = ClockEvent(event.id, fix.at, event.kind, event.to_status)
        out.append(event)
    return sorted(out, key=lambda e: (e.at, e.id))


def sla_clock(
    events: Iterable[ClockEvent],
    *,
    now: datetime,
    calendar: WorkCalendar,
    pause: frozenset[str],
    end: frozenset[str],
) -> ClockResult:
    """Where the case's two clocks stand at ``now``."""
    ordered = [e for e in effective_events(events) if e.at <= now]
    result = ClockResult()
    if not ordered:
        return result
    opened = next((e for e in ordered if e.kind == "opened"), ordered[0])
    result.opened_at = opened.at
    status = opened.to_status or "new"
    running_since: datetime | None = None if (status in pause or status in end) else opened.at
    for event in ordered:
        if event.at < opened.at:
            continue
        if event.kind == "response" and result.first_response_at is None:
            result.first_response_at = event.at
        if event.kind != "status" or not event.to_status:
            continue
        status = event.to_status
        runs = status not in pause and status not in end
        if running_since is not None and not runs:
            result.intervals.append((running_since, event.at))
            running_since = None
        elif running_since is None and runs:
            running_since = event.at
        if status in end:
            result.ended_at = event.at
        elif runs:
            result.ended_at = None
    if running_since is not None:
        result.intervals.append((running_since, None))
        result.running = True
    result.paused = status in pause
    result.resolution_hours = round(
        sum(calendar.hours_between(a, b or now) for a, b in result.intervals), 2
    )
    response_end = result.first_response_at or now
    result.response_hours = round(calendar.hours_between(opened.at, response_end), 2)
    return result


def crossed_at(result: ClockResult, *, target_hours: float, calendar: WorkCalendar):
    """The instant the resolution clock reached ``target_hours`` of working time, found from
    its running intervals; None if it has not (yet). This is when a case breached, whenever
    the figures are computed, and it moves with a correction of the log."""
    if result.resolution_hours <= target_hours:
        return None
    spent = 0.0
    for start, end in result.intervals:
        if end is None:
            return calendar.add_hours(start, target_hours - spent)
        hours = calendar.hours_between(start, end)
        if spent + hours >= target_hours:
            return calendar.add_hours(start, target_hours - spent)
        spent += hours
    return None
