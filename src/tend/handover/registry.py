"""What a person can hold, kind by kind, so a handover moves all of it.

Each app that assigns things to people (customers, promises, cases, tasks, approvals...)
registers a ``HandoverKind`` in its ``AppConfig.ready``. The handover screen, its service and
the inactive-assignment check iterate the registry; they never need to change when a kind
arrives.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

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


_KINDS: dict[str, HandoverKind] = {}


def register(kind: HandoverKind) -> HandoverKind:
    _KINDS[kind.key] = kind
    return kind


def kinds() -> list[HandoverKind]:
    return list(_KINDS.values())


def get(key: str) -> HandoverKind:
    return _KINDS[key]
