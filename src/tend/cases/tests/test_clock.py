"""The SLA clock without a database: working hours of the customer's country on both sides of
the date line, pauses, the end, corrections."""

from datetime import UTC, datetime, timedelta

from tend.cases.clock import ClockEvent, WorkCalendar, crossed_at, sla_clock
from tend.cases.sla import calendar_for

PAUSE = frozenset({"waiting_customer"})
END = frozenset({"resolved", "closed"})


def run(events, now, calendar):
    return sla_clock(events, now=now, calendar=calendar, pause=PAUSE, end=END)


def test_auckland_skips_christmas_boxing_day_observed_and_the_weekend():
    # New Zealand (UTC+13 in December): Fri 25 Christmas, Sat 26 Boxing Day, observed Mon 28.
    calendar = calendar_for(country="NZ", time_zone="Pacific/Auckland", years=range(2026, 2028))
    opened = datetime(2026, 12, 24, 4, 0, tzinfo=UTC)  # Thu 24 Dec 17:00 in Auckland
    now = datetime(2026, 12, 29, 0, 0, tzinfo=UTC)  # Tue 29 Dec 13:00 in Auckland
    result = run([ClockEvent(1, opened, "opened", "new")], now, calendar)
    assert result.resolution_hours == 1 + 4  # Thu 17-18, then Tue 9-13
    assert calendar.add_hours(opened, 1.5) == datetime(2026, 12, 28, 20, 30, tzinfo=UTC)


def test_honolulu_on_the_other_side_of_the_date_line():
    # Hawaii (UTC-10), US holidays: Fri 25 December 2026.
    calendar = calendar_for(country="US", time_zone="Pacific/Honolulu", years=range(2026, 2028))
    opened = datetime(2026, 12, 24, 19, 0, tzinfo=UTC)  # Thu 24 Dec 09:00 local
    now = datetime(2026, 12, 28, 23, 0, tzinfo=UTC)  # Mon 28 Dec 13:00 local
    result = run([ClockEvent(1, opened, "opened", "new")], now, calendar)
    assert result.resolution_hours == 9 + 4


def test_pauses_end_and_reopen():
    calendar = WorkCalendar(tz="UTC")
    start = datetime(2026, 11, 30, 9, tzinfo=UTC)  # a Monday
    events = [
        ClockEvent(1, start, "opened", "new"),
        ClockEvent(2, start + timedelta(hours=2), "status", "waiting_customer"),
        ClockEvent(3, start + timedelta(hours=5), "status", "in_progress"),
        ClockEvent(4, start + timedelta(hours=6), "status", "resolved"),
        ClockEvent(5, start + timedelta(hours=7), "status", "in_progress"),
    ]
    now = start + timedelta(hours=8)
    result = run(events, now, calendar)
    assert result.resolution_hours == 2 + 1 + 1
    assert result.running and not result.paused
    assert run(events[:4], now, calendar).ended_at == start + timedelta(hours=6)
    assert run(events[:2], now, calendar).paused is True


def test_a_correction_moves_or_strikes_out_an_event_and_the_clock_follows():
    calendar = WorkCalendar(tz="UTC")
    start = datetime(2026, 11, 30, 9, tzinfo=UTC)
    events = [
        ClockEvent(1, start, "opened", "new"),
        ClockEvent(2, start + timedelta(hours=4), "response"),
        ClockEvent(3, start + timedelta(hours=6), "status", "resolved"),
    ]
    now = start + timedelta(hours=8)
    assert run(events, now, calendar).response_hours == 4
    moved = [*events, ClockEvent(4, start + timedelta(hours=1), "correction", corrects=2)]
    assert run(moved, now, calendar).response_hours == 1
    struck = [*events, ClockEvent(4, start, "correction", corrects=3, void=True)]
    result = run(struck, now, calendar)
    assert (result.resolution_hours, result.running) == (8, True)


def test_a_breach_is_dated_when_the_clock_passed_its_target_not_when_it_was_computed():
    calendar = WorkCalendar(tz="UTC")
    start = datetime(2026, 11, 30, 9, tzinfo=UTC)  # a Monday
    events = [
        ClockEvent(1, start, "opened", "new"),
        ClockEvent(2, start + timedelta(hours=2), "status", "waiting_customer"),
        ClockEvent(3, start + timedelta(hours=4), "status", "in_progress"),
    ]
    # Target 5 working hours: 2 before the pause, 3 more from 13:00 → 16:00 on Monday.
    breach = datetime(2026, 11, 30, 16, tzinfo=UTC)
    for now in (breach + timedelta(minutes=1), breach + timedelta(days=3)):
        result = run(events, now, calendar)
        assert crossed_at(result, target_hours=5, calendar=calendar) == breach
    # Not yet past the target: no breach moment.
    early = run(events, breach - timedelta(minutes=1), calendar)
    assert crossed_at(early, target_hours=5, calendar=calendar) is None
    # Over a weekend: 9 working hours from Friday 15:00 reach Monday 15:00.
    friday = datetime(2026, 12, 4, 15, tzinfo=UTC)
    result = run([ClockEvent(1, friday, "opened", "new")], friday + timedelta(days=5), calendar)
    assert crossed_at(result, target_hours=9, calendar=calendar) == datetime(
        2026, 12, 7, 15, tzinfo=UTC
    )


def test_a_case_and_an_inquiry_count_the_same_working_hours_over_a_holiday():
    # One definition of the customer's working day: the SLA clock and an inquiry's response
    # time agree, here over New Zealand's Christmas and the observed Boxing Day.
    from tend.engagement.services import customer_working_hours

    calendar = calendar_for(country="NZ", time_zone="Pacific/Auckland", years=range(2026, 2028))
    start = datetime(2026, 12, 23, 22, 30, tzinfo=UTC)  # Thu 24 Dec 11:30 in Auckland
    for hours in (0, 5, 30, 60, 100):
        end = start + timedelta(hours=hours)
        assert calendar.hours_between(start, end) == customer_working_hours(
            time_zone="Pacific/Auckland", country="NZ", start=start, end=end
        )
