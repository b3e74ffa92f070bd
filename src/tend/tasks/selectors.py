"""Reads for tasks, scoped by the user: a task is visible through its customer (the customer
visibility rule), and to the person it is assigned to."""

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tend.accounts.models import User
from tend.customers.models import Customer
from tend.customers.selectors import customers_visible_to

from .models import Task, TaskStatus

RECENTLY_CLOSED_DAYS = 30


def tasks_visible_to(*, user: User) -> QuerySet[Task]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Task.objects.none()
    return Task.objects.filter(
        Q(customer__in=customers_visible_to(user=user)) | Q(assignee=user)
    ).select_related("customer", "assignee")


def task_get_for_user(*, user: User, pk: int) -> Task:
    """A task the user may see, or 404 (never a 403 that confirms it exists)."""
    try:
        return tasks_visible_to(user=user).select_related("closed_by", "created_by").get(pk=pk)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task.") from None


def tasks_due(*, user: User, until: datetime) -> QuerySet[Task]:
    """The user's own open tasks due before ``until``, most overdue first."""
    return (
        Task.objects.open()
        .filter(assignee=user, due_at__lt=until)
        .select_related("customer")
        .order_by("due_at", "id")
    )


def tasks_of_customer(*, customer: Customer) -> QuerySet[Task]:
    return Task.objects.filter(customer=customer).select_related("assignee", "closed_by")


def tasks_open_of_customer(*, customer: Customer) -> QuerySet[Task]:
    return (
        tasks_of_customer(customer=customer).filter(status=TaskStatus.OPEN).order_by("due_at", "id")
    )


def tasks_recently_closed_of_customer(
    *, customer: Customer, now: datetime | None = None, days: int = RECENTLY_CLOSED_DAYS
) -> QuerySet[Task]:
    since = (now or timezone.now()) - timedelta(days=days)
    return (
        tasks_of_customer(customer=customer)
        .exclude(status=TaskStatus.OPEN)
        .filter(closed_at__gte=since)
        .order_by("-closed_at", "-id")
    )
