"""Marking a customer lost: who may, what is checked, and what is written (the record with the
value that left, the status, the audit log, the timeline, the win-back task)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tend.audit.models import AuditEntry
from tend.customers.models import Customer, CustomerStatus
from tend.health.causes import LostReason
from tend.health.models import LostRecord
from tend.health.services.lost import AlreadyLost, customers_lost_among, mark_lost
from tend.orders import services as order_services
from tend.orders.models import OrderStatus
from tend.orders.tests.factories import ProductFactory
from tend.tasks.models import Task, TaskKind, TaskStatus
from tend.timeline.models import TimelineEntry

NOW = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)


def place(customer, number, order_date, amount, *, by=None, status=OrderStatus.DELIVERED):
    """An order of one line worth ``amount`` USD, placed through the orders service."""
    return order_services.order_create(
        by=by,
        customer=customer,
        fields={"number": number, "order_date": order_date, "currency": "USD", "status": status},
        lines=[
            {"product": ProductFactory(sku="KT-1"), "quantity": 1, "unit_price": Decimal(amount)}
        ],
    )


def nothing_written(customer: Customer, status: str = CustomerStatus.ACTIVE) -> None:
    customer.refresh_from_db()
    assert customer.status == status
    assert not LostRecord.objects.exists()
    assert not AuditEntry.objects.filter(customer_id=customer.pk).exists()
    assert not TimelineEntry.objects.filter(customer=customer, kind="lost").exists()
    assert not Task.objects.exists()


@pytest.fixture
def active(book):
    for customer in book.values():
        customer.status = CustomerStatus.ACTIVE
        customer.save()
    return book


def test_the_owner_marks_a_customer_lost_with_reason_value_audit_and_timeline(rep1, active):
    customer = active["rep1_owned"]
    place(customer, "SO-1", date(2025, 9, 1), "12000.00")

    record = mark_lost(
        customer,
        by=rep1,
        reason=LostReason.COMPETITION,
        competitor="  Shenzhen   Kettle Co ",
        note="Offered 8% less and 60-day terms.",
        now=NOW,
    )

    record.refresh_from_db()
    assert (record.customer_id, record.reason, record.competitor, record.note) == (
        customer.pk,
        "competition",
        "Shenzhen Kettle Co",
        "Offered 8% less and 60-day terms.",
    )
    assert (record.annual_value, record.previous_status, record.marked_by, record.marked_at) == (
        Decimal("12000.00"),
        "active",
        rep1,
        NOW,
    )
    assert record.win_back_on is None and record.won_back_at is None
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.LOST
    audit = AuditEntry.objects.get(customer_id=customer.pk)
    assert (audit.actor, audit.action, audit.entity) == (rep1, "update", "customer")
    assert audit.changes == {
        "status": ["active", "lost"],
        "lost_reason": [None, "Went to a competitor"],
        "competitor": [None, "Shenzhen Kettle Co"],
    }
    entry = TimelineEntry.objects.get(customer=customer, kind="lost")
    assert entry.title == (
        "Marked lost: Went to a competitor (Shenzhen Kettle Co), 12,000.00 USD a year"
    )
    assert (entry.actor, entry.at, entry.body) == (rep1, NOW, "Offered 8% less and 60-day terms.")
    assert (entry.source_type, entry.source_id) == ("health.lostrecord", record.pk)
    assert not Task.objects.exists()  # no win-back date, no task


def test_annual_value_is_base_currency_revenue_of_the_12_months_before_without_cancelled(
    rep1, active
):
    customer = active["rep1_owned"]
    place(customer, "SO-OLD", date(2025, 3, 15), "1000.00")  # exactly 365 days ago: out
    place(customer, "SO-1", date(2025, 3, 16), "200.00")
    place(customer, "SO-2", date(2026, 3, 15), "30.00")
    place(customer, "SO-X", date(2026, 1, 10), "4000.00", status=OrderStatus.CANCELLED)
    place(customer, "SO-D", date(2026, 2, 10), "5.50", status=OrderStatus.DRAFT)
    place(active["rep2_owned"], "SO-OTHER", date(2026, 1, 10), "999.00")

    record = mark_lost(customer, by=rep1, reason=LostReason.QUALITY, now=NOW)

    assert record.annual_value == Decimal("235.50")


def test_a_win_back_date_opens_a_task_for_the_owner_at_nine_in_their_time_zone(
    rep1, manager1, active
):
    rep1.time_zone = "Asia/Dubai"
    rep1.save()
    customer = active["rep1_owned"]

    mark_lost(
        customer,
        by=manager1,
        reason=LostReason.SERVICE,
        note="Complaints bounced between sales and service.",
        win_back_on=date(2026, 9, 1),
        now=NOW,
    )

    task = Task.objects.get()
    assert (task.customer, task.assignee, task.kind, task.status) == (
        customer,
        rep1,
        TaskKind.WIN_BACK,
        TaskStatus.OPEN,
    )
    assert task.due_at == datetime(2026, 9, 1, 5, 0, tzinfo=UTC)  # 09:00 in Dubai
    assert (task.origin, task.dedupe_key, task.created_by) == (
        "win_back",
        f"win_back:{customer.pk}",
        manager1,
    )
    assert task.title == "Try to win back Al Noor Trading"
    assert task.detail == "Poor service · Complaints bounced between sales and service."
    assert LostRecord.objects.get().win_back_on == date(2026, 9, 1)


def test_a_pool_customers_win_back_task_goes_to_whoever_marked_it_lost(manager1, active):
    mark_lost(
        active["pool"],
        by=manager1,
        reason=LostReason.CLOSED_DOWN,
        win_back_on=date(2027, 1, 4),
        now=NOW,
    )

    assert Task.objects.get().assignee == manager1


def test_an_inactive_owners_win_back_task_goes_to_whoever_marked_it_lost(rep1, manager1, active):
    rep1.is_active = False
    rep1.save()

    mark_lost(
        active["rep1_owned"],
        by=manager1,
        reason=LostReason.PEOPLE,
        win_back_on=date(2026, 6, 1),
        now=NOW,
    )

    assert Task.objects.get().assignee == manager1


@pytest.mark.parametrize("which", ["rep1_backup", "pool"])
def test_a_rep_cannot_mark_lost_a_customer_they_do_not_own(rep1, active, which):
    customer = active[which]

    with pytest.raises(PermissionDenied):
        mark_lost(customer, by=rep1, reason=LostReason.QUALITY, now=NOW)

    nothing_written(customer)


@pytest.mark.parametrize("who", ["rep1", "manager1"])
def test_a_customer_outside_ones_view_cannot_be_marked_lost(request, active, who):
    customer = active["rep2_owned"]

    with pytest.raises(PermissionDenied):
        mark_lost(customer, by=request.getfixturevalue(who), reason=LostReason.QUALITY, now=NOW)

    nothing_written(customer)


@pytest.mark.parametrize("which", ["rep1_owned", "rep2_owned", "rep1_backup", "pool"])
def test_an_admin_may_mark_any_customer_lost(admin_user, active, which):
    record = mark_lost(active[which], by=admin_user, reason=LostReason.OTHER, now=NOW)

    assert record.customer.status == CustomerStatus.LOST


def test_the_teams_manager_may_mark_a_reps_customer_lost(manager1, active):
    record = mark_lost(active["rep1_owned"], by=manager1, reason=LostReason.CHANNEL_CONFLICT)

    assert record.marked_by == manager1


def test_bad_input_is_refused_field_by_field_and_nothing_changes(rep1, active):
    customer = active["rep1_owned"]

    with pytest.raises(ValidationError) as caught:
        mark_lost(
            customer,
            by=rep1,
            reason="weather",
            competitor="x" * 201,
            win_back_on=date(2026, 3, 15),  # today is not the future
            now=NOW,
        )

    assert caught.value.message_dict == {
        "reason": [
            "“weather” is not a reason for losing a customer: use one of quality, innovation, "
            "service, channel, people, competition, closed_down, other."
        ],
        "competitor": ["Keep the competitor's name under 200 characters."],
        "win_back_on": ["The win-back date must be after today (2026-03-15)."],
    }
    nothing_written(customer)


def test_the_win_back_date_is_checked_against_the_markers_own_today(rep1, active):
    rep1.time_zone = "Pacific/Auckland"  # 2026-03-15 10:00 UTC is 23:00 on the 15th there
    rep1.save()
    late = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)  # already the 16th in Auckland

    with pytest.raises(ValidationError) as caught:
        mark_lost(
            active["rep1_owned"],
            by=rep1,
            reason=LostReason.QUALITY,
            win_back_on=date(2026, 3, 16),
            now=late,
        )

    assert caught.value.message_dict["win_back_on"] == [
        "The win-back date must be after today (2026-03-16)."
    ]


def test_a_customer_already_lost_cannot_be_marked_lost_again(rep1, active):
    customer = active["rep1_owned"]
    mark_lost(customer, by=rep1, reason=LostReason.QUALITY, now=NOW)

    with pytest.raises(AlreadyLost, match="Al Noor Trading is already marked lost."):
        mark_lost(customer, by=rep1, reason=LostReason.COMPETITION, now=NOW)

    assert LostRecord.objects.get().reason == "quality"
    assert AuditEntry.objects.filter(customer_id=customer.pk).count() == 1


def test_finding_the_lost_among_many_customers_is_one_query(active, django_assert_num_queries):
    lost = active["rep1_owned"]
    lost.status = CustomerStatus.LOST
    lost.save()
    few = {lost.pk, active["pool"].pk}
    many = few | set(range(100_000, 100_600))

    with django_assert_num_queries(1):
        assert customers_lost_among(few) == {lost.pk}
    with django_assert_num_queries(1):
        assert customers_lost_among(many) == {lost.pk}
    with django_assert_num_queries(0):
        assert customers_lost_among(set()) == set()
