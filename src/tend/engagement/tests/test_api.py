"""Interactions, inquiries and promises through the API: what is written, what is refused, and
who may see what."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tend.customers.models import Customer
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement import api as engagement_api
from tend.engagement import services
from tend.engagement.models import Interaction, Promise, PromiseOutcome
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


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def post(client, url: str, data: dict):
    return client.post(url, data, content_type="application/json")


def written() -> tuple[int, int, int]:
    return Interaction.objects.count(), Promise.objects.count(), TimelineEntry.objects.count()


# ---------------------------------------------------------------------------------------------
# Logging and reading back


def test_an_interaction_logged_with_a_promise_reads_back_with_its_promise(client, rep1, book):
    customer = book["rep1_owned"]
    buyer = ContactFactory(customer=customer, name="Omar Haddad")
    client.force_login(rep1)
    response = post(
        client,
        f"/api/v1/customers/{customer.pk}/interactions",
        {
            "channel": "call",
            "direction": "out",
            "at": "2025-03-10T10:00:00Z",
            "subject": "Spring order",
            "summary": "  Wants 2 containers of the blue line.  ",
            "contact_ids": [buyer.pk],
            "promise": {
                "kind": "quote",
                "due_at": "2025-03-12T12:00:00Z",
                "description": "Quote for 2 containers",
                "contact_id": buyer.pk,
            },
        },
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    interaction = Interaction.objects.get()
    promise = Promise.objects.get()
    assert created["id"] == interaction.pk
    assert (created["channel"], created["direction"]) == ("call", "out")
    assert when(created["at"]) == utc(2025, 3, 10, 10)
    assert (created["subject"], created["summary"]) == (
        "Spring order",
        "Wants 2 containers of the blue line.",
    )
    assert (created["contact_ids"], created["person_ids"]) == ([buyer.pk], [rep1.pk])
    assert created["logged_by_id"] == rep1.pk
    assert [p["id"] for p in created["promises"]] == [promise.pk]

    read = client.get(f"/api/v1/interactions/{interaction.pk}").json()
    assert read == created
    promise_read = client.get(f"/api/v1/promises/{promise.pk}").json()
    assert promise_read == created["promises"][0]
    assert {
        key: promise_read[key]
        for key in (
            "customer_id",
            "customer_name",
            "contact_id",
            "kind",
            "description",
            "made_by_id",
            "made_by_name",
            "interaction_id",
            "outcome",
            "outcome_at",
            "closed_by_id",
            "overdue",
        )
    } == {
        "customer_id": customer.pk,
        "customer_name": "Al Noor Trading",
        "contact_id": buyer.pk,
        "kind": "quote",
        "description": "Quote for 2 containers",
        "made_by_id": rep1.pk,
        "made_by_name": "Alice Tester",
        "interaction_id": interaction.pk,
        "outcome": "open",
        "outcome_at": None,
        "closed_by_id": None,
        "overdue": True,
    }
    assert when(promise_read["made_at"]) == utc(2025, 3, 10, 10)
    assert when(promise_read["due_at"]) == utc(2025, 3, 12, 12)
    listed = client.get(f"/api/v1/customers/{customer.pk}/interactions").json()
    assert (listed["count"], listed["page"], listed["page_size"]) == (1, 1, 50)
    assert listed["results"] == [created]
    customer.refresh_from_db()
    assert customer.last_outbound_at == utc(2025, 3, 10, 10)


def test_the_interactions_list_is_newest_first_and_paginated(client, rep1, book):
    customer = book["rep1_owned"]
    for day in (3, 5, 4):
        services.interaction_log(
            by=rep1,
            customer=customer,
            channel="email",
            direction="out",
            at=utc(2025, 3, day, 9),
            subject=f"March {day}",
        )
    client.force_login(rep1)
    url = f"/api/v1/customers/{customer.pk}/interactions"
    first = client.get(url, {"page_size": 2}).json()
    second = client.get(url, {"page_size": 2, "page": 2}).json()
    assert first["count"] == 3
    assert [row["subject"] for row in first["results"]] == ["March 5", "March 4"]
    assert [row["subject"] for row in second["results"]] == ["March 3"]


def test_a_time_without_a_zone_is_read_in_the_users_own(client, rep1, book):
    rep1.time_zone = "Asia/Dubai"
    rep1.save()
    client.force_login(rep1)
    response = post(
        client,
        f"/api/v1/customers/{book['rep1_owned'].pk}/interactions",
        {"channel": "visit", "direction": "out", "at": "2025-03-10T10:00:00"},
    )
    assert response.status_code == 201
    assert Interaction.objects.get().at == utc(2025, 3, 10, 6)


def test_an_interaction_without_a_time_happens_now(client, rep1, book):
    client.force_login(rep1)
    before = timezone.now()
    response = post(
        client,
        f"/api/v1/customers/{book['rep1_owned'].pk}/interactions",
        {"channel": "whatsapp", "direction": "in", "needs_answer": True},
    )
    assert response.status_code == 201
    assert before <= Interaction.objects.get().at <= timezone.now()
    assert response.json()["needs_answer"] is True


# ---------------------------------------------------------------------------------------------
# Inquiries


def test_an_outbound_interaction_answers_the_open_inquiry_in_working_hours(client, rep1, book):
    """Friday 17:00 to Monday 10:00 UTC is Friday 21:00 to Monday 14:00 in the customer's Dubai,
    with working hours 9-18 Mon-Fri: five hours on Monday (the rep's UTC would count two)."""
    customer = book["rep1_owned"]
    client.force_login(rep1)
    url = f"/api/v1/customers/{customer.pk}/interactions"
    inquiry = post(
        client,
        url,
        {
            "channel": "email",
            "direction": "in",
            "at": "2025-03-07T17:00:00Z",
            "subject": "Price list please",
            "needs_answer": True,
        },
    ).json()
    waiting = client.get("/api/v1/inquiries").json()
    assert [row["id"] for row in waiting["results"]] == [inquiry["id"]]
    assert waiting["results"][0]["answered"] is False

    answer = post(
        client,
        url,
        {"channel": "email", "direction": "out", "at": "2025-03-10T10:00:00Z"},
    ).json()

    assert client.get("/api/v1/inquiries").json()["count"] == 0
    answered = client.get("/api/v1/inquiries", {"status": "answered"}).json()["results"]
    assert answered == [
        {
            "id": inquiry["id"],
            "customer_id": customer.pk,
            "customer_name": "Al Noor Trading",
            "owner_id": rep1.pk,
            "channel": "email",
            "at": answered[0]["at"],
            "subject": "Price list please",
            "answered": True,
            "answer_id": answer["id"],
            "answered_at": answered[0]["answered_at"],
            "responder_id": rep1.pk,
            "response_hours": 5.0,
            "waiting_hours": None,
        }
    ]
    assert when(answered[0]["at"]) == utc(2025, 3, 7, 17)
    assert when(answered[0]["answered_at"]) == utc(2025, 3, 10, 10)
    read_back = client.get(f"/api/v1/interactions/{inquiry['id']}").json()
    assert (read_back["answered_by_id"], read_back["response_hours"]) == (answer["id"], 5.0)
    assert Interaction.objects.get(pk=inquiry["id"]).response_hours == Decimal("5.00")


def two_inquiries_one_in_tokyo(monkeypatch, rep1, admin_user, book):
    """rep1 sits in Tokyo; rep2's customer is in Tokyo, rep1's keeps its own clock. One
    inquiry each, Monday 15:00 UTC (midnight in Tokyo); the API's clock is Tuesday 12:00 UTC,
    returned."""
    rep1.time_zone = "Asia/Tokyo"
    rep1.save()
    Customer.objects.filter(pk=book["rep2_owned"].pk).update(time_zone="Asia/Tokyo", country="JP")
    now = utc(2025, 3, 11, 12)
    monkeypatch.setattr(engagement_api, "_now", lambda: now)
    for name in ("rep1_owned", "rep2_owned"):
        services.interaction_log(
            by=admin_user,
            customer=book[name],
            channel="email",
            direction="in",
            at=utc(2025, 3, 10, 15),
            subject=name,
            needs_answer=True,
        )
    return now


def test_inquiries_filter_by_owner_customer_and_working_hours_waited(
    client, monkeypatch, rep1, rep2, admin_user, book
):
    """Waited hours are the customer's: 15:00 UTC Monday is midnight in Tokyo (and where the
    owner sits does not matter)."""
    two_inquiries_one_in_tokyo(monkeypatch, rep1, admin_user, book)
    client.force_login(admin_user)

    def subjects(**filters):
        rows = client.get("/api/v1/inquiries", filters).json()["results"]
        return {row["subject"]: row["waiting_hours"] for row in rows}

    assert subjects() == {"rep1_owned": 7.0, "rep2_owned": 9.0}
    assert subjects(older_than_hours=5) == {"rep1_owned": 7.0, "rep2_owned": 9.0}
    assert subjects(older_than_hours=8) == {"rep2_owned": 9.0}
    assert subjects(older_than_hours=10) == {}
    assert subjects(owner=rep1.pk) == {"rep1_owned": 7.0}
    assert subjects(customer=book["rep2_owned"].pk) == {"rep2_owned": 9.0}
    assert subjects(owner="pool") == {}
    client.force_login(rep1)
    assert subjects(owner="me") == {"rep1_owned": 7.0}
    assert subjects() == {"rep1_owned": 7.0}


# ---------------------------------------------------------------------------------------------
# Bad input


def _other_visible_contact(book):
    return ContactFactory(customer=book["rep1_backup"], name="Someone Else")


def _invisible_contact(book):
    return ContactFactory(customer=book["rep2_owned"], name="Hidden Buyer")


BAD_INTERACTIONS = [
    ("unknown channel", {"channel": "fax"}, "channel", "Input should be"),
    ("unknown direction", {"direction": "sideways"}, "direction", "Input should be"),
    ("needs answer on outbound", {"needs_answer": True}, "needs_answer", "Only an inbound"),
    ("in the future", {"at": "2099-01-01T00:00:00Z"}, "at", "cannot be in the future"),
    (
        "promise without due_at",
        {"promise": {"kind": "quote"}},
        "promise.due_at",
        "Field required",
    ),
    (
        "promise of an unknown kind",
        {"promise": {"kind": "miracle", "due_at": "2025-03-12T12:00:00Z"}},
        "promise.kind",
        "Input should be",
    ),
    (
        "promise due before it was made",
        {"promise": {"kind": "quote", "due_at": "2025-03-01T12:00:00Z"}},
        "promise.due_at",
        "before the promise was made",
    ),
    (
        "contact of another customer",
        {"contact_ids": "other"},
        "contact_ids",
        "is not a contact of this customer",
    ),
    (
        "contact the user may not see",
        {"contact_ids": "hidden"},
        "contact_ids",
        "No contact with id",
    ),
    (
        "promise to a contact of another customer",
        {"promise": {"kind": "quote", "due_at": "2025-03-12T12:00:00Z", "contact_id": "other"}},
        "promise.contact_id",
        "is not a contact of this customer",
    ),
    ("unknown person", {"person_ids": [999999]}, "person_ids", "No active person"),
]


@pytest.mark.parametrize(
    ("case", "change", "field", "message_part"),
    BAD_INTERACTIONS,
    ids=[case[0] for case in BAD_INTERACTIONS],
)
def test_bad_interaction_input_names_the_field_and_writes_nothing(
    client, rep1, book, case, change, field, message_part
):
    customer = book["rep1_owned"]
    contacts = {"other": _other_visible_contact(book).pk, "hidden": _invisible_contact(book).pk}
    payload = {"channel": "email", "direction": "out", "at": "2025-03-10T10:00:00Z", **change}
    if payload.get("contact_ids") in contacts:
        payload["contact_ids"] = [contacts[payload["contact_ids"]]]
    if "promise" in payload and payload["promise"].get("contact_id") in contacts:
        payload["promise"] = {
            **payload["promise"],
            "contact_id": contacts[payload["promise"]["contact_id"]],
        }
    client.force_login(rep1)
    before = written()
    response = post(client, f"/api/v1/customers/{customer.pk}/interactions", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "The request has invalid fields."
    assert list(body["errors"]) == [field]
    assert message_part in body["errors"][field][0]
    assert written() == before
    customer.refresh_from_db()
    assert customer.last_outbound_at is None


def test_an_outbound_message_that_fails_does_not_answer_the_open_inquiry(client, rep1, book):
    customer = book["rep1_owned"]
    inquiry = services.interaction_log(
        by=rep1,
        customer=customer,
        channel="email",
        direction="in",
        at=utc(2025, 3, 7, 17),
        needs_answer=True,
    )
    client.force_login(rep1)
    response = post(
        client,
        f"/api/v1/customers/{customer.pk}/interactions",
        {
            "channel": "email",
            "direction": "out",
            "at": "2025-03-10T10:00:00Z",
            "promise": {
                "kind": "quote",
                "due_at": "2025-03-12T12:00:00Z",
                "contact_id": _other_visible_contact(book).pk,
            },
        },
    )
    assert response.status_code == 422
    inquiry.refresh_from_db()
    assert (inquiry.answered_at, inquiry.answered_by_id, inquiry.response_hours) == (
        None,
        None,
        None,
    )
    assert Interaction.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Promises


def test_a_promise_made_through_the_api_and_its_bad_input(client, rep1, book):
    customer = book["rep1_owned"]
    buyer = ContactFactory(customer=customer)
    client.force_login(rep1)
    url = f"/api/v1/customers/{customer.pk}/promises"
    due = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    response = post(
        client,
        url,
        {
            "kind": "sample",
            "due_at": due.isoformat(),
            "description": "A4 swatches",
            "contact_id": buyer.pk,
        },
    )
    assert response.status_code == 201, response.json()
    promise = Promise.objects.get()
    assert response.json()["id"] == promise.pk
    assert (promise.kind, promise.description, promise.contact, promise.made_by) == (
        "sample",
        "A4 swatches",
        buyer,
        rep1,
    )
    assert (promise.due_at, promise.interaction, promise.outcome) == (due, None, "open")
    assert response.json()["overdue"] is False

    before = written()
    other = _other_visible_contact(book)
    refused = post(
        client, url, {"kind": "sample", "due_at": due.isoformat(), "contact_id": other.pk}
    )
    missing = post(client, url, {"kind": "sample"})
    past = post(client, url, {"kind": "sample", "due_at": "2020-01-01T00:00:00Z"})
    assert refused.status_code == missing.status_code == past.status_code == 422
    assert list(refused.json()["errors"]) == ["contact_id"]
    assert list(missing.json()["errors"]) == ["due_at"]
    assert past.json()["errors"] == {"due_at": ["The due date is before the promise was made."]}
    assert written() == before


def _promise(by, customer, **fields):
    return services.promise_make(
        by=by,
        customer=customer,
        kind=fields.pop("kind", "quote"),
        made_at=fields.pop("made_at", utc(2025, 3, 3, 9)),
        due_at=fields.pop("due_at", utc(2025, 3, 10, 12)),
        **fields,
    )


def test_closing_a_promise_twice_is_refused_with_a_message(client, rep1, book):
    promise = _promise(rep1, book["rep1_owned"], due_at=timezone.now() + timedelta(days=2))
    client.force_login(rep1)
    url = f"/api/v1/promises/{promise.pk}/close"
    first = post(client, url, {"done": True})
    assert first.status_code == 200
    assert (first.json()["outcome"], first.json()["closed_by_id"]) == ("kept", rep1.pk)
    promise.refresh_from_db()
    closed = (promise.outcome, promise.outcome_at, promise.outcome_reason, promise.closed_by_id)
    entries = TimelineEntry.objects.count()

    again = post(client, url, {"done": False, "reason": "Changed my mind"})

    assert again.status_code == 422
    assert again.json() == {
        "message": "This promise is already closed (Kept).",
        "errors": {"__all__": ["This promise is already closed (Kept)."]},
    }
    promise.refresh_from_db()
    assert (
        promise.outcome,
        promise.outcome_at,
        promise.outcome_reason,
        promise.closed_by_id,
    ) == closed
    assert TimelineEntry.objects.count() == entries


def test_withdrawing_needs_a_reason_and_a_late_one_is_kept_late(client, rep1, book):
    promise = _promise(rep1, book["rep1_owned"])
    client.force_login(rep1)
    url = f"/api/v1/promises/{promise.pk}/close"
    refused = post(client, url, {"done": False, "reason": "  "})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"reason": ["Say why the promise is withdrawn."]}
    promise.refresh_from_db()
    assert (promise.outcome, promise.outcome_at) == ("open", None)
    late = post(client, url, {"done": True})
    assert late.json()["outcome"] == "kept_late"


def test_the_promises_list_filters_by_status_maker_customer_and_due_dates(
    client, rep1, manager1, book
):
    a = _promise(rep1, book["rep1_owned"], due_at=utc(2025, 3, 5, 12), description="a")
    b = _promise(manager1, book["rep1_owned"], due_at=utc(2025, 3, 8, 12), description="b")
    c = _promise(rep1, book["pool"], due_at=utc(2025, 3, 20, 12), description="c")
    _promise(rep1, book["rep2_owned"], due_at=utc(2025, 3, 6, 12), description="not visible")
    services.promise_close(by=rep1, promise=a, done=True, at=utc(2025, 3, 4, 12))
    client.force_login(manager1)

    def listed(**filters):
        return [
            row["description"] for row in client.get("/api/v1/promises", filters).json()["results"]
        ]

    assert listed() == ["a", "b", "c"]
    assert listed(status="open") == ["b", "c"]
    assert listed(status="kept") == ["a"]
    assert listed(status="broken") == []
    assert listed(made_by="me") == ["b"]
    assert listed(made_by=rep1.pk) == ["a", "c"]
    assert listed(customer=book["pool"].pk) == ["c"]
    assert listed(customer=book["rep2_owned"].pk) == []
    assert listed(due_after="2025-03-06T00:00:00Z") == ["b", "c"]
    assert listed(due_before="2025-03-08T12:00:00Z") == ["a"]
    assert listed(due_after="2025-03-06T00:00:00Z", due_before="2025-03-10T00:00:00Z") == ["b"]
    page = client.get("/api/v1/promises", {"page_size": 2, "page": 2}).json()
    assert (page["count"], [row["id"] for row in page["results"]]) == (3, [c.pk])
    assert client.get("/api/v1/promises", {"status": "lost"}).status_code == 422
    assert b.pk in [row["id"] for row in client.get("/api/v1/promises").json()["results"]]


# ---------------------------------------------------------------------------------------------
# Visibility


@pytest.fixture
def scene(book, admin_user):
    """For each customer of the book: a contact, an open inquiry and an open promise."""
    records = {}
    for name, customer in book.items():
        contact = ContactFactory(customer=customer)
        inquiry = services.interaction_log(
            by=admin_user,
            customer=customer,
            channel="email",
            direction="in",
            at=utc(2025, 3, 3, 9),
            subject=f"Inquiry from {customer.name}",
            contacts=[contact],
            needs_answer=True,
        )
        promise = _promise(
            admin_user,
            customer,
            due_at=timezone.now() + timedelta(days=5),
            description=f"Promise to {customer.name}",
        )
        records[name] = {"contact": contact, "inquiry": inquiry, "promise": promise}
    return book, records


READ_API = [
    "/api/v1/customers/{pk}/interactions",
    "/api/v1/interactions/{inquiry}",
    "/api/v1/promises/{promise}",
]


@pytest.mark.parametrize(("user", "customer"), MATRIX)
@pytest.mark.parametrize("url", READ_API)
def test_reading_engagement_answers_200_only_when_the_customer_is_visible(
    client, request, scene, user, customer, url
):
    book, records = scene
    client.force_login(request.getfixturevalue(user))
    target = records[customer]
    response = client.get(
        url.format(pk=book[customer].pk, inquiry=target["inquiry"].pk, promise=target["promise"].pk)
    )
    assert response.status_code == (200 if customer in VISIBLE[user] else 404)


@pytest.mark.parametrize(("user", "customer"), MATRIX)
def test_writing_engagement_answers_404_and_changes_nothing_when_not_visible(
    client, request, scene, user, customer
):
    book, records = scene
    client.force_login(request.getfixturevalue(user))
    target, own = book[customer], records[customer]
    logged = post(
        client,
        f"/api/v1/customers/{target.pk}/interactions",
        {"channel": "call", "direction": "out", "contact_ids": [own["contact"].pk]},
    )
    promised = post(
        client,
        f"/api/v1/customers/{target.pk}/promises",
        {"kind": "price", "due_at": (timezone.now() + timedelta(days=1)).isoformat()},
    )
    closed = post(client, f"/api/v1/promises/{own['promise'].pk}/close", {"done": True})
    own["inquiry"].refresh_from_db()
    own["promise"].refresh_from_db()
    if customer in VISIBLE[user]:
        assert (logged.status_code, promised.status_code, closed.status_code) == (201, 201, 200)
        assert Interaction.objects.filter(customer=target).count() == 2
        assert Promise.objects.filter(customer=target).count() == 2
        assert own["inquiry"].answered_by_id == logged.json()["id"]
        assert own["promise"].outcome == PromiseOutcome.KEPT
    else:
        assert (logged.status_code, promised.status_code, closed.status_code) == (404, 404, 404)
        assert logged.json() == {"message": "Not found."}
        assert Interaction.objects.filter(customer=target).count() == 1
        assert Promise.objects.filter(customer=target).count() == 1
        assert own["inquiry"].answered_at is None
        assert own["promise"].outcome == PromiseOutcome.OPEN
        assert Customer.objects.get(pk=target.pk).last_outbound_at is None


@pytest.mark.parametrize("user", USERS)
def test_the_inquiry_and_promise_lists_show_exactly_the_visible_customers(
    client, request, scene, user
):
    book, _records = scene
    client.force_login(request.getfixturevalue(user))
    names = sorted(book[name].name for name in VISIBLE[user])
    inquiries = client.get("/api/v1/inquiries").json()
    promises = client.get("/api/v1/promises").json()
    assert sorted(row["customer_name"] for row in inquiries["results"]) == names
    assert sorted(row["customer_name"] for row in promises["results"]) == names
    assert inquiries["count"] == promises["count"] == len(names)


def test_a_contact_the_user_may_not_see_is_not_confirmed_to_exist(client, rep1, scene):
    _book, records = scene
    client.force_login(rep1)
    hidden = records["rep2_owned"]["contact"]
    response = post(
        client,
        f"/api/v1/customers/{records['rep1_owned']['inquiry'].customer_id}/interactions",
        {"channel": "call", "direction": "out", "contact_ids": [hidden.pk]},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"contact_ids": [f"No contact with id {hidden.pk}."]}


def test_anonymous_callers_get_401_from_every_engagement_endpoint(client, scene):
    _book, records = scene
    inquiry = records["pool"]["inquiry"]
    promise = records["pool"]["promise"]
    for method, url in [
        ("get", f"/api/v1/customers/{inquiry.customer_id}/interactions"),
        ("post", f"/api/v1/customers/{inquiry.customer_id}/interactions"),
        ("get", f"/api/v1/interactions/{inquiry.pk}"),
        ("get", "/api/v1/inquiries"),
        ("get", "/api/v1/promises"),
        ("post", f"/api/v1/customers/{inquiry.customer_id}/promises"),
        ("get", f"/api/v1/promises/{promise.pk}"),
        ("post", f"/api/v1/promises/{promise.pk}/close"),
    ]:
        assert getattr(client, method)(url).status_code == 401, url


# ---------------------------------------------------------------------------------------------
# Query counts


def _interactions_with_promises(customer, by, rows: int) -> None:
    contact = ContactFactory(customer=customer)
    for n in range(rows):
        services.interaction_log(
            by=by,
            customer=customer,
            channel="email",
            direction="out",
            at=utc(2025, 1, 1) + timedelta(hours=n),
            contacts=[contact],
            promise={"kind": "quote", "due_at": utc(2025, 6, 1) + timedelta(hours=n)},
        )


@pytest.mark.parametrize("rows", [5, 50])
def test_the_interactions_list_query_count_does_not_grow_with_rows(
    client, rows, manager1, rep1, django_assert_max_num_queries
):
    customer = CustomerFactory(owner=rep1)
    _interactions_with_promises(customer, rep1, rows)
    client.force_login(manager1)
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/customers/{customer.pk}/interactions", {"page_size": 100})
    results = response.json()["results"]
    assert len(results) == rows
    assert all(len(row["promises"]) == 1 and row["contact_ids"] for row in results)


@pytest.mark.parametrize("rows", [5, 50])
def test_the_promises_list_query_count_does_not_grow_with_rows(
    client, rows, manager1, rep1, django_assert_max_num_queries
):
    for n in range(rows):
        _promise(rep1, CustomerFactory(owner=rep1), due_at=utc(2025, 6, 1) + timedelta(hours=n))
    client.force_login(manager1)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/promises", {"page_size": 100})
    assert len(response.json()["results"]) == rows


def test_todays_inquiry_alert_and_the_apis_older_than_are_one_definition(
    client, monkeypatch, settings, rep1, rep2, admin_user, book
):
    """Today lists an inquiry once it has waited the alert's hours on the customer's clock, the
    same ones the API's ``older_than_hours`` returns: not on the clock of the rep who reads."""
    from tend.engagement import selectors

    settings.TEND_INQUIRY_ALERT_HOURS = 8
    now = two_inquiries_one_in_tokyo(monkeypatch, rep1, admin_user, book)
    client.force_login(admin_user)
    api = client.get("/api/v1/inquiries", {"older_than_hours": 8}).json()["results"]

    today = {
        user.username: [i.subject for i in selectors.inquiries_waiting(user=user, now=now)]
        for user in (rep1, rep2)
    }
    assert [row["subject"] for row in api] == ["rep2_owned"]
    assert today == {rep1.username: [], rep2.username: ["rep2_owned"]}
