"""Working-hours arithmetic in a person's time zone. Pure: no Django, no database.

A response that arrives on Monday morning to an inquiry sent on Friday evening took almost no
working time; that is what a rep should be measured on. The same goes for a public holiday:
each function takes the days off as a weekend (weekdays) and ``holidays`` (any container of
dates, ``day in holidays``; ``agenda.local.customer_holidays`` gives a country's).
"""

import functools
from collections.abc import Container
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

NO_HOLIDAYS: frozenset[date] = frozenset()


@functools.lru_cache(maxsize=1024)
def zone_info(tz: str) -> ZoneInfo:
    """``ZoneInfo(tz)``, held: zoneinfo keeps only the last 8 zones it was asked for, so Today's
    cutoffs over ~90 customer zones read each zone's file from disk again on every call."""
    return ZoneInfo(tz)


def is_working_day(
    day: date,
    *,
    weekend: frozenset[int] = frozenset({5, 6}),
    holidays: Container[date] = NO_HOLIDAYS,
) -> bool:
    """Not a weekend day (Monday = 0) and not a holiday."""
    return day.weekday() not in weekend and day not in holidays


def _day_window(day: date, tz: ZoneInfo, start: int, end: int) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, time(start), tzinfo=tz),
        datetime.combine(day, time(end), tzinfo=tz),
    )


def working_hours_between(
    start: datetime,
    end: datetime,
    *,
    tz: str,
    day_start: int = 9,
    day_end: int = 18,
    weekend: frozenset[int] = frozenset({5, 6}),
    holidays: Container[date] = NO_HOLIDAYS,
) -> float:
    """Working hours from ``start`` to ``end`` (aware datetimes), counting only hours between
    ``day_start`` and ``day_end`` on days of ``tz`` that are neither ``weekend`` (Monday = 0)
    nor ``holidays``."""
    if end <= start:
        return 0.0
    zone = zone_info(tz)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    total = 0.0
    day = local_start.date()
    while day <= local_end.date():
        if is_working_day(day, weekend=weekend, holidays=holidays):
            open_at, close_at = _day_window(day, zone, day_start, day_end)
            lo, hi = max(open_at, local_start), min(close_at, local_end)
            if hi > lo:
                total += (hi - lo).total_seconds() / 3600
        day += timedelta(days=1)
    return round(total, 2)


def subtract_working_hours(
    moment: datetime,
    hours: float,
    *,
    tz: str,
    day_start: int = 9,
    day_end: int = 18,
    weekend: frozenset[int] = frozenset({5, 6}),
    holidays: Container[date] = NO_HOLIDAYS,
) -> datetime:
    """The latest instant T with ``working_hours_between(T, moment) == hours``: anything that
    arrived at or before T has waited at least ``hours`` working hours."""
    zone = zone_info(tz)
    local = moment.astimezone(zone)
    remaining = hours * 3600
    day = local.date()
    for _ in range(3660):
        if is_working_day(day, weekend=weekend, holidays=holidays):
            open_at, close_at = _day_window(day, zone, day_start, day_end)
            hi = min(close_at, local)
            if hi > open_at:
                available = (hi - open_at).total_seconds()
                if available >= remaining:
                    return hi - timedelta(seconds=remaining)
                remaining -= available
        day -= timedelta(days=1)
    raise ValueError("No working time in ten years: check the working hours setting.")


def add_working_days(
    moment: datetime,
    days: int,
    *,
    tz: str,
    weekend: frozenset[int] = frozenset({5, 6}),
    holidays: Container[date] = NO_HOLIDAYS,
) -> datetime:
    """The same local time ``days`` working days later (skipping weekend days and holidays)."""
    zone = zone_info(tz)
    local = moment.astimezone(zone)
    added = 0
    while added < days:
        local = local + timedelta(days=1)
        if is_working_day(local.date(), weekend=weekend, holidays=holidays):
            added += 1
    return local
