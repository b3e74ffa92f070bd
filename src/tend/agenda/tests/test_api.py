"""The agenda and the reliability report through the API: the sections as the registry has them,
whose agenda may be read, and the report's figures for a hand-made ledger."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from tend.agenda import api as agenda_api
from tend.agenda import registry
from tend.agenda.registry import AgendaSection, SectionResult
from tend.customers.models import Customer
from tend.customers.tests.factories import CustomerFactory
from tend.engagement import services

# Tuesday 2 December 2025, 08:00 UTC: noon in Dubai on the UAE's National Day, 09:00 in Cologne.
NOW = datetime(2025, 12, 2, 8, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def held_clock(monkeypatch):
    monkeypatch.setattr(agenda_api, "_now", lambda: NOW)
    return NOW


@pytest.fixture
def rep1_day(book, rep1, held_clock):
    """rep1's day: one promise overdue, one due tonight, one next week; an inquiry waiting since
    last week; two customers overdue for a touch, one of them about to return to the pool."""
    al_noor = book["rep1_owned"]
    cologne = CustomerFactory(
        name="Köln Bad GmbH",
        country="DE",
        city="Köln",
        time_zone="Europe/Berlin",
        tier="A",
        owner=rep1,
    )
    overdue = services.promise_make(
        by=rep1,
        customer=al_noor,
        kind="quote",
        description="Quote for 2 containers",
        made_at=utc(2025, 11, 28, 9),
        due_at=utc(2025, 12, 1, 16),
    )
    tonight = services.promise_make(
        by=rep1,
        customer=cologne,
        kind="sample",
        made_at=utc(2025, 11, 28, 9),
        due_at=utc(2025, 12, 2, 17),
    )
    services.promise_make(
        by=rep1,
        customer=al_noor,
        kind="price",
        made_at=utc(2025, 11, 28, 9),
        due_at=utc(2025, 12, 5, 17),
    )
    # Since Tuesday 25 November 14:00 in Dubai: 31 working hours by now, the UAE's National
    # Day (1 and 2 December) not counted.
    inquiry = services.interaction_log(
        by=rep1,
        customer=al_noor,
        channel="email",
        direction="in",
        at=utc(2025, 11, 25, 10),
        subject="Price list request",
        needs_answer=True,
    )
    Customer.objects.filter(pk=al_noor.pk).update(touch_due_at=utc(2025, 11, 25, 10))
    Customer.objects.filter(pk=cologne.pk).update(
        touch_due_at=utc(2025, 11, 30, 10), pool_return_at=utc(2025, 12, 5, 10)
    )
    return {
        "al_noor": al_noor,
        "cologne": cologne,
        "overdue": overdue,
        "tonight": tonight,
        "inquiry": inquiry,
    }


def _dubai(kind: str, pk: int, customer, text: str, overdue: bool = False) -> dict:
    return {
        "kind": kind,
        "id": pk,
        "customer_id": customer.pk,
        "customer_name": "Al Noor Trading",
        "customer_local_time": "2025-12-02T12:00:00+04:00",
        "is_weekend_there": False,
        "is_day_off_there": True,
        "holiday": "National Day",
        "overdue": overdue,
        "text": text,
    }


def _cologne(kind: str, pk: int, customer, text: str, overdue: bool = False) -> dict:
    return {
        "kind": kind,
        "id": pk,
        "customer_id": customer.pk,
        "customer_name": "Köln Bad GmbH",
        "customer_local_time": "2025-12-02T09:00:00+01:00",
        "is_weekend_there": False,
        "is_day_off_there": False,
        "holiday": "",
        "overdue": overdue,
        "text": text,
    }


def test_the_agenda_lists_due_promises_waiting_inquiries_and_overdue_customers(
    client, rep1, rep1_day
):
    day = rep1_day
    client.force_login(rep1)
    response = client.get("/api/v1/agenda")
    assert response.status_code == 200
    agenda = response.json()
    assert agenda["person"] == {"id": rep1.pk, "name": "Alice Tester"}
    assert (agenda["now"], agenda["today"]) == ("2025-12-02T08:00:00Z", "2025-12-02")
    assert [s["key"] for s in agenda["sections"]] == [s.key for s in registry.sections(rep1)]
    sections = {s["key"]: s for s in agenda["sections"]}
    al_noor, cologne = day["al_noor"], day["cologne"]
    assert sections["promises"] == {
        "key": "promises",
        "title": "Promises due today and overdue",
        "total": 2,
        "items": [
            _dubai(
                "promise",
                day["overdue"].pk,
                al_noor,
                "Quote for 2 containers — Al Noor Trading (due 2025-12-01 16:00)",
                overdue=True,
            ),
            _cologne(
                "promise",
                day["tonight"].pk,
                cologne,
                "Send a sample — Köln Bad GmbH (due 2025-12-02 17:00)",
            ),
        ],
    }
    assert sections["inquiries"] == {
        "key": "inquiries",
        "title": "Unanswered inquiries",
        "total": 1,
        "items": [
            _dubai(
                "interaction",
                day["inquiry"].pk,
                al_noor,
                "Al Noor Trading: Price list request (since 2025-11-25 10:00)",
            )
        ],
    }
    assert sections["touches"] == {
        "key": "touches",
        "title": "Customers overdue for a touch",
        "total": 2,
        "items": [
            _cologne(
                "customer", cologne.pk, cologne, "Köln Bad GmbH (tier A, touch due 2025-11-30)"
            ),
            _dubai(
                "customer", al_noor.pk, al_noor, "Al Noor Trading (tier C, touch due 2025-11-25)"
            ),
        ],
    }
    assert sections["pool_returns"] == {
        "key": "pool_returns",
        "title": "About to return to the pool",
        "total": 1,
        "items": [
            _cologne(
                "customer", cologne.pk, cologne, "Köln Bad GmbH returns to the pool on 2025-12-05"
            )
        ],
    }


def test_the_limit_caps_the_items_but_not_the_total(client, rep1, rep1_day):
    client.force_login(rep1)
    sections = {s["key"]: s for s in client.get("/api/v1/agenda", {"limit": 1}).json()["sections"]}
    assert (sections["promises"]["total"], len(sections["promises"]["items"])) == (2, 1)
    assert sections["promises"]["items"][0]["id"] == rep1_day["overdue"].pk


def test_a_section_registered_later_appears_without_a_change_to_the_api(
    client, monkeypatch, rep1, book, held_clock
):
    @dataclass
    class Reminder:
        pk: int
        note: str

    section = AgendaSection(
        key="reminders",
        title="Reminders",
        order=5,
        template="",
        rows=lambda context, limit: SectionResult(
            rows=[Reminder(7, "Renew the fair booth")], total=1
        ),
        digest_line=lambda row: row.note,
    )
    monkeypatch.setitem(registry._SECTIONS, "reminders", section)
    client.force_login(rep1)
    sections = client.get("/api/v1/agenda").json()["sections"]
    assert [s["key"] for s in sections] == [s.key for s in registry.sections(rep1)]
    assert next(s for s in sections if s["key"] == "reminders") == {
        "key": "reminders",
        "title": "Reminders",
        "total": 1,
        "items": [
            {
                "kind": "reminders",
                "id": 7,
                "customer_id": None,
                "customer_name": "",
                "customer_local_time": None,
                "is_weekend_there": False,
                "is_day_off_there": False,
                "holiday": "",
                "overdue": False,
                "text": "Renew the fair booth",
            }
        ],
    }


def _promise_ids(response) -> list[int]:
    sections = {s["key"]: s for s in response.json()["sections"]}
    return [item["id"] for item in sections["promises"]["items"]]


def test_a_manager_reads_a_team_members_agenda(client, manager1, rep1, rep1_day):
    client.force_login(manager1)
    response = client.get("/api/v1/agenda", {"person": rep1.pk})
    assert response.status_code == 200
    assert response.json()["person"] == {"id": rep1.pk, "name": "Alice Tester"}
    assert _promise_ids(response) == [rep1_day["overdue"].pk, rep1_day["tonight"].pk]
    own = client.get("/api/v1/agenda")
    assert own.json()["person"]["id"] == manager1.pk
    assert _promise_ids(own) == []


@pytest.mark.parametrize(
    ("viewer", "person", "status"),
    [
        ("rep1", "rep1", 200),
        ("rep2", "rep1", 404),
        ("rep1", "rep2", 404),
        ("rep1", "manager1", 404),
        ("manager1", "rep1", 200),
        ("manager1", "rep2", 404),
        ("admin_user", "rep1", 200),
        ("admin_user", "rep2", 200),
    ],
)
def test_whose_agenda_may_be_read(client, request, held_clock, book, viewer, person, status):
    client.force_login(request.getfixturevalue(viewer))
    target = request.getfixturevalue(person)
    response = client.get("/api/v1/agenda", {"person": target.pk})
    assert response.status_code == status
    if status == 404:
        assert response.json() == {"message": "Not found."}
    else:
        assert response.json()["person"]["id"] == target.pk


def test_an_unknown_person_is_404_and_anonymous_callers_get_401(client, rep1):
    assert client.get("/api/v1/agenda").status_code == 401
    assert client.get("/api/v1/reliability").status_code == 401
    client.force_login(rep1)
    assert client.get("/api/v1/agenda", {"person": 999999}).status_code == 404


# ---------------------------------------------------------------------------------------------
# Reliability


@pytest.fixture
def ledger(book, rep1, rep2, monkeypatch):
    """March 2025. rep1: kept, kept late, broken, withdrawn and open promises, and inquiries
    answered in 5.0 and 5.0 working hours on the customer's clock (Dubai, UTC+4: Friday 21:00
    to Monday 14:00; 13:00 to 18:30, the day ending at 18:00). rep2: one promise kept, one
    inquiry answered in 1.0 hour, two customers of which one is within its cadence. A promise of
    rep1 due in April."""
    monkeypatch.setattr(agenda_api, "_now", lambda: utc(2025, 6, 2, 9))
    mine, theirs = book["rep1_owned"], book["rep2_owned"]

    def promise(by, customer, due):
        return services.promise_make(
            by=by, customer=customer, kind="quote", made_at=utc(2025, 3, 3, 9), due_at=due
        )

    def exchange(by, customer, asked, answered):
        services.interaction_log(
            by=by, customer=customer, channel="email", direction="in", at=asked, needs_answer=True
        )
        services.interaction_log(
            by=by, customer=customer, channel="email", direction="out", at=answered
        )

    kept = promise(rep1, mine, utc(2025, 3, 5, 12))
    late = promise(rep1, mine, utc(2025, 3, 10, 12))
    promise(rep1, mine, utc(2025, 3, 12, 12))  # broken by the periodic rule
    promise(rep1, mine, utc(2025, 3, 25, 12))  # still open
    withdrawn = promise(rep1, mine, utc(2025, 3, 15, 12))
    april = promise(rep1, mine, utc(2025, 4, 10, 12))
    theirs_kept = promise(rep2, theirs, utc(2025, 3, 20, 12))
    services.promise_close(by=rep1, promise=kept, done=True, at=utc(2025, 3, 4, 12))
    services.promise_close(by=rep1, promise=late, done=True, at=utc(2025, 3, 11, 12))
    services.promise_close(
        by=rep1, promise=withdrawn, done=False, reason="Order cancelled", at=utc(2025, 3, 4, 9)
    )
    services.promise_close(by=rep1, promise=april, done=True, at=utc(2025, 4, 1, 9))
    services.promise_close(by=rep2, promise=theirs_kept, done=True, at=utc(2025, 3, 19, 9))
    assert services.promises_break_overdue(now=utc(2025, 3, 20)) == 1
    exchange(rep1, mine, utc(2025, 3, 7, 17), utc(2025, 3, 10, 10))  # Fri 17:00 → Mon 10:00
    exchange(rep1, mine, utc(2025, 3, 11, 9), utc(2025, 3, 11, 14, 30))
    exchange(rep2, theirs, utc(2025, 3, 17, 9), utc(2025, 3, 17, 10))
    Customer.objects.filter(pk=book["rep1_backup"].pk).update(touch_due_at=utc(2025, 6, 15))


def _row(person, name, **figures) -> dict:
    return {"person_id": person.pk if person else None, "person_name": name, **figures}


REP1_MARCH = {
    "made": 5,
    "kept": 1,
    "kept_late": 1,
    "broken": 1,
    "withdrawn": 1,
    "open": 1,
    "on_time_rate": 1 / 3,
    "median_response_hours": 5.0,
    "customers": 1,
    "touched_in_cadence": 0,
    "touched_share": 0.0,
}
REP2_MARCH = {
    "made": 1,
    "kept": 1,
    "kept_late": 0,
    "broken": 0,
    "withdrawn": 0,
    "open": 0,
    "on_time_rate": 1.0,
    "median_response_hours": 1.0,
    "customers": 2,
    "touched_in_cadence": 1,
    "touched_share": 0.5,
}


def test_the_reliability_report_for_a_hand_made_ledger(client, admin_user, rep1, rep2, ledger):
    client.force_login(admin_user)
    response = client.get("/api/v1/reliability", {"start": "2025-03-01", "end": "2025-03-31"})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2025-03-01",
        "end": "2025-03-31",
        "rows": [
            _row(rep2, "Bob Tester", **REP2_MARCH),
            _row(rep1, "Alice Tester", **REP1_MARCH),
        ],
        "total": _row(
            None,
            "Everyone",
            made=6,
            kept=2,
            kept_late=1,
            broken=1,
            withdrawn=1,
            open=1,
            on_time_rate=0.5,
            median_response_hours=5.0,
            customers=3,
            touched_in_cadence=1,
            touched_share=1 / 3,
        ),
    }


def test_a_manager_sees_the_reliability_of_their_team_only(client, manager1, rep1, ledger):
    client.force_login(manager1)
    report = client.get("/api/v1/reliability", {"start": "2025-03-01", "end": "2025-03-31"}).json()
    assert report["rows"] == [_row(rep1, "Alice Tester", **REP1_MARCH)]
    assert report["total"] == _row(None, "Everyone", **REP1_MARCH)


def test_the_reliability_period_counts_promises_by_due_date(client, rep1, ledger):
    client.force_login(rep1)
    report = client.get("/api/v1/reliability", {"start": "2025-04-01", "end": "2025-04-30"}).json()
    assert report["rows"] == [
        _row(
            rep1,
            "Alice Tester",
            made=1,
            kept=1,
            kept_late=0,
            broken=0,
            withdrawn=0,
            open=0,
            on_time_rate=1.0,
            median_response_hours=None,
            customers=1,
            touched_in_cadence=0,
            touched_share=0.0,
        )
    ]


def test_the_reliability_period_defaults_to_the_last_90_days_and_refuses_a_reversed_one(
    client, rep1, ledger
):
    client.force_login(rep1)
    default = client.get("/api/v1/reliability").json()
    assert (default["start"], default["end"]) == ("2025-03-04", "2025-06-02")
    reversed_period = client.get(
        "/api/v1/reliability", {"start": "2025-03-31", "end": "2025-03-01"}
    )
    assert reversed_period.status_code == 422
    assert reversed_period.json() == {
        "message": "The request has invalid fields.",
        "errors": {"end": ["The end is before the start."]},
    }
    bad_date = client.get("/api/v1/reliability", {"start": "March"})
    assert bad_date.status_code == 422
    assert list(bad_date.json()["errors"]) == ["start"]


def test_every_new_operation_is_documented_with_a_summary_and_a_tag(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        (method.upper(), path): op
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    }
    expected = {
        ("GET", "/api/v1/customers/{customer_id}/interactions"): "engagement",
        ("POST", "/api/v1/customers/{customer_id}/interactions"): "engagement",
        ("GET", "/api/v1/interactions/{interaction_id}"): "engagement",
        ("GET", "/api/v1/inquiries"): "engagement",
        ("GET", "/api/v1/promises"): "engagement",
        ("POST", "/api/v1/customers/{customer_id}/promises"): "engagement",
        ("GET", "/api/v1/promises/{promise_id}"): "engagement",
        ("POST", "/api/v1/promises/{promise_id}/close"): "engagement",
        ("GET", "/api/v1/agenda"): "agenda",
        ("GET", "/api/v1/reliability"): "agenda",
    }
    for key, tag in expected.items():
        assert operations[key]["tags"] == [tag], key
        assert operations[key]["summary"], key
