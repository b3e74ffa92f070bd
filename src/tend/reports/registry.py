"""The report's sections. Each app registers its own with one call::

    from tend.reports.registry import ReportSection, register

    register(ReportSection(key="case_sla", title=_("Case SLAs"), order=60, compute=compute))

``compute(filters, user)`` returns a :class:`SectionResult`: the conclusion as a title, the
definition as a caption, the sample size, a chart, a table (which is also the chart's table
view, the export and the API's figures) and, per table cell, a drill-down key. ``customers(
filters, user, drill)`` returns the customers behind one drill-down key, as a queryset the
user may see. The report page, its PDF, the monthly email and the API all read from here."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils.functional import Promise as LazyText

from .charts import Chart

GRAINS = ("month", "quarter")


@dataclass(frozen=True)
class ReportFilters:
    """What every section is asked for: the 12 months up to ``end`` (a first of month: the
    last complete month), narrowed to a team, tier or country."""

    end: date  # the first day of the report's last month
    months: int = 12
    team: int | None = None
    tier: str = ""
    country: str = ""
    grain: str = "quarter"  # cohorts: by month or by quarter of the first order

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (drill-down and export links keep them)."""
        pairs = {
            "end": self.end.strftime("%Y-%m"),
            "team": str(self.team or ""),
            "tier": self.tier,
            "country": self.country,
            "grain": self.grain,
        }
        return {key: value for key, value in pairs.items() if value}


@dataclass(frozen=True)
class Cell:
    """A figure in a table; with ``drill``, it opens the customers behind it."""

    value: object
    drill: str = ""
    text: str = ""  # how it reads (e.g. "83%"); the value is what exports and the API carry

    def __str__(self) -> str:
        return self.text or ("" if self.value is None else str(self.value))


@dataclass
class Table:
    headers: list[str]
    rows: list[list[object]] = field(default_factory=list)  # plain values or Cells

    def plain_rows(self) -> list[list[object]]:
        return [
            [cell.value if isinstance(cell, Cell) else cell for cell in row] for row in self.rows
        ]


@dataclass
class SectionResult:
    headline: str  # what to conclude, in a sentence
    caption: str  # the definition behind the figures
    sample: int  # how many customers (or promises, ...) the figures rest on
    sample_label: str
    table: Table
    chart: Chart | None = None
    figures: dict = field(default_factory=dict)  # the headline figures for the API


@dataclass(frozen=True)
class ReportSection:
    key: str
    title: str | LazyText
    order: int
    compute: Callable[[ReportFilters, object], SectionResult]
    # The customers behind one drill-down key (None: the section has no customer drill-down).
    customers: Callable[[ReportFilters, object, str], object] | None = None
    shown_to: Callable[[object], bool] = field(default=lambda user: True)


_SECTIONS: dict[str, ReportSection] = {}


def register(section: ReportSection) -> ReportSection:
    _SECTIONS[section.key] = section
    return section


def sections(user=None) -> list[ReportSection]:
    """The registered sections in order; with ``user``, only those shown to that person."""
    ordered = sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
    return [s for s in ordered if user is None or s.shown_to(user)]


def section(key: str) -> ReportSection | None:
    return _SECTIONS.get(key)
