from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from .selectors import inactive_assignments


@register(Tags.database)
def check_nothing_assigned_to_inactive_people(app_configs=None, databases=None, **kwargs):
    """`tend check --database default` reports anything still held by a deactivated person."""
    if not databases:
        return []
    try:
        found = inactive_assignments()
    except DatabaseError:
        return []  # Not migrated yet (this check also runs before `migrate`).
    return [
        Warning(description, hint="Run a handover for that person.", id="tend.W001")
        for description in found
    ]
