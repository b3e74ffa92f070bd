"""The customer page's tasks panel: open tasks, recently closed ones with their outcome, and a
small form to add one."""

from datetime import timedelta

from django.utils import timezone

from tend.customers.panels import panel_url
from tend.tasks.models import Task, TaskStatus
from tend.tasks.tests.factories import TaskFactory
from tend.timeline.models import TimelineEntry


def test_the_panel_lists_open_and_recently_closed_tasks(client, rep1, book):
    customer = book["rep1_owned"]
    TaskFactory(customer=customer, assignee=rep1, title="Send the price list")
    TaskFactory(
        customer=customer,
        assignee=rep1,
        title="Call the buyer",
        status=TaskStatus.DONE,
        outcome="Ordered 3 pallets",
        closed_at=timezone.now() - timedelta(days=2),
        closed_by=rep1,
    )
    TaskFactory(
        customer=customer,
        assignee=rep1,
        title="Ancient history",
        status=TaskStatus.DONE,
        outcome="long ago",
        closed_at=timezone.now() - timedelta(days=90),
    )
    client.force_login(rep1)
    html = client.get(panel_url(customer.pk, "tasks")).content.decode()
    assert 'id="customer-tasks"' in html
    assert "Send the price list" in html
    assert "Call the buyer" in html and "Ordered 3 pallets" in html
    assert "Ancient history" not in html
    assert "Add a task" in html


def test_the_form_offers_only_people_the_user_may_assign(client, rep1, rep2, manager1, book):
    client.force_login(rep1)
    html = client.get(panel_url(book["rep1_owned"].pk, "tasks")).content.decode()
    assert f'<option value="{manager1.pk}"' in html
    assert f'<option value="{rep2.pk}"' not in html


def test_adding_a_task_answers_the_panel_with_it(client, rep1, manager1, book):
    customer = book["rep1_owned"]
    client.force_login(manager1)
    response = client.post(
        f"/tasks/customers/{customer.pk}/new/",
        {"kind": "visit", "title": "Visit the showroom", "due": "2030-03-04", "assignee": rep1.pk},
    )
    assert response.status_code == 200
    assert "Visit the showroom" in response.content.decode()
    task = Task.objects.get()
    assert (task.assignee, task.kind, task.created_by, task.customer) == (
        rep1,
        "visit",
        manager1,
        customer,
    )
    assert timezone.localtime(task.due_at).date().isoformat() == "2030-03-04"
    assert TimelineEntry.objects.filter(customer=customer, kind="task").count() == 1


def test_adding_without_a_title_shows_the_error_and_adds_nothing(client, rep1, book):
    client.force_login(rep1)
    response = client.post(
        f"/tasks/customers/{book['rep1_owned'].pk}/new/",
        {"kind": "call", "title": "", "due": "2030-03-04", "assignee": rep1.pk},
    )
    assert 'class="errorlist"' in response.content.decode()
    assert not Task.objects.exists()


def test_a_customer_the_user_cannot_see_is_not_found(client, rep1, book):
    client.force_login(rep1)
    response = client.post(
        f"/tasks/customers/{book['rep2_owned'].pk}/new/",
        {"kind": "call", "title": "Sneak", "due": "2030-03-04", "assignee": rep1.pk},
    )
    assert response.status_code == 404
    assert not Task.objects.exists()


def test_a_due_date_at_the_end_of_the_calendar_is_refused_naming_the_field(client, rep1, book):
    client.force_login(rep1)
    for day in ("9999-12-31", "0001-01-01"):
        response = client.post(
            f"/tasks/customers/{book['rep1_owned'].pk}/new/",
            {"kind": "call", "title": "Call", "due": day, "assignee": rep1.pk},
        )
        assert response.context["task_form"].errors == {
            "due": ["Pick a date between 1900-01-01 and 2999-12-31."]
        }
    assert not Task.objects.exists()
