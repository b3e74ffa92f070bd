"""Making, closing and handing on tasks: what is written, what is refused, and that a refusal
changes nothing."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from tend.accounts.tests.factories import UserFactory
from tend.tasks.models import Task, TaskKind, TaskStatus
from tend.tasks.services import cancel_task, complete_task, create_task, reassign_task
from tend.tasks.tests.factories import TaskFactory
from tend.timeline.models import TimelineEntry

pytestmark = pytest.mark.django_db


def make(customer, assignee, **kwargs):
    values = {
        "customer": customer,
        "assignee": assignee,
        "kind": TaskKind.CALL,
        "title": "Call about the reorder",
        "due_at": timezone.now() + timedelta(days=1),
    }
    values.update(kwargs)
    return create_task(**values)


def written() -> tuple[int, int]:
    return Task.objects.count(), TimelineEntry.objects.filter(kind="task").count()


def test_create_task_opens_it_and_writes_the_timeline(book, rep1):
    task = make(book["rep1_owned"], rep1, created_by=rep1, detail="  ask about Q3  ")

    assert (task.status, task.origin, task.detail, task.created_by) == (
        TaskStatus.OPEN,
        "manual",
        "ask about Q3",
        rep1,
    )
    entry = TimelineEntry.objects.get(customer=book["rep1_owned"], kind="task")
    assert entry.title.startswith("Task for Alice Tester: Call about the reorder, due ")
    assert (entry.source_type, entry.source_id, entry.actor) == ("tasks.task", task.pk, rep1)
    assert entry.data["status"] == "open"


def test_a_naive_due_time_is_read_in_the_current_time_zone(book, rep1):
    task = make(book["rep1_owned"], rep1, due_at=datetime(2030, 1, 2, 17, 0))  # noqa: DTZ001
    assert timezone.is_aware(task.due_at)


def test_same_dedupe_key_while_open_creates_nothing(book, rep1):
    first = make(book["rep1_owned"], rep1, dedupe_key="risk:1", origin="playbook")

    assert make(book["rep1_owned"], rep1, dedupe_key="risk:1") is None
    assert written() == (1, 1)

    complete_task(first, by=rep1, outcome="Called, all fine")
    second = make(book["rep1_owned"], rep1, dedupe_key="risk:1")
    assert second is not None and second.pk != first.pk


def test_a_concurrent_twin_losing_on_the_constraint_returns_none(book, rep1, monkeypatch):
    """The race: the existence check saw nothing, then the twin committed first."""
    make(book["rep1_owned"], rep1, dedupe_key="risk:2")
    real_filter = Task.objects.open().filter
    calls = {"n": 0}

    class BlindOnce:
        def filter(self, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 1:
                return Task.objects.none()
            return real_filter.__self__.filter(*args, **kwargs)

    monkeypatch.setattr(Task.objects, "open", lambda: BlindOnce())
    assert make(book["rep1_owned"], rep1, dedupe_key="risk:2") is None
    assert calls["n"] == 2
    assert written() == (1, 1)


def test_the_database_refuses_two_open_tasks_with_one_key(book, rep1):
    TaskFactory(customer=book["rep1_owned"], assignee=rep1, dedupe_key="k")
    with pytest.raises(IntegrityError):
        TaskFactory(customer=book["rep1_owned"], assignee=rep1, dedupe_key="k")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "   "}, "title", "Say what is to be done."),
        ({"title": "x" * 201}, "title", "Keep the title under 200 characters."),
        ({"kind": "fax"}, "kind", "“fax” is not a kind of task."),
        ({"due_at": None}, "due_at", "A task needs a due date."),
        ({"assignee": None}, "assignee", "Say who the task is for."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(book, rep1, change, field, message):
    change = dict(change)
    with pytest.raises(ValidationError) as refused:
        make(book["rep1_owned"], change.pop("assignee", rep1), **change)
    assert refused.value.message_dict == {field: [message]}
    assert written() == (0, 0)


def test_an_inactive_person_cannot_be_given_a_task(book, team1):
    gone = UserFactory(username="gone", first_name="Gone", team=team1, is_active=False)
    with pytest.raises(ValidationError) as refused:
        make(book["rep1_owned"], gone)
    assert refused.value.message_dict == {
        "assignee": ["Gone Tester is no longer active and cannot be given a task."]
    }
    assert written() == (0, 0)


def test_a_person_cannot_add_a_task_to_a_customer_they_cannot_see(book, rep1):
    with pytest.raises(ValidationError) as refused:
        make(book["rep2_owned"], rep1, created_by=rep1)
    assert refused.value.message_dict == {"customer": ["You cannot see this customer."]}
    assert written() == (0, 0)


def test_a_rep_cannot_give_a_task_to_someone_outside_their_team(book, rep1, rep2):
    with pytest.raises(ValidationError) as refused:
        make(book["pool"], rep2, created_by=rep1)
    assert refused.value.message_dict == {"assignee": ["You cannot give a task to Bob Tester."]}
    assert written() == (0, 0)


def test_completing_records_the_outcome_and_the_timeline(book, rep1):
    task = make(book["rep1_owned"], rep1)

    done = complete_task(task, by=rep1, outcome="  Reordered 2 pallets ")

    task.refresh_from_db()
    assert (task.status, task.outcome, task.closed_by) == (
        TaskStatus.DONE,
        "Reordered 2 pallets",
        rep1,
    )
    assert done.closed_at is not None
    entry = TimelineEntry.objects.filter(kind="task").latest("id")
    assert (entry.title, entry.body) == (
        "Task done: Call about the reorder",
        "Reordered 2 pallets",
    )


def test_completing_without_an_outcome_is_refused(book, rep1):
    task = make(book["rep1_owned"], rep1)
    with pytest.raises(ValidationError) as refused:
        complete_task(task, by=rep1, outcome="  ")
    assert refused.value.message_dict == {"outcome": ["Record the outcome: what happened?"]}
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert written() == (1, 1)


def test_a_second_click_on_done_does_not_close_twice(book, rep1):
    task = make(book["rep1_owned"], rep1)
    complete_task(task, by=rep1, outcome="Called")

    with pytest.raises(ValidationError) as refused:
        complete_task(task, by=rep1, outcome="Called again")  # the stale object, still "open"
    assert refused.value.messages == ["This task is already closed (Done)."]
    task.refresh_from_db()
    assert task.outcome == "Called"
    assert written() == (1, 2)


def test_a_rep_cannot_close_someone_elses_task_even_on_a_customer_they_see(book, rep1, rep2):
    # rep1 backs up this customer of rep2's, so sees it; the task is still rep2's.
    task = make(book["rep1_backup"], rep2)
    for action in (
        lambda: complete_task(task, by=rep1, outcome="Done it for Bob"),
        lambda: cancel_task(task, by=rep1, reason="Not needed"),
    ):
        with pytest.raises(PermissionDenied):
            action()
    task.refresh_from_db()
    assert (task.status, task.outcome) == (TaskStatus.OPEN, "")
    assert written() == (1, 1)


def test_the_manager_of_the_customer_may_close_a_reps_task(book, rep1, manager1):
    task = make(book["rep1_owned"], rep1)
    complete_task(task, by=manager1, outcome="Alice is away; I called")
    task.refresh_from_db()
    assert (task.status, task.closed_by) == (TaskStatus.DONE, manager1)


def test_a_manager_of_another_team_may_not(book, rep2, team1):
    task = make(book["rep2_owned"], rep2)
    other_manager = UserFactory(username="m1b", role="manager", team=team1)
    with pytest.raises(PermissionDenied):
        complete_task(task, by=other_manager, outcome="Nope")
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_the_admin_may_close_any_task(book, rep2, admin_user):
    task = make(book["rep2_owned"], rep2)
    cancel_task(task, by=admin_user, reason="Customer closed down")
    task.refresh_from_db()
    assert (task.status, task.outcome) == (TaskStatus.CANCELLED, "Customer closed down")
    entry = TimelineEntry.objects.filter(kind="task").latest("id")
    assert entry.title == "Task cancelled: Call about the reorder"


def test_cancelling_needs_a_reason(book, rep1):
    task = make(book["rep1_owned"], rep1)
    with pytest.raises(ValidationError) as refused:
        cancel_task(task, by=rep1, reason="")
    assert refused.value.message_dict == {"reason": ["Say why the task is cancelled."]}
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_reassigning_moves_the_task_and_says_so(book, rep1, manager1):
    task = make(book["rep1_owned"], rep1)
    reassign_task(task, to=manager1, by=manager1)
    task.refresh_from_db()
    assert task.assignee == manager1
    entry = TimelineEntry.objects.filter(kind="task").latest("id")
    assert entry.title == "Task Call about the reorder moved from Alice Tester to Maria Tester"


def test_reassigning_to_an_inactive_person_or_a_closed_task_is_refused(book, rep1, team1):
    gone = UserFactory(username="gone2", team=team1, is_active=False)
    task = make(book["rep1_owned"], rep1)
    with pytest.raises(ValidationError):
        reassign_task(task, to=gone, by=rep1)
    complete_task(task, by=rep1, outcome="ok")
    with pytest.raises(ValidationError):
        reassign_task(task, to=rep1, by=rep1)
    task.refresh_from_db()
    assert task.assignee == rep1


def test_bulk_tasks_skip_open_dedupe_keys_and_write_their_timeline(rep1, book):
    from datetime import timedelta

    from django.utils import timezone

    from tend.tasks.models import Task
    from tend.tasks.services import create_task, create_tasks_bulk
    from tend.timeline.models import TimelineEntry

    customer = book["rep1_owned"]
    due = timezone.now() + timedelta(days=2)
    create_task(
        customer=customer, assignee=rep1, kind="call", title="Call", due_at=due, dedupe_key="k1"
    )

    def unsaved(key):
        return Task(
            customer=customer, assignee=rep1, kind="call", title="Call", due_at=due, dedupe_key=key
        )

    assert create_tasks_bulk([unsaved("k1"), unsaved("k2"), unsaved("k2"), unsaved("k3")]) == 2
    assert sorted(Task.objects.values_list("dedupe_key", flat=True)) == ["k1", "k2", "k3"]
    assert TimelineEntry.objects.filter(customer=customer, kind="task").count() == 3
