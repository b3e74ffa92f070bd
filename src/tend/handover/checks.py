from django.core.checks import Tags, Warning, register

from .selectors import inactive_assignments


@register(Tags.database)
def check_nothing_assigned_to_inactive_people(app_configs=None, databases=None, **kwargs):
    """`tend check --database default` reports anything still held by a deactivated person."""
    if not databases:
        return []
    return [
        Warning(description, hint="Run a handover for that person.", id="tend.W001")
        for description in inactive_assignments()
    ]
