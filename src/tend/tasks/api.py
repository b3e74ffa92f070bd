"""Tasks in the REST API. Thin: resolve ids through the user's view of the book, call the
services, shape the output."""

import zoneinfo
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tend.accounts.models import User
from tend.api.schemas import Id, Moment, PageQuery, errors
from tend.customers.selectors import customer_get_for_user

from . import selectors, services
from .models import Task, TaskKind, TaskStatus

router = Router(tags=["tasks"])


# ---------------------------------------------------------------------------------------------
# Schemas


class TaskIn(Schema):
    customer_id: Id
    kind: TaskKind
    title: str = Field(max_length=200)
    due_at: Moment = Field(description="Without a time zone: in your own time zone.")
    assignee_id: Id | None = Field(None, description="Empty for yourself.")
    detail: str = ""


class TaskOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    assignee_id: int
    assignee_name: str
    kind: str
    title: str
    detail: str
    due_at: datetime
    status: str
    overdue: bool
    outcome: str = Field(description="Done: what happened. Cancelled: why.")
    closed_at: datetime | None
    closed_by_id: int | None
    origin: str
    created_by_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_customer_name(obj: Task) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_assignee_name(obj: Task) -> str:
        return str(obj.assignee)

    @staticmethod
    def resolve_overdue(obj: Task) -> bool:
        return obj.is_overdue()


class TaskPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TaskOut]


class TaskQuery(PageQuery):
    status: TaskStatus | None = None
    mine: bool = Field(False, description="Only the tasks assigned to you.")
    customer_id: Id | None = None
    due_before: Moment | None = Field(None, description="Without a time zone: yours.")


class CompleteIn(Schema):
    outcome: str = Field(description="What happened (required).")


class CancelIn(Schema):
    reason: str = Field(description="Why it is cancelled (required).")


# ---------------------------------------------------------------------------------------------
# Helpers


def _aware(value: datetime | None, user: User) -> datetime | None:
    """A time without a time zone is read in the user's own."""
    if value is None or timezone.is_aware(value):
        return value
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.make_aware(value, zone)


def _page(queryset: QuerySet, query: TaskQuery) -> dict[str, Any]:
    offset = (query.page - 1) * query.page_size
    return {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "results": list(queryset[offset : offset + query.page_size]),
    }


def _refused(exc: ValidationError | PermissionDenied):
    """The task itself cannot be changed (already closed, or not yours to close)."""
    messages = getattr(exc, "messages", None) or [str(exc)]
    status = 403 if isinstance(exc, PermissionDenied) else 422
    return Status(status, {"message": " ".join(messages), "errors": {"__all__": messages}})


# ---------------------------------------------------------------------------------------------
# Endpoints


@router.get(
    "/tasks",
    response={200: TaskPage, **errors(422)},
    summary="Tasks at customers you may see, and yours",
)
def list_tasks(request, query: Query[TaskQuery]):
    user = request.user
    queryset = selectors.tasks_visible_to(user=user).order_by("due_at", "id")
    if query.status is not None:
        queryset = queryset.filter(status=query.status.value)
    if query.mine:
        queryset = queryset.filter(assignee=user)
    if query.customer_id is not None:
        queryset = queryset.filter(customer_id=query.customer_id)
    if query.due_before is not None:
        queryset = queryset.filter(due_at__lt=_aware(query.due_before, user))
    return _page(queryset, query)


@router.post("/tasks", response={201: TaskOut, **errors(400, 404, 422)}, summary="Add a task")
def create_task(request, payload: TaskIn):
    user = request.user
    customer = customer_get_for_user(user=user, pk=payload.customer_id)
    assignee = user
    if payload.assignee_id is not None and payload.assignee_id != user.pk:
        assignee = User.objects.filter(pk=payload.assignee_id).first()
        if assignee is None:
            raise ValidationError(
                {"assignee_id": _("No person with id %(id)s.") % {"id": payload.assignee_id}}
            )
    try:
        task = services.create_task(
            customer=customer,
            assignee=assignee,
            kind=payload.kind.value,
            title=payload.title,
            due_at=_aware(payload.due_at, user),
            detail=payload.detail,
            created_by=user,
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "assignee" in exc.error_dict:
            raise ValidationError(
                {("assignee_id" if f == "assignee" else f): m for f, m in exc.message_dict.items()}
            ) from exc
        raise
    return Status(201, selectors.task_get_for_user(user=user, pk=task.pk))


@router.get("/tasks/{task_id}", response={200: TaskOut, **errors(404, 422)}, summary="Get a task")
def get_task(request, task_id: int):
    return selectors.task_get_for_user(user=request.user, pk=task_id)


@router.post(
    "/tasks/{task_id}/complete",
    response={200: TaskOut, **errors(400, 403, 404, 422)},
    summary="Mark a task done, with its outcome",
)
def complete_task(request, task_id: int, payload: CompleteIn):
    return _close(request, task_id, services.complete_task, outcome=payload.outcome)


@router.post(
    "/tasks/{task_id}/cancel",
    response={200: TaskOut, **errors(400, 403, 404, 422)},
    summary="Cancel a task, with the reason",
)
def cancel_task(request, task_id: int, payload: CancelIn):
    return _close(request, task_id, services.cancel_task, reason=payload.reason)


def _close(request, task_id: int, close, **fields):
    """Done or cancelled through the service; a task that cannot be closed says why."""
    task = selectors.task_get_for_user(user=request.user, pk=task_id)
    try:
        close(task, by=request.user, **fields)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        return _refused(exc)
    except PermissionDenied as exc:
        return _refused(exc)
    return selectors.task_get_for_user(user=request.user, pk=task_id)
