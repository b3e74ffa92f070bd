"""Story S2 (seed 002): salesperson A keeps promises and answers fast; B misses them.
Same customers, same products; the reliability report ranks them with exact figures."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from tend.accounts.tests.factories import UserFactory
from tend.customers.tests.factories import CustomerFactory
from tend.engagement import selectors, services
from tend.engagement.models import Promise, PromiseOutcome
from tend.timeline.models import TimelineEntry

MON = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def clock(monkeypatch):
    state = {"now": MON}
    monkeypatch.setattr("django.utils.timezone.now", lambda: state["now"])
    return state


def test_story_s2_salesperson_a_and_b(clock, team1, manager1):
    a = UserFactory(username="anna", first_name="Anna", last_name="Reliable", team=team1)
    b = UserFactory(username="ben", first_name="Ben", last_name="Missing", team=team1)
    customers = [
        CustomerFactory(name=f"Gulf Importer {n}", owner=a, backup_owner=b) for n in range(4)
    ]

    # Each rep is asked for a quote by each customer on Monday 09:00 and promises it by Wednesday.
    promises = {a: [], b: []}
    for rep in (a, b):
        for customer in customers:
            inquiry = services.interaction_log(
                by=rep,
                customer=customer,
                channel="email",
                direction="in",
                at=MON,
                subject="Price for KT-200?",
                needs_answer=True,
            )
            promises[rep].append(
                services.promise_make(
                    by=rep,
                    customer=customer,
                    kind="quote",
                    due_at=MON + timedelta(days=2),
                    interaction=inquiry,
                )
            )
            # A answers two working hours later; B on Tuesday at 16:00 UTC, 20:00 in the
            # customers' Dubai: 13:00-18:00 on Monday and all of Tuesday, 14 of their hours.
            answered = MON + (timedelta(hours=2) if rep is a else timedelta(days=1, hours=7))
            clock["now"] = answered
            services.interaction_log(
                by=rep,
                customer=customer,
                channel="email",
                direction="out",
                at=answered,
                subject="Re: price",
            )
            clock["now"] = MON

    # A keeps all four on time. B keeps one a day late and forgets the rest.
    clock["now"] = MON + timedelta(days=1)
    for promise in promises[a]:
        services.promise_close(by=a, promise=promise, done=True)
    clock["now"] = MON + timedelta(days=3)
    services.promise_close(by=b, promise=promises[b][0], done=True)

    # The worker's rule breaks B's other three after one working day of grace (Thursday 09:00).
    assert services.promises_break_overdue(now=MON + timedelta(days=3, seconds=-1)) == 0
    assert services.promises_break_overdue(now=MON + timedelta(days=3)) == 3
    assert services.promises_break_overdue(now=MON + timedelta(days=4)) == 0

    rows, total = selectors.reliability_report(
        user=manager1, start=MON, end=MON + timedelta(days=7), now=MON + timedelta(days=4)
    )
    figures = [
        (
            r.person.username,
            r.made,
            r.kept,
            r.kept_late,
            r.broken,
            r.on_time_rate,
            r.median_response_hours,
        )
        for r in rows
    ]
    assert figures == [
        ("anna", 4, 4, 0, 0, 1.0, 2.0),
        ("ben", 4, 0, 1, 3, 0.0, 14.0),
    ]
    assert (total.made, total.kept, total.kept_late, total.broken) == (8, 4, 1, 3)
    assert total.on_time_rate == 0.5
    assert total.median_response_hours == 8.0

    # B's broken promises are on the customers' timelines.
    for promise in promises[b][1:]:
        promise.refresh_from_db()
        assert (promise.outcome, promise.broken_automatically) == (PromiseOutcome.BROKEN, True)
        assert promise.outcome_at == MON + timedelta(days=3)
        titles = TimelineEntry.objects.filter(customer=promise.customer).values_list(
            "title", flat=True
        )
        assert "Promise broken: Send a quote" in titles


def test_a_promise_kept_after_its_due_time_counts_as_kept_late(clock, rep1, book):
    promise = services.promise_make(
        by=rep1, customer=book["rep1_owned"], kind="sample", due_at=MON + timedelta(hours=3)
    )
    clock["now"] = MON + timedelta(hours=4)
    services.promise_close(by=rep1, promise=promise, done=True)
    promise.refresh_from_db()
    assert promise.outcome == PromiseOutcome.KEPT_LATE


def test_withdrawing_needs_a_reason_and_closing_twice_is_refused(clock, rep1, book):
    promise = services.promise_make(
        by=rep1, customer=book["rep1_owned"], kind="price", due_at=MON + timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        services.promise_close(by=rep1, promise=promise, done=False, reason=" ")
    services.promise_close(by=rep1, promise=promise, done=False, reason="Customer cancelled")
    with pytest.raises(ValidationError, match="already closed"):
        services.promise_close(by=rep1, promise=promise, done=True)
    promise.refresh_from_db()
    assert (promise.outcome, promise.outcome_reason) == ("withdrawn", "Customer cancelled")


def test_a_reps_report_shows_only_themselves(clock, rep1, rep2, book):
    services.promise_make(
        by=rep2, customer=book["rep2_owned"], kind="quote", due_at=MON + timedelta(days=1)
    )
    rows, _total = selectors.reliability_report(
        user=rep1, start=MON - timedelta(days=1), end=MON + timedelta(days=5)
    )
    assert [row.person for row in rows] == [rep1]


def test_bad_promise_input_writes_nothing(clock, rep1, book):
    with pytest.raises(ValidationError):
        services.promise_make(
            by=rep1, customer=book["rep1_owned"], kind="teleport", due_at=MON + timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        services.promise_make(
            by=rep1, customer=book["rep1_owned"], kind="quote", due_at=MON - timedelta(days=1)
        )
    assert not Promise.objects.exists()
    assert not TimelineEntry.objects.exists()


def test_a_person_answering_in_zero_working_hours_is_still_in_the_report(
    clock, rep1, manager1, book
):
    saturday = datetime(2026, 3, 7, 10, tzinfo=UTC)
    clock["now"] = saturday + timedelta(hours=1)
    services.interaction_log(
        by=manager1,
        customer=book["pool"],
        channel="email",
        direction="in",
        at=saturday,
        needs_answer=True,
    )
    services.interaction_log(
        by=manager1,
        customer=book["pool"],
        channel="email",
        direction="out",
        at=saturday + timedelta(hours=1),
    )
    rows, total = selectors.reliability_report(
        user=manager1, start=MON, end=MON + timedelta(days=7)
    )
    medians = {row.person: row.median_response_hours for row in rows}
    assert medians == {manager1: 0.0, rep1: None}
    assert total.median_response_hours == 0.0


def test_a_naive_time_is_read_in_the_current_time_zone(clock, rep1, book):
    promise = services.promise_make(
        by=rep1,
        customer=book["rep1_owned"],
        kind="quote",
        due_at=datetime(2026, 3, 4, 12, 0, tzinfo=UTC).replace(tzinfo=None),
    )
    assert promise.due_at == datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
