"""What a person can hold, kind by kind, so a handover moves all of it.

Each app that assigns things to people (customers, promises, cases, tasks, approvals...)
registers a ``HandoverKind`` in its ``AppConfig.ready``. The handover screen, its service and
the inactive-assignment check iterate the registry; they never need to change when a kind
arrives.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Value
from django.utils.functional import Promise


@dataclass(frozen=True)
class HandoverItem:
    kind: str
    pk: int
    label: str
    customer_id: int | None = None
    territory: str = ""
    detail: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


class HandoverKind(ABC):
    key: str
    label: str | Promise

    @abstractmethod
    def items(self, person) -> list[HandoverItem]:
        """Everything of this kind assigned to ``person`` now."""

    @abstractmethod
    def move(self, *, person, moves: list[tuple[HandoverItem, object]], by) -> None:
        """Give each item to its successor. Runs inside the handover's transaction."""

    @abstractmethod
    def assigned_to_inactive(self) -> Iterable[str]:
        """Descriptions of records of this kind still assigned to an inactive person."""

    def held_counts(self, people) -> QuerySet | None:
        """``held_by`` as one aggregate query, rows of (person id, count), not yet run; None
        when this kind counts person by person. Kinds give it with ``counts_by_person``: the
        manager's agenda then asks every kind in one query (``held_by_kind``)."""
        return None

    def held_by(self, people) -> dict[int, int]:
        """How many items of this kind each of ``people`` (a User queryset or list) holds, by
        person id; people holding none are left out."""
        rows = self.held_counts(people)
        if rows is not None:
            return dict(rows)
        counts = {person.pk: len(self.items(person)) for person in people}
        return {pk: count for pk, count in counts.items() if count}


def counts_by_person(queryset, field: str, people) -> QuerySet:
    """``held_counts`` for a kind whose records name their holder in ``field``."""
    rows = queryset.filter(**{f"{field}__in": people}).values_list(field).annotate(n=Count("pk"))
    return rows.order_by()


_KINDS: dict[str, HandoverKind] = {}


def register(kind: HandoverKind) -> HandoverKind:
    _KINDS[kind.key] = kind
    return kind


def kinds() -> list[HandoverKind]:
    return list(_KINDS.values())


def get(key: str) -> HandoverKind:
    return _KINDS[key]


def held_by_kind(people) -> dict[int, dict[str, int]]:
    """What each of ``people`` (a User queryset or list) holds, kind by kind in the registry's
    order, by person id; people holding nothing are left out. The kinds that count in one query
    are asked together (``UNION ALL``): one query, not one per kind."""
    held: dict[int, dict[str, int]] = {}
    queries = []
    for kind in kinds():
        rows = kind.held_counts(people)
        if rows is None:
            for pk, count in kind.held_by(people).items():
                held.setdefault(pk, {})[kind.key] = count
        else:
            queries.append(rows.annotate(kind=Value(kind.key)))
    if queries:
        for pk, count, key in queries[0].union(*queries[1:], all=True):
            held.setdefault(pk, {})[key] = count
    order = {kind.key: index for index, kind in enumerate(kinds())}
    return {
        pk: dict(sorted(counts.items(), key=lambda item: order[item[0]]))
        for pk, counts in held.items()
    }


def held_text(counts: dict[str, int]) -> str:
    """ "Customers owned: 4, Open tasks: 2", kinds by their labels."""
    labels = {kind.key: kind.label for kind in kinds()}
    return ", ".join(f"{labels.get(key, key)}: {count}" for key, count in counts.items())
