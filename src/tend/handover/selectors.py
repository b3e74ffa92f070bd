from tend.accounts.models import User

from . import registry


def inactive_assignments() -> list[str]:
    """Every record, of every registered kind, still assigned to an inactive person."""
    return [line for kind in registry.kinds() for line in kind.assigned_to_inactive()]


def people_for_handover(*, user: User):
    """Whom this user may hand over: admins anyone active, managers their team."""
    people = User.objects.filter(is_active=True).exclude(pk=user.pk).select_related("team")
    if user.is_admin:
        return people
    if user.is_manager and user.team_id:
        return people.filter(team_id=user.team_id)
    return people.none()
