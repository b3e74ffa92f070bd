from collections import Counter

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from tend.accounts.models import User

from . import registry


@register(Tags.database)
def check_nothing_assigned_to_inactive_people(app_configs=None, databases=None, **kwargs):
    """`tend check --database default` reports each deactivated person who still holds
    something, with a count per kind (one line a person, not one a record: a rep who left a
    book of 400 customers is one thing to fix). `tend inactive_assignments` lists the records."""
    if not databases:
        return []
    try:
        inactive = User.objects.filter(is_active=False).values("pk")
        held: dict[int, Counter] = {}
        labels = {}
        for kind in registry.kinds():
            labels[kind.key] = kind.label
            for pk, count in kind.held_by(inactive).items():
                held.setdefault(pk, Counter())[kind.key] = count
        names = {
            user.pk: user.get_full_name() or user.username
            for user in User.objects.filter(pk__in=held)
        }
    except DatabaseError:
        return []  # Not migrated yet (this check also runs before `migrate`).
    return [
        Warning(
            f"Inactive {names[pk]} still holds "
            + ", ".join(f"{count} × {labels[key]}" for key, count in sorted(counts.items())),
            hint="Run a handover for that person (`tend inactive_assignments` lists each record).",
            id="tend.W001",
        )
        for pk, counts in sorted(held.items(), key=lambda item: names[item[0]])
    ]
