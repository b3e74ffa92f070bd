"""Case load (story S8): open cases, breaches and ages per team, per person and per region,
with a surge flag (new cases this week against the weekly average of the four before). A fixed
number of aggregate queries whatever the size of the book."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, ExpressionWrapper, F, IntegerField, Min, Q
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


def _open_figures(now: datetime):
    week, month = now - timedelta(days=7), now - timedelta(days=30)
    # Counted on ``opened_at`` (never empty, in both covering indexes), not on the id:
    # PostgreSQL's indexes hold no id, so counting it sends every row to the table.
    return {
        "open": Count("opened_at"),
        "breached": Count("opened_at", filter=Q(sla_breached_at__isnull=False)),
        "over_7d": Count("opened_at", filter=Q(opened_at__lt=week)),
        "over_30d": Count("opened_at", filter=Q(opened_at__lt=month)),
        "oldest": Min("opened_at"),
    }


def _recent_figures(now: datetime):
    week = now - timedelta(days=7)
    return {
        "new_7d": Count("opened_at", filter=Q(opened_at__gte=week)),
        "new_before": Count("opened_at", filter=Q(opened_at__lt=week)),
    }


ZERO = {
    "open": 0,
    "breached": 0,
    "over_7d": 0,
    "over_30d": 0,
    "oldest": None,
    "new_7d": 0,
    "new_before": 0,
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
    """The load over the cases this person may see: two aggregates by owner and region (the
    customer's territory as copied on the case, so no join to the customers; each read from its
    own covering index), names from two small lookups."""
    from tend.customers.models import Territory

    visible = cases_visible_to(user=user)
    merged: dict = {}

    def add(owner_id, region_id, figures: dict) -> None:
        item = merged.setdefault(
            (owner_id, region_id), {**ZERO, "owner_id": owner_id, "region_id": region_id}
        )
        for name, value in figures.items():
            if name == "oldest":
                if value is not None and (item["oldest"] is None or value < item["oldest"]):
                    item["oldest"] = value
            else:
                item[name] += value

    # The open cases, grouped in the order of their covering index (status, owner, region,
    # ...) so the database streams the groups without sorting; one row per status, summed here.
    open_cases = (
        visible.filter(status__in=OPEN_STATUSES)
        .values("status", "owner_id", "region_id")
        .annotate(**_open_figures(now))
        .order_by()
    )
    for row in open_cases:
        del row["status"]
        add(row.pop("owner_id"), row.pop("region_id"), row)
    # The last five weeks' cases, read by their opening-date index. Grouping by ``key + 0``
    # keeps SQLite from walking the whole table in the order of an owner index instead.
    recent = (
        visible.filter(opened_at__gte=now - timedelta(days=35))
        .annotate(
            group_owner=ExpressionWrapper(F("owner_id") + 0, output_field=IntegerField()),
            group_region=ExpressionWrapper(F("region_id") + 0, output_field=IntegerField()),
        )
        .values("group_owner", "group_region")
        .annotate(**_recent_figures(now))
        .order_by()
    )
    for row in recent:
        add(row.pop("group_owner"), row.pop("group_region"), row)
    rows = list(merged.values())
    people = {
        person.pk: person
        for person in User.objects.filter(pk__in={r["owner_id"] for r in rows}).select_related(
            "team"
        )
    }
    territories = dict(
        Territory.objects.filter(pk__in={r["region_id"] for r in rows}).values_list("pk", "name")
    )
    no_team, no_region = _("No team"), _("No region")
    for row in rows:
        person = people[row["owner_id"]]
        row["team_id"] = person.team_id
        row["team"] = person.team.name if person.team_id else no_team
        row["person"] = str(person)
        row["region"] = territories.get(row["region_id"]) or no_region

    by_person = _rows(rows, lambda i: i["owner_id"], lambda i: i["person"])
    teams = _rows(rows, lambda i: i["team_id"], lambda i: i["team"])
    regions = _rows(rows, lambda i: i["region"], lambda i: i["region"])
    matrix: dict = {}
    for row in rows:
        key = (row["team_id"], row["region"])
        matrix[key] = matrix.get(key, 0) + row["open"]
    order = lambda row: (-row.breached, -row.open, str(row.label))  # noqa: E731
    return CaseLoad(
        teams=sorted(teams.values(), key=order),
        people=sorted(by_person.values(), key=order),
        regions=sorted(regions.values(), key=order),
        regions_by_team=matrix,
        region_labels=sorted({label for _team, label in matrix}),
        total_open=sum(row.open for row in teams.values()),
    )
