from django.db.models import QuerySet

from .models import TimelineEntry


def timeline_for_customer(*, customer, kind: str = "", limit: int = 100) -> QuerySet[TimelineEntry]:
    """A customer's timeline, newest first; the caller has checked the customer is visible."""
    entries = TimelineEntry.objects.filter(customer_id=customer.pk).select_related("actor")
    if kind:
        entries = entries.filter(kind=kind)
    return entries[:limit]
