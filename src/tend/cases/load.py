"""Case load (story S8): open cases, breaches and ages per team, per person and per region,
with a surge flag (new cases this week against the weekly average of the four before). A fixed
number of aggregate queries whatever the size of the book."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _

from tend.accounts.models import User

from .models import OPEN_STATUSES
from .selectors import cases_visible_to

SURGE_FACTOR = 2.0
SURGE_MIN = 5


@dataclass
class LoadRow:
    key: object
    label: str
    open: int = 0
    breached: int = 0
    over_7d: int = 0
    over_30d: int = 0
    oldest: datetime | None = None
    new_7d: int = 0
    weekly_before: float = 0.0
    by_region: dict = field(default_factory=dict)

    @property
    def surge(self) -> bool:
        return self.new_7d >= SURGE_MIN and self.new_7d >= SURGE_FACTOR * max(
            self.weekly_before, 1.0
        )

    def oldest_days(self, now: datetime) -> int:
        return (now - self.oldest).days if self.oldest else 0


def _figures(now: datetime):
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    return {
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "breached": Count("pk", filter=Q(status__in=OPEN_STATUSES, sla_breached_at__isnull=False)),
        "over_7d": Count("pk", filter=Q(status__in=OPEN_STATUSES, opened_at__lt=week)),
        "over_30d": Count("pk", filter=Q(status__in=OPEN_STATUSES, opened_at__lt=month)),
        "oldest": Min("opened_at", filter=Q(status__in=OPEN_STATUSES)),
        "new_7d": Count("pk", filter=Q(opened_at__gte=week)),
        "new_before": Count(
            "pk", filter=Q(opened_at__lt=week, opened_at__gte=now - timedelta(days=35))
        ),
    }


def _rows(values, key_of, label_of) -> dict:
    rows = {}
    for item in values:
        key = key_of(item)
        row = rows.get(key)
        if row is None:
            row = rows[key] = LoadRow(key=key, label=label_of(item))
        row.open += item["open"]
        row.breached += item["breached"]
        row.over_7d += item["over_7d"]
        row.over_30d += item["over_30d"]
        if item["oldest"] and (row.oldest is None or item["oldest"] < row.oldest):
            row.oldest = item["oldest"]
        row.new_7d += item["new_7d"]
        row.weekly_before += item["new_before"] / 4
    return rows


@dataclass
class CaseLoad:
    teams: list[LoadRow]
    people: list[LoadRow]
    regions: list[LoadRow]
    regions_by_team: dict  # (team id, region label) -> open count
    region_labels: list[str]
    total_open: int


def case_load(*, user: User, now: datetime) -> CaseLoad:
    """The load over the cases this person may see (two aggregate queries)."""
    queryset = cases_visible_to(user=user).filter(
        Q(status__in=OPEN_STATUSES) | Q(opened_at__gte=now - timedelta(days=35))
    )
    figures = _figures(now)
    by_person = list(
        queryset.values(
            "owner_id",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "owner__team_id",
            "owner__team__name",
        )
        .annotate(**figures)
        .order_by()
    )
    by_region = list(
        queryset.values("owner__team_id", "customer__territory__name")
        .annotate(**figures)
        .order_by()
    )
    no_team, no_region = _("No team"), _("No region")

    def person_label(item):
        name = f"{item['owner__first_name']} {item['owner__last_name']}".strip()
        return name or item["owner__username"]

    people = _rows(by_person, lambda i: i["owner_id"], person_label)
    for item in by_person:
        people[item["owner_id"]].by_region = {"team": item["owner__team__name"] or no_team}
    teams = _rows(
        by_person, lambda i: i["owner__team_id"], lambda i: i["owner__team__name"] or no_team
    )
    regions = _rows(
        by_region,
        lambda i: i["customer__territory__name"] or no_region,
        lambda i: i["customer__territory__name"] or no_region,
    )
    matrix: dict = {}
    for item in by_region:
        label = item["customer__territory__name"] or no_region
        key = (item["owner__team_id"], label)
        matrix[key] = matrix.get(key, 0) + item["open"]
    order = lambda row: (-row.breached, -row.open, str(row.label))  # noqa: E731
    return CaseLoad(
        teams=sorted(teams.values(), key=order),
        people=sorted(people.values(), key=order),
        regions=sorted(regions.values(), key=order),
        regions_by_team=matrix,
        region_labels=sorted({label for _team, label in matrix}),
        total_open=sum(row.open for row in teams.values()),
    )
