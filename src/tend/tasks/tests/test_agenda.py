"""The "Tasks" section of the agenda: the person's own open tasks due by the end of their day,
overdue first, each closed with one click and an outcome."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tend.agenda import registry
from tend.agenda.views import agenda_context, agenda_sections
from tend.customers.tests.factories import CustomerFactory
from tend.tasks.models import Task, TaskStatus
from tend.tasks.tests.factories import TaskFactory
from tend.timeline.models import TimelineEntry

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)  # a Monday


def tasks_section(user, now=NOW):
    context = agenda_context(user=user, viewer=user, now=now)
    return next(s for s in registry.sections() if s.key == "tasks_due").rows(context, 50)


def test_the_section_holds_my_open_tasks_due_by_tonight_overdue_first(book, rep1, rep2):
    customer = book["rep1_owned"]
    later_today = TaskFactory(customer=customer, assignee=rep1, due_at=NOW + timedelta(hours=3))
    overdue = TaskFactory(customer=customer, assignee=rep1, due_at=NOW - timedelta(days=2))
    TaskFactory(customer=customer, assignee=rep1, due_at=NOW + timedelta(days=1))  # tomorrow
    TaskFactory(customer=customer, assignee=rep1, due_at=NOW, status=TaskStatus.DONE)
    TaskFactory(customer=book["rep2_owned"], assignee=rep2, due_at=NOW)  # someone else's

    result = tasks_section(rep1)

    assert result.total == 2
    assert [(row.item, row.overdue) for row in result.rows] == [
        (overdue, True),
        (later_today, False),
    ]
    assert result.rows[0].customer == customer


def test_the_digest_line_names_kind_task_customer_and_due(book, rep1):
    TaskFactory(customer=book["rep1_owned"], assignee=rep1, title="Chase the LC", due_at=NOW)
    section = next(s for s in registry.sections() if s.key == "tasks_due")
    row = tasks_section(rep1).rows[0]
    assert section.digest_line(row) == (
        "Call: Chase the LC — Al Noor Trading (due 2026-11-23 12:00)"
    )


def test_the_agenda_page_shows_the_section_with_done_and_cancel(client, rep1, book):
    TaskFactory(
        customer=book["rep1_owned"],
        assignee=rep1,
        title="Chase the LC",
        due_at=timezone.now() - timedelta(hours=1),
    )
    context = agenda_context(user=rep1, viewer=rep1, now=NOW)
    assert "tasks_due" in [section.key for section, _result in agenda_sections(context)]
    client.force_login(rep1)
    assert 'id="section-tasks_due"' in client.get("/today/").content.decode()
    html = client.get("/today/section/tasks_due/", headers={"HX-Request": "true"}).content.decode()
    assert "Chase the LC" in html and "Al Noor Trading" in html
    assert 'name="outcome"' in html and "Cancel task" in html


def test_done_from_the_agenda_records_the_outcome_and_answers_the_row(client, rep1, book):
    task = TaskFactory(customer=book["rep1_owned"], assignee=rep1, due_at=NOW)
    client.force_login(rep1)

    response = client.post(f"/tasks/{task.pk}/done/", {"outcome": "Reordered", "where": "agenda"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="task-{task.pk}"' in html and "Reordered" in html and "Done" in html
    task.refresh_from_db()
    assert (task.status, task.outcome, task.closed_by) == (TaskStatus.DONE, "Reordered", rep1)
    assert TimelineEntry.objects.filter(kind="task", source_id=task.pk).count() == 1


def test_done_without_an_outcome_answers_the_row_with_the_error(client, rep1, book):
    task = TaskFactory(customer=book["rep1_owned"], assignee=rep1, due_at=NOW)
    client.force_login(rep1)
    response = client.post(f"/tasks/{task.pk}/done/", {"outcome": " ", "where": "agenda"})
    assert "Record the outcome: what happened?" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_cancel_from_the_agenda_needs_a_reason(client, rep1, book):
    task = TaskFactory(customer=book["rep1_owned"], assignee=rep1, due_at=NOW)
    client.force_login(rep1)
    client.post(f"/tasks/{task.pk}/cancel/", {"reason": ""})
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    client.post(f"/tasks/{task.pk}/cancel/", {"reason": "Duplicate"})
    task.refresh_from_db()
    assert (task.status, task.outcome) == (TaskStatus.CANCELLED, "Duplicate")


def test_another_reps_task_is_not_found(client, rep2, book):
    task = TaskFactory(customer=book["rep1_owned"], assignee=book["rep1_owned"].owner)
    client.force_login(rep2)
    assert client.post(f"/tasks/{task.pk}/done/", {"outcome": "x"}).status_code == 404
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


@pytest.mark.parametrize("rows", [3, 30])
def test_the_section_query_count_does_not_grow_with_rows(rep1, rows, django_assert_max_num_queries):
    for index in range(rows):
        customer = CustomerFactory(name=f"Importer {index}", owner=rep1)
        TaskFactory(customer=customer, assignee=rep1, due_at=NOW - timedelta(hours=index))
    with django_assert_max_num_queries(2):
        result = tasks_section(rep1)
    assert result.total == rows
