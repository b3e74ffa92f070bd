"""Tasks through the API: listing with filters, adding, reading, closing; who may see what
(404 for the rest), and refused input changing nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tend.tasks.models import Task, TaskStatus
from tend.tasks.tests.factories import TaskFactory
from tend.timeline.models import TimelineEntry

USERS = ["rep1", "rep2", "manager1", "admin_user"]
CUSTOMERS = ["rep1_owned", "rep2_owned", "rep1_backup", "pool"]

# Who may see which customer of the shared book (as in customers/tests/test_visibility.py).
VISIBLE = {
    "rep1": {"rep1_owned", "rep1_backup", "pool"},
    "rep2": {"rep2_owned", "rep1_backup", "pool"},
    "manager1": {"rep1_owned", "rep1_backup", "pool"},
    "admin_user": set(CUSTOMERS),
}
MATRIX = [(user, customer) for user in USERS for customer in CUSTOMERS]


def post(client, url: str, data: dict):
    return client.post(url, data, content_type="application/json")


def written() -> tuple[int, int]:
    return Task.objects.count(), TimelineEntry.objects.filter(kind="task").count()


@pytest.fixture
def tasks_everywhere(book, admin_user):
    """One open task at each customer of the book, all held by the admin (so no one sees one
    by being its assignee)."""
    return {key: TaskFactory(customer=book[key], assignee=admin_user) for key in CUSTOMERS}


@pytest.mark.parametrize(("user", "customer"), MATRIX)
def test_a_task_is_visible_exactly_when_its_customer_is(
    client, request, tasks_everywhere, user, customer
):
    client.force_login(request.getfixturevalue(user))
    task = tasks_everywhere[customer]
    response = client.get(f"/api/v1/tasks/{task.pk}")
    assert response.status_code == (200 if customer in VISIBLE[user] else 404)


@pytest.mark.parametrize("user", USERS)
def test_the_list_holds_the_tasks_of_visible_customers(client, request, tasks_everywhere, user):
    client.force_login(request.getfixturevalue(user))
    body = client.get("/api/v1/tasks").json()
    expected = {tasks_everywhere[key].pk for key in VISIBLE[user]}
    assert {row["id"] for row in body["results"]} == expected
    assert body["count"] == len(expected)


def test_the_assignee_sees_their_own_task_even_at_a_customer_they_cannot_see(client, rep1, book):
    task = TaskFactory(customer=book["rep2_owned"], assignee=rep1)
    client.force_login(rep1)
    assert client.get(f"/api/v1/tasks/{task.pk}").status_code == 200


def test_filters_status_mine_customer_and_due_before(client, rep1, manager1, book):
    now = timezone.now()
    mine_soon = TaskFactory(customer=book["rep1_owned"], assignee=rep1, due_at=now)
    TaskFactory(customer=book["rep1_owned"], assignee=rep1, due_at=now + timedelta(days=9))
    TaskFactory(customer=book["pool"], assignee=manager1, due_at=now)
    done = TaskFactory(
        customer=book["rep1_owned"], assignee=rep1, due_at=now, status=TaskStatus.DONE
    )
    client.force_login(rep1)

    def ids(**params):
        return [row["id"] for row in client.get("/api/v1/tasks", params).json()["results"]]

    before = (now + timedelta(days=1)).isoformat()
    assert sorted(ids(mine=True, status="open", due_before=before)) == [mine_soon.pk]
    assert ids(status="done") == [done.pk]
    assert len(ids(customer_id=book["rep1_owned"].pk)) == 3
    assert len(ids(customer_id=book["pool"].pk)) == 1


def test_the_list_is_paginated(client, rep1, book):
    for _index in range(5):
        TaskFactory(customer=book["rep1_owned"], assignee=rep1)
    client.force_login(rep1)
    body = client.get("/api/v1/tasks", {"page": 2, "page_size": 2}).json()
    assert (body["count"], body["page"], body["page_size"], len(body["results"])) == (5, 2, 2, 2)


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_query_count_does_not_grow(
    client, rep1, book, rows, django_assert_max_num_queries
):
    for _index in range(rows):
        TaskFactory(customer=book["rep1_owned"], assignee=rep1)
    client.force_login(rep1)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/tasks")
    assert response.json()["count"] == rows


def test_adding_a_task_for_a_teammate(client, rep1, manager1, book):
    client.force_login(manager1)
    response = post(
        client,
        "/api/v1/tasks",
        {
            "customer_id": book["rep1_owned"].pk,
            "kind": "visit",
            "title": "Visit the showroom",
            "due_at": "2030-03-04T15:00:00Z",
            "assignee_id": rep1.pk,
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["assignee_id"], body["kind"], body["status"], body["created_by_id"]) == (
        rep1.pk,
        "visit",
        "open",
        manager1.pk,
    )
    assert body["due_at"] == "2030-03-04T15:00:00Z"
    assert written() == (1, 1)


def test_a_due_time_without_a_zone_is_read_in_the_users(client, rep1, book):
    rep1.time_zone = "Asia/Dubai"
    rep1.save()
    client.force_login(rep1)
    response = post(
        client,
        "/api/v1/tasks",
        {
            "customer_id": book["rep1_owned"].pk,
            "kind": "call",
            "title": "Call",
            "due_at": "2030-03-04T09:00:00",
        },
    )
    assert response.status_code == 201
    assert Task.objects.get().due_at == datetime(2030, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": " "}, "title"),
        ({"kind": "fax"}, "kind"),
        ({"due_at": "someday"}, "due_at"),
        ({"assignee_id": 999999}, "assignee_id"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_nothing_is_written(
    client, rep1, book, change, field
):
    client.force_login(rep1)
    payload = {
        "customer_id": book["rep1_owned"].pk,
        "kind": "call",
        "title": "Call",
        "due_at": "2030-03-04T09:00:00Z",
        **change,
    }
    response = post(client, "/api/v1/tasks", payload)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert written() == (0, 0)


def test_a_rep_cannot_give_a_task_to_another_team(client, rep1, rep2, book):
    client.force_login(rep1)
    response = post(
        client,
        "/api/v1/tasks",
        {
            "customer_id": book["pool"].pk,
            "kind": "call",
            "title": "Call",
            "due_at": "2030-03-04T09:00:00Z",
            "assignee_id": rep2.pk,
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"assignee_id": ["You cannot give a task to Bob Tester."]}
    assert written() == (0, 0)


def test_adding_at_a_customer_you_cannot_see_is_404(client, rep1, book):
    client.force_login(rep1)
    response = post(
        client,
        "/api/v1/tasks",
        {
            "customer_id": book["rep2_owned"].pk,
            "kind": "call",
            "title": "Call",
            "due_at": "2030-03-04T09:00:00Z",
        },
    )
    assert response.status_code == 404
    assert written() == (0, 0)


def test_complete_then_complete_again(client, rep1, book):
    task = TaskFactory(customer=book["rep1_owned"], assignee=rep1)
    client.force_login(rep1)

    response = post(client, f"/api/v1/tasks/{task.pk}/complete", {"outcome": "Reordered"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("done", "Reordered")

    again = post(client, f"/api/v1/tasks/{task.pk}/complete", {"outcome": "Twice"})
    assert again.status_code == 422
    assert again.json()["message"] == "This task is already closed (Done)."
    task.refresh_from_db()
    assert task.outcome == "Reordered"


def test_complete_needs_an_outcome(client, rep1, book):
    task = TaskFactory(customer=book["rep1_owned"], assignee=rep1)
    client.force_login(rep1)
    response = post(client, f"/api/v1/tasks/{task.pk}/complete", {"outcome": ""})
    assert response.status_code == 422
    assert response.json()["errors"] == {"outcome": ["Record the outcome: what happened?"]}
    assert Task.objects.get().status == TaskStatus.OPEN
    assert post(client, f"/api/v1/tasks/{task.pk}/complete", {}).status_code == 422


def test_a_rep_may_not_close_a_teammates_task_on_a_shared_customer(client, rep1, rep2, book):
    task = TaskFactory(customer=book["rep1_backup"], assignee=rep2)
    client.force_login(rep1)
    response = post(client, f"/api/v1/tasks/{task.pk}/cancel", {"reason": "Not mine"})
    assert response.status_code == 403
    assert Task.objects.get().status == TaskStatus.OPEN


def test_closing_an_invisible_task_is_404(client, rep1, rep2, book):
    task = TaskFactory(customer=book["rep2_owned"], assignee=rep2)
    client.force_login(rep1)
    assert post(client, f"/api/v1/tasks/{task.pk}/complete", {"outcome": "x"}).status_code == 404
    assert post(client, f"/api/v1/tasks/{task.pk}/cancel", {"reason": "x"}).status_code == 404
    assert Task.objects.get().status == TaskStatus.OPEN


def test_cancel_by_the_manager(client, rep1, manager1, book):
    task = TaskFactory(customer=book["rep1_owned"], assignee=rep1)
    client.force_login(manager1)
    response = post(client, f"/api/v1/tasks/{task.pk}/cancel", {"reason": "Customer paused"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["closed_by_id"]) == (
        "cancelled",
        manager1.pk,
    )


def test_the_api_needs_a_login(client, book):
    assert client.get("/api/v1/tasks").status_code == 401
