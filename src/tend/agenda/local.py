"""A customer's local moment and working days: the time there, their working week and their
country's public holidays. The one place that says whether a day is a working day for a
customer: response times, waits, the cases' SLA clock and Today's day-off marks all ask here."""

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

import holidays
from django.conf import settings
from django.utils import translation
from django.utils.dates import WEEKDAYS_ABBR

from tend.engagement import workhours

# Where the working week is not Monday to Friday.
WEEKENDS = {
    "AE": {5, 6},
    "SA": {4, 5},
    "QA": {4, 5},
    "KW": {4, 5},
    "BH": {4, 5},
    "OM": {4, 5},
    "EG": {4, 5},
    "JO": {4, 5},
    "IL": {4, 5},
    "IR": {4},
    "AF": {3, 4},
    "NP": {5},
}


def customer_weekend(country: str) -> frozenset[int]:
    """The customer's days off each week (Monday = 0): Friday and Saturday in much of the Gulf."""
    return frozenset(WEEKENDS.get(country, settings.TEND_WEEKEND_DAYS))


@functools.lru_cache(maxsize=1024)
def holiday_dates(country: str, year: int) -> frozenset[date]:
    """That country's public holidays in that year, as the ``holidays`` package knows them
    (none for a country it does not know). Read once per country and year in a process."""
    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:
        return frozenset()


@dataclass(frozen=True)
class PublicHolidays:
    """A country's public holidays in any year, as a container of dates (``day in holidays``)
    for the ``workhours`` arithmetic, which may walk across a new year."""

    country: str

    def __contains__(self, day: date) -> bool:
        return bool(self.country) and day in holiday_dates(self.country, day.year)


def customer_holidays(country: str) -> PublicHolidays:
    return PublicHolidays(country or "")


def is_working_day(*, country: str, day: date) -> bool:
    """Whether ``day`` (a date in the customer's zone) is a working day for a customer in
    ``country``: not in their weekend, not one of their country's public holidays."""
    return workhours.is_working_day(
        day, weekend=customer_weekend(country), holidays=customer_holidays(country)
    )


@dataclass(frozen=True)
class LocalMoment:
    time: datetime  # aware, in the customer's zone
    is_weekend: bool
    holiday: str

    @property
    def clock(self) -> str:
        """The weekday and wall-clock time there ("Sat 02:39"), formatted here in the customer's
        zone: a template's ``date`` filter would turn the time back into the viewer's zone.
        Written directly, as ``date_format(time, "D H:i")`` would (which parses its format for
        every row: 7% of Today's render under cProfile)."""
        return f"{WEEKDAYS_ABBR[self.time.weekday()]} {self.time:%H:%M}"

    @property
    def is_day_off(self) -> bool:
        return self.is_weekend or bool(self.holiday)


# The holidays package names each country's days in its own languages (the UAE's in Arabic by
# default): ask for the reader's, then English, then whatever the country has.
_HOLIDAY_LANGUAGES = {"zh-hans": ("zh_CN", "en_US"), "en": ("en_US",)}


@functools.lru_cache(maxsize=512)
def _holidays(country: str, year: int, language: str):
    try:
        supported = holidays.list_localized_countries().get(country, [])
        wanted = _HOLIDAY_LANGUAGES.get(language, ("en_US",))
        chosen = next((name for name in wanted if name in supported), None)
        return holidays.country_holidays(country, years=year, language=chosen)
    except NotImplementedError:
        return {}


def holiday_name(country: str, day: date) -> str:
    """The public holiday on that day in that country, named in the reader's language."""
    language = (translation.get_language() or "en").lower()
    return _holidays(country, day.year, language).get(day, "") or ""


def local_moment(*, country: str, time_zone: str, now: datetime) -> LocalMoment:
    try:
        local = now.astimezone(zoneinfo.ZoneInfo(time_zone or "UTC"))
    except zoneinfo.ZoneInfoNotFoundError:
        local = now
    return LocalMoment(
        time=local,
        is_weekend=local.weekday() in customer_weekend(country),
        holiday=holiday_name(country, local.date()),
    )
