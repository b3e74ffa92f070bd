"""A leaving person's open tasks move to the successor; nothing stays with them."""

from tend.accounts.tests.factories import UserFactory
from tend.handover import services
from tend.handover.selectors import inactive_assignments
from tend.handover.services import HandoverRule
from tend.tasks.models import TaskStatus
from tend.tasks.tests.factories import TaskFactory
from tend.timeline.models import TimelineEntry


def test_handover_moves_open_tasks_and_leaves_closed_ones(book, rep1, manager1, team1):
    carl = UserFactory(username="carl", first_name="Carl", team=team1)
    open_task = TaskFactory(customer=book["rep1_owned"], assignee=rep1, title="Visit")
    done_task = TaskFactory(
        customer=book["rep1_owned"], assignee=rep1, status=TaskStatus.DONE, outcome="ok"
    )

    services.handover_execute(by=manager1, person=rep1, rule=HandoverRule(successor=carl))

    open_task.refresh_from_db()
    done_task.refresh_from_db()
    assert (open_task.assignee, done_task.assignee) == (carl, rep1)
    entry = TimelineEntry.objects.get(kind="task", source_id=open_task.pk)
    assert (entry.title, entry.actor) == (
        "Task handed over from Alice Tester to Carl Tester: Visit",
        manager1,
    )
    assert inactive_assignments() == []


def test_the_inactive_check_finds_an_open_task_of_a_deactivated_person(book, rep1):
    task = TaskFactory(customer=book["rep1_owned"], assignee=rep1, title="Visit")
    TaskFactory(customer=book["rep1_owned"], assignee=rep1, status=TaskStatus.CANCELLED)
    rep1.is_active = False
    rep1.save()
    found = [line for line in inactive_assignments() if "task" in line]
    assert found == [
        f"Open task #{task.pk} (Visit) at Al Noor Trading is held by inactive Alice Tester"
    ]
