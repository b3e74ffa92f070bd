from dataclasses import dataclass

from django.db.models import QuerySet

from tend.accounts.models import User

from . import registry


def inactive_assignments() -> list[str]:
    """Every record, of every registered kind, still assigned to an inactive person."""
    return [line for kind in registry.kinds() for line in kind.assigned_to_inactive()]


def people_in_scope(*, user: User) -> QuerySet[User]:
    """Everyone, active or not, this user may hand over: admins anyone, managers their team."""
    people = User.objects.exclude(pk=user.pk).select_related("team")
    if user.is_admin:
        return people
    if user.is_manager and user.team_id:
        return people.filter(team_id=user.team_id)
    return people.none()


def successors_for_handover(*, user: User) -> QuerySet[User]:
    """Whom this user may give things to: the active people in their scope."""
    return people_in_scope(user=user).filter(is_active=True)


@dataclass(frozen=True)
class LeftHolding:
    """A deactivated person who still holds things, and how many of each kind."""

    person: User
    counts: dict[str, int]

    @property
    def pk(self) -> int:
        """The person's id: what the agenda API gives as the item's id."""
        return self.person.pk

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def people_left_holding(*, user: User) -> list[LeftHolding]:
    """Inactive people in this user's scope who still hold customers, promises or tasks:
    deactivated in the admin, the API or a script instead of the handover. One query for the
    inactive people (usually none: then that is all), one for every kind's tallies
    (``registry.held_by_kind``)."""
    inactive = list(
        people_in_scope(user=user)
        .filter(is_active=False)
        .order_by("first_name", "last_name", "username")
    )
    if not inactive:
        return []
    held = registry.held_by_kind(inactive)
    return [LeftHolding(person, held[person.pk]) for person in inactive if person.pk in held]


def people_for_handover(*, user: User) -> list[User]:
    """Whom this user may hand over: the active people in their scope, and the inactive ones
    still holding something."""
    active = list(successors_for_handover(user=user))
    return active + [left.person for left in people_left_holding(user=user)]


def person_for_handover(*, user: User, pk: int) -> User | None:
    """One person this user may hand over, or None (a 404 for the pages)."""
    person = people_in_scope(user=user).filter(pk=pk).first()
    if person is None or person.is_active:
        return person
    if any(kind.held_by(User.objects.filter(pk=pk).values("pk")) for kind in registry.kinds()):
        return person
    return None
