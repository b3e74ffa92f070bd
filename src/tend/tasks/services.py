"""Writes for tasks: made (by hand or by a rule), done with an outcome, cancelled with a reason,
handed to someone else. Every change leaves an entry on the customer's timeline."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.core.i18n import TranslatableText
from tend.customers.models import Customer
from tend.timeline.models import TimelineEntry
from tend.timeline.services import timeline_add

from .models import Task, TaskKind, TaskStatus
from .timeline_kinds import TASK

TITLE_MAX = Task._meta.get_field("title").max_length
ORIGIN_MAX = Task._meta.get_field("origin").max_length
DEDUPE_KEY_MAX = Task._meta.get_field("dedupe_key").max_length


def _aware(moment: datetime) -> datetime:
    """A naive time is read in the current (the person's) time zone."""
    if timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _due_text(task: Task) -> str:
    """The due time as the assignee reads it, in their own time zone (the timeline keeps the
    text; whoever made the task may sit elsewhere, or be the nightly job)."""
    try:
        zone = ZoneInfo(task.assignee.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return f"{timezone.localtime(task.due_at, zone):%Y-%m-%d %H:%M} ({zone.key})"


def may_close_task(*, task: Task, user: User | None) -> bool:
    """Who may complete, cancel or reassign a task: its assignee; otherwise a manager or admin
    who can see the customer. A rep may close only their own tasks."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if task.assignee_id == user.pk:
        return True
    if user.is_rep:
        return False
    return Customer.objects.visible_to(user).filter(pk=task.customer_id).exists()


def _check_may_close(task: Task, by: User) -> None:
    if not may_close_task(task=task, user=by):
        raise PermissionDenied(
            _("Only the person the task is assigned to, or their manager, may do this.")
        )


def _check_assignee(assignee: User | None, field: str = "assignee") -> None:
    if assignee is None or not getattr(assignee, "pk", None):
        raise ValidationError({field: _("Say who the task is for.")})
    if not assignee.is_active:
        raise ValidationError(
            {
                field: _("%(name)s is no longer active and cannot be given a task.")
                % {"name": assignee}
            }
        )


def _locked_open(task: Task) -> Task:
    """The task, locked for the rest of the transaction; refuses a task that is already closed
    (so two clicks on "Done" close it once)."""
    task = Task.objects.select_for_update(of=("self",)).select_related("assignee").get(pk=task.pk)
    if task.status != TaskStatus.OPEN:
        raise ValidationError(
            _("This task is already closed (%(status)s).") % {"status": task.get_status_display()}
        )
    return task


@transaction.atomic
def create_task(
    *,
    customer: Customer,
    assignee: User,
    kind: str,
    title: str,
    due_at: datetime,
    origin: str = "manual",
    dedupe_key: str = "",
    created_by: User | None = None,
    detail: str = "",
) -> Task | None:
    """Open a task for one person on one customer.

    With a ``dedupe_key``, nothing is made (and None returned) while an open task with the same
    key exists: a rule may call this every run. ``created_by`` is the person who asked for it
    (None for a rule); when given, they must be able to see the customer and to name the
    assignee (``users_assignable_by``)."""
    from tend.customers.selectors import users_assignable_by

    _check_assignee(assignee)
    if kind not in TaskKind.values:
        raise ValidationError({"kind": _("“%(value)s” is not a kind of task.") % {"value": kind}})
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Say what is to be done.")})
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": _("Keep the title under %(max)d characters.") % {"max": TITLE_MAX}}
        )
    if due_at is None:
        raise ValidationError({"due_at": _("A task needs a due date.")})
    due_at = _aware(due_at)
    origin = (origin or "manual").strip()
    if len(origin) > ORIGIN_MAX:
        raise ValidationError({"origin": _("The origin is too long.")})
    dedupe_key = (dedupe_key or "").strip()
    if len(dedupe_key) > DEDUPE_KEY_MAX:
        raise ValidationError({"dedupe_key": _("The dedupe key is too long.")})
    if created_by is not None:
        if not Customer.objects.visible_to(created_by).filter(pk=customer.pk).exists():
            raise ValidationError({"customer": _("You cannot see this customer.")})
        if not users_assignable_by(user=created_by).filter(pk=assignee.pk).exists():
            raise ValidationError(
                {"assignee": _("You cannot give a task to %(name)s.") % {"name": assignee}}
            )

    if dedupe_key and Task.objects.open().filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin loses on the constraint
            task = Task.objects.create(
                customer=customer,
                assignee=assignee,
                kind=kind,
                title=title,
                detail=(detail or "").strip(),
                due_at=due_at,
                origin=origin,
                dedupe_key=dedupe_key,
                created_by=created_by,
            )
    except IntegrityError:
        if dedupe_key and Task.objects.open().filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    _opened_entry(task).save()
    return task


def _opened_entry(task: Task):
    """The unsaved timeline entry that says a task was opened."""
    return timeline_add(
        customer_id=task.customer_id,
        kind=TASK,
        title=TranslatableText(
            gettext_lazy("Task for %(name)s: %(title)s, due %(due)s"),
            {"name": task.assignee, "title": task.title, "due": _due_text(task)},
        ),
        actor=task.created_by,
        at=task.created_at,
        body=task.detail,
        data={
            "status": TaskStatus.OPEN,
            "kind": task.kind,
            "origin": task.origin,
            "assignee": task.assignee_id,
        },
        source=task,
        save=False,
    )


BULK_BATCH = 2000


@transaction.atomic
def create_tasks_bulk(tasks: list[Task]) -> int:
    """Open many rule-made tasks at once (a playbook run over a big book): unsaved ``Task``
    objects built from known-good values (active assignee, a TaskKind, a title, a due time, a
    dedupe key). Those whose dedupe key is already open are skipped; the rest are written in
    batches with their timeline entries. Returns how many were opened."""
    wanted = {}
    for task in tasks:
        if task.assignee is None or not task.assignee.is_active or not task.dedupe_key:
            raise ValueError("bulk tasks need an active assignee and a dedupe key")
        wanted.setdefault(task.dedupe_key, task)
    keys = list(wanted)
    for start in range(0, len(keys), BULK_BATCH):
        chunk = keys[start : start + BULK_BATCH]
        for key in (
            Task.objects.open().filter(dedupe_key__in=chunk).values_list("dedupe_key", flat=True)
        ):
            wanted.pop(key, None)
    fresh = list(wanted.values())
    for start in range(0, len(fresh), BULK_BATCH):
        batch = Task.objects.bulk_create(fresh[start : start + BULK_BATCH])
        TimelineEntry.objects.bulk_create([_opened_entry(task) for task in batch])
    return len(fresh)


def _close(task: Task, *, by: User, status: str, outcome: str, title: str) -> Task:
    task = _locked_open(task)
    _check_may_close(task, by)
    task.status = status
    task.outcome = outcome
    task.closed_at = timezone.now()
    task.closed_by = by
    task.save(update_fields=["status", "outcome", "closed_at", "closed_by"])
    timeline_add(
        customer_id=task.customer_id,
        kind=TASK,
        title=TranslatableText(title, {"title": task.title}),
        actor=by,
        at=task.closed_at,
        body=outcome,
        data={"status": status, "kind": task.kind},
        source=task,
    )
    return task


@transaction.atomic
def complete_task(task: Task, *, by: User, outcome: str) -> Task:
    """Mark an open task done, recording its outcome (required)."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Record the outcome: what happened?")})
    return _close(
        task,
        by=by,
        status=TaskStatus.DONE,
        outcome=outcome,
        title=gettext_lazy("Task done: %(title)s"),
    )


@transaction.atomic
def cancel_task(task: Task, *, by: User, reason: str) -> Task:
    """Cancel an open task; the reason (required) is kept as its outcome."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the task is cancelled.")})
    return _close(
        task,
        by=by,
        status=TaskStatus.CANCELLED,
        outcome=reason,
        title=gettext_lazy("Task cancelled: %(title)s"),
    )


@transaction.atomic
def reassign_task(task: Task, *, to: User, by: User | None) -> Task:
    """Give an open task to someone else. ``by`` None is the system (a handover)."""
    _check_assignee(to, field="to")
    task = _locked_open(task)
    if by is not None:
        _check_may_close(task, by)
    if task.assignee_id == to.pk:
        return task
    previous = task.assignee
    task.assignee = to
    task.save(update_fields=["assignee"])
    timeline_add(
        customer_id=task.customer_id,
        kind=TASK,
        title=TranslatableText(
            gettext_lazy("Task %(title)s moved from %(old)s to %(new)s"),
            {"title": task.title, "old": previous, "new": to},
        ),
        actor=by,
        data={"status": TaskStatus.OPEN, "from": previous.pk, "to": to.pk},
        source=task,
    )
    return task
