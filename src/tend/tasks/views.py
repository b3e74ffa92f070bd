"""Task pages: add one from the customer page, mark one done or cancel it (htmx rows)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tend.agenda.local import local_moment
from tend.customers.selectors import customer_get_for_user

from . import selectors, services
from .forms import TaskForm


@login_required
@require_POST
def task_create(request, pk: int):
    """From the customer page: add it and answer with the panel, or the form with its errors."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    form = TaskForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.create_task(
                customer=customer, created_by=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, messages in errors.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            form = TaskForm(user=request.user)
    return render(request, "tasks/_customer_panel.html", {"customer": customer, "task_form": form})


def _row(request, task, error: str = ""):
    now = timezone.now()
    local = None
    if request.POST.get("where") == "agenda":
        local = local_moment(
            country=task.customer.country, time_zone=task.customer.time_zone, now=now
        )
    return render(
        request,
        "tasks/_task_row.html",
        {
            "task": task,
            "local": local,
            "overdue": task.is_overdue(now),
            "where": request.POST.get("where", ""),
            "error": error,
        },
    )


@login_required
@require_POST
def task_complete(request, pk: int):
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    error = ""
    try:
        task = services.complete_task(
            task, by=request.user, outcome=request.POST.get("outcome", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(getattr(exc, "messages", [str(exc)]))
        task = selectors.task_get_for_user(user=request.user, pk=pk)
    return _row(request, task, error)


@login_required
@require_POST
def task_cancel(request, pk: int):
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    error = ""
    try:
        task = services.cancel_task(task, by=request.user, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(getattr(exc, "messages", [str(exc)]))
        task = selectors.task_get_for_user(user=request.user, pk=pk)
    return _row(request, task, error)
