from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tend.engagement.workhours import (
    add_working_days,
    is_working_day,
    subtract_working_hours,
    working_hours_between,
)

THANKSGIVING = frozenset({date(2026, 11, 26)})  # a Thursday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in November 2026 (the 20th is a Friday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_friday_evening_to_monday_morning_is_two_working_hours():
    assert working_hours_between(at(20, 17), at(23, 10), tz="UTC") == 2.0


def test_hours_outside_the_working_day_do_not_count():
    assert working_hours_between(at(23, 6), at(23, 8), tz="UTC") == 0.0
    assert working_hours_between(at(23, 17, 30), at(24, 9, 30), tz="UTC") == 1.0


def test_the_persons_time_zone_decides_the_working_day():
    # 05:00 UTC is 09:00 in Dubai: four working hours there by 09:00 UTC.
    assert working_hours_between(at(23, 5), at(23, 9), tz="Asia/Dubai") == 4.0
    assert working_hours_between(at(23, 5), at(23, 9), tz="UTC") == 0.0


def test_a_gulf_weekend_of_friday_and_saturday():
    weekend = frozenset({4, 5})
    # Thursday 17:00 to Sunday 10:00 in Riyadh: 1 h on Thursday + 1 h on Sunday.
    start = datetime(2026, 11, 19, 14, tzinfo=UTC)  # 17:00 in Riyadh
    end = datetime(2026, 11, 22, 7, tzinfo=UTC)  # 10:00 in Riyadh
    assert working_hours_between(start, end, tz="Asia/Riyadh", weekend=weekend) == 2.0


def test_an_end_before_the_start_is_zero():
    assert working_hours_between(at(23, 12), at(23, 10), tz="UTC") == 0.0


def test_subtracting_working_hours_skips_the_weekend():
    assert subtract_working_hours(at(23, 10), 2, tz="UTC") == at(20, 17)
    # Monday 1 h, Friday 9 h, Thursday 9 h, and the last 5 h of Wednesday.
    assert subtract_working_hours(at(23, 10), 24, tz="UTC") == at(18, 13)


def test_adding_working_days_skips_the_weekend():
    assert add_working_days(at(20, 15), 1, tz="UTC") == at(23, 15)
    assert add_working_days(at(23, 15), 1, tz="UTC") == at(24, 15)


def test_a_holiday_is_a_day_off_like_the_weekend():
    assert not is_working_day(date(2026, 11, 26), holidays=THANKSGIVING)
    assert is_working_day(date(2026, 11, 25), holidays=THANKSGIVING)
    assert not is_working_day(date(2026, 11, 21), holidays=THANKSGIVING)  # a Saturday
    # Any container of dates will do: a country's holidays are read a year at a time.
    assert not is_working_day(date(2026, 11, 26), holidays=[date(2026, 11, 26)])


def test_measuring_skips_the_holidays_working_day():
    # Wednesday 17:00 to Friday 10:00: 1 h on Wednesday, none on the holiday, 1 h on Friday.
    assert working_hours_between(at(25, 17), at(27, 10), tz="UTC", holidays=THANKSGIVING) == 2.0
    assert working_hours_between(at(25, 17), at(27, 10), tz="UTC") == 11.0
    # Within the holiday itself nothing counts.
    assert working_hours_between(at(26, 9), at(26, 18), tz="UTC", holidays=THANKSGIVING) == 0.0


def test_subtracting_and_adding_skip_the_holiday():
    assert subtract_working_hours(at(27, 10), 2, tz="UTC", holidays=THANKSGIVING) == at(25, 17)
    assert add_working_days(at(25, 15), 1, tz="UTC", holidays=THANKSGIVING) == at(27, 15)
    # Thursday's holiday then the weekend: Wednesday plus two working days is Monday.
    assert add_working_days(at(25, 15), 2, tz="UTC", holidays=THANKSGIVING) == at(30, 15)


def test_the_holiday_is_the_local_day_on_either_side_of_the_date_line():
    # Thursday 20:00 UTC is Friday 09:00 in Auckland: the whole of the holiday there, while in
    # Honolulu it is Thursday 10:00-19:00 (8 working hours).
    waitangi = frozenset({date(2026, 2, 6)})  # a Friday in New Zealand
    start, end = datetime(2026, 2, 5, 20, tzinfo=UTC), datetime(2026, 2, 6, 5, tzinfo=UTC)
    assert working_hours_between(start, end, tz="Pacific/Auckland", holidays=waitangi) == 0.0
    assert working_hours_between(start, end, tz="Pacific/Auckland") == 9.0
    assert working_hours_between(start, end, tz="Pacific/Honolulu", holidays=waitangi) == 8.0


@settings(max_examples=60, deadline=None)
@given(
    start_minutes=st.integers(min_value=0, max_value=60 * 24 * 20),
    hours=st.floats(min_value=0.25, max_value=80),
    tz=st.sampled_from(["UTC", "Asia/Dubai", "America/New_York", "Asia/Shanghai"]),
)
def test_subtracting_then_measuring_gives_the_hours_back(start_minutes, hours, tz):
    moment = at(2, 0) + timedelta(minutes=start_minutes)
    earlier = subtract_working_hours(moment, hours, tz=tz)
    assert earlier <= moment
    assert abs(working_hours_between(earlier, moment, tz=tz) - hours) < 0.011


@settings(max_examples=60, deadline=None)
@given(
    start_minutes=st.integers(min_value=0, max_value=60 * 24 * 20),
    hours=st.floats(min_value=0.25, max_value=80),
    tz=st.sampled_from(["UTC", "Pacific/Auckland", "America/Los_Angeles"]),
    holidays=st.sets(st.dates(date(2026, 10, 20), date(2026, 11, 23)), max_size=6),
)
def test_subtracting_then_measuring_gives_the_hours_back_around_holidays(
    start_minutes, hours, tz, holidays
):
    moment = at(2, 0) + timedelta(minutes=start_minutes)
    earlier = subtract_working_hours(moment, hours, tz=tz, holidays=holidays)
    assert earlier <= moment
    measured = working_hours_between(earlier, moment, tz=tz, holidays=holidays)
    assert abs(measured - hours) < 0.011
