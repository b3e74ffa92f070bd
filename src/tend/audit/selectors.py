from django.db.models import QuerySet

from .models import AuditEntry


def audit_for_customer(*, customer, limit: int = 200) -> QuerySet[AuditEntry]:
    """The customer's history of changes, newest first. The caller has checked visibility."""
    return AuditEntry.objects.filter(customer_id=customer.pk).select_related("actor")[:limit]
