"""The agenda's sections. Each app registers its own (promises, inquiries, late orders, cases
near their deadline, approvals waiting...) in its ``AppConfig.ready``; the agenda page, the daily
digest and the API read them from here."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.functional import Promise as LazyText


@dataclass(frozen=True)
class AgendaContext:
    user: object  # whose agenda
    viewer: object  # who is looking (a manager may look at a rep's agenda)
    now: datetime
    today: date  # in the user's time zone
    end_of_today: datetime
    # False on Today's page: a section counts its rows only up to the limit asked for, and
    # says whether there are more (``SectionResult.more``), instead of counting them all. The
    # section's own page, the API and the digest count them all.
    exact_totals: bool = True
    # True on Today's page: the rows are read for the ranking and the badges only (no section
    # body is shown), so a section that names its ``columns`` reads only those columns and its
    # customer's (``rows.section_rows``), not its rows and customers whole.
    ranking_only: bool = False


@dataclass
class SectionResult:
    rows: list
    total: int
    # The total is a floor: there are more rows than ``total`` (Today's badge shows "20+").
    more: bool = False


class Reason:
    """Why a row's customer should hear from us, for the "contact first" list (``ranking``).

    ``text`` (in words, in the reader's language) and ``url`` (opens the item) may be given as
    functions of no argument: they are then built when first read. The ranking scores every
    candidate row of every section (about 180 on a full agenda) from ``days`` alone, and only
    the top 12 customers' reasons are shown: their links (``reverse``) and dates were most of
    the ranking's time."""

    __slots__ = ("_text", "_url", "days")

    def __init__(self, text, url, days: int = 0):
        self._text = text
        self._url = url
        self.days = days  # overdue or waiting, in whole days; 0 when due today or without one

    @property
    def text(self) -> str:
        if callable(self._text):
            self._text = self._text()
        return self._text

    @property
    def url(self) -> str:
        if callable(self._url):
            self._url = self._url()
        return self._url

    def __eq__(self, other):
        if not isinstance(other, Reason):
            return NotImplemented
        return (self.text, self.url, self.days) == (other.text, other.url, other.days)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Reason(text={self.text!r}, url={self.url!r}, days={self.days!r})"


@dataclass(frozen=True)
class AgendaSection:
    key: str
    title: str | LazyText
    order: int
    template: str
    rows: Callable[[AgendaContext, int], SectionResult]
    digest_line: Callable[[object], str] = field(default=lambda row: str(row))
    # Whether the section belongs on this person's agenda (e.g. approvals: not for reps).
    shown_to: Callable[[object], bool] = field(default=lambda user: True)
    # A row's reason to contact its customer, and how much that kind of reason weighs in the
    # "contact first" ranking (see ``ranking``). Sections without one are not ranked.
    reason: Callable[[object, AgendaContext], Reason | None] | None = None
    weight: float = 0.0


_SECTIONS: dict[str, AgendaSection] = {}


def register(section: AgendaSection) -> AgendaSection:
    _SECTIONS[section.key] = section
    return section


def sections(user=None) -> list[AgendaSection]:
    """The registered sections in order; with ``user``, only those shown to that person."""
    ordered = sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
    return [s for s in ordered if user is None or s.shown_to(user)]
