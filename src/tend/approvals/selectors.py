from datetime import timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from tend.accounts.models import Role, User
from tend.customers.selectors import customers_visible_to
from tend.orders.models import Order

from .models import ApprovalRequest, RequestState


def _may_approve_by_role(*, user: User, request: ApprovalRequest) -> bool:
    """The policy's part of the rule, without the database: not the requester, an active admin,
    or (unless the request went to the admins) a manager the policy lets approve it."""
    if not user.is_active or user.pk == request.requested_by_id or user.is_rep:
        return False
    if user.is_admin:
        return True
    if request.routed_to_admins or not request.managers_may_approve:
        return False
    if not request.same_team_only:
        return True
    owner_team = request.customer.owner.team_id if request.customer.owner_id else None
    return user.team_id is not None and user.team_id in (request.requested_by.team_id, owner_team)


def may_approve(*, user: User, request: ApprovalRequest) -> bool:
    """Whether this person may decide the request: the policy allows their role, and they can see
    the customer (nobody decides about a customer they may not look at)."""
    return (
        _may_approve_by_role(user=user, request=request)
        and customers_visible_to(user=user).filter(pk=request.customer_id).exists()
    )


def approvers_eligible(request: ApprovalRequest) -> list[User]:
    """Everyone who may still approve the request: may decide it and has not decided it yet.
    The one answer to "who can approve this?", for routing, notifying and showing who it waits
    on."""
    candidates = (
        User.objects.filter(is_active=True, role__in=[Role.ADMIN, Role.MANAGER])
        .exclude(pk=request.requested_by_id)
        .exclude(pk__in=request.decisions.values("by_id"))
    )
    return [user for user in candidates if may_approve(user=user, request=request)]


def request_get_for_user(*, user: User, pk: int) -> ApprovalRequest:
    """A request its requester and its customer's viewers may see (so everyone who may decide
    it)."""
    try:
        request = ApprovalRequest.objects.select_related(
            "customer", "customer__owner", "requested_by", "order"
        ).get(pk=pk)
    except (ApprovalRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request.") from None
    if request.requested_by_id == user.pk:
        return request
    if not customers_visible_to(user=user).filter(pk=request.customer_id).exists():
        raise Http404("No such request.")
    return request


def requests_mine(*, user: User) -> QuerySet[ApprovalRequest]:
    return (
        ApprovalRequest.objects.filter(requested_by=user)
        .select_related("customer", "order")
        .order_by("-created_at")
    )


# What ``_may_approve_by_role`` reads of a request and its people.
_ROLE_COLUMNS = (
    "requested_by",
    "requested_by__team",
    "customer",
    "customer__owner",
    "customer__owner__team",
    "managers_may_approve",
    "same_team_only",
    "routed_to_admins",
)


def requests_waiting_for(*, user: User, to_count: bool = False) -> list[ApprovalRequest]:
    """Pending requests this person may decide and has not decided yet, oldest first. Each
    request's customer is checked for visibility by its key (``Exists``): the pending requests
    are a handful, a manager's visible customers thousands (SQLite listed them all first:
    100k book, 67 ms). ``to_count`` (Today's badge): each request read with only the columns
    that say whether this person may decide it, not whole with its customer and order."""
    if user.is_rep:
        return []
    visible = customers_visible_to(user=user).filter(pk=OuterRef("customer_id"))
    pending = (
        ApprovalRequest.objects.filter(state=RequestState.PENDING, expires_at__gt=timezone.now())
        .exclude(requested_by=user)
        .exclude(decisions__by=user)
        .filter(Exists(visible))
        .select_related("customer", "customer__owner", "requested_by", "order")
        .order_by("created_at", "id")
    )
    if user.is_manager and user.team_id:
        pending = pending.filter(
            Q(requested_by__team_id=user.team_id)
            | Q(customer__owner__team_id=user.team_id)
            | Q(same_team_only=False)
        )
    if to_count:
        pending = (
            pending.select_related(None)
            .select_related("customer__owner", "requested_by")
            .only(*_ROLE_COLUMNS)
        )
    return [request for request in pending if _may_approve_by_role(user=user, request=request)]


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
