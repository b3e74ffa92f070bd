from datetime import timedelta

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from tend.accounts.models import User
from tend.customers.selectors import customers_visible_to
from tend.orders.models import Order

from .models import ApprovalRequest, RequestState
from .services import may_approve


def request_get_for_user(*, user: User, pk: int) -> ApprovalRequest:
    """A request its customer's viewers may see, and any admin or manager who may decide it."""
    try:
        request = ApprovalRequest.objects.select_related(
            "customer", "customer__owner", "requested_by", "order"
        ).get(pk=pk)
    except (ApprovalRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request.") from None
    visible = customers_visible_to(user=user).filter(pk=request.customer_id).exists()
    if not visible and not may_approve(user=user, request=request):
        raise Http404("No such request.")
    return request


def requests_mine(*, user: User) -> QuerySet[ApprovalRequest]:
    return (
        ApprovalRequest.objects.filter(requested_by=user)
        .select_related("customer", "order")
        .order_by("-created_at")
    )


def requests_waiting_for(*, user: User) -> list[ApprovalRequest]:
    """Pending requests this person may decide and has not decided yet, oldest first."""
    if user.is_rep:
        return []
    pending = (
        ApprovalRequest.objects.filter(state=RequestState.PENDING, expires_at__gt=timezone.now())
        .exclude(requested_by=user)
        .exclude(decisions__by=user)
        .select_related("customer", "customer__owner", "requested_by", "order")
        .order_by("created_at", "id")
    )
    if user.is_manager and user.team_id:
        pending = pending.filter(
            Q(requested_by__team_id=user.team_id)
            | Q(customer__owner__team_id=user.team_id)
            | Q(same_team_only=False)
        )
    return [request for request in pending if may_approve(user=user, request=request)]


def customer_concessions(*, customer_id: int) -> QuerySet[ApprovalRequest]:
    """Every granted request for the customer: its history of concessions, newest first."""
    return (
        ApprovalRequest.objects.filter(
            customer_id=customer_id, state__in=[RequestState.APPLIED, RequestState.APPROVED]
        )
        .select_related("requested_by")
        .order_by("-created_at")
    )


def customer_value_12m(*, customer_id: int) -> object:
    since = timezone.localdate() - timedelta(days=365)
    return (
        Order.objects.filter(customer_id=customer_id, order_date__gte=since)
        .exclude(status="cancelled")
        .aggregate(total=Sum("amount_base"))["total"]
    )
