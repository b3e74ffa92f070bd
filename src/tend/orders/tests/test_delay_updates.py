"""The delay update speaks of the original promise, the date last given and the new one, at
every step of a long delay, in English and in Chinese."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tend.customers.models import Contact
from tend.customers.tests.factories import CustomerFactory
from tend.orders import services
from tend.orders.models import OrderUpdate
from tend.orders.tests.factories import ProductFactory

PROMISED = date(2026, 11, 20)
START = datetime(2026, 11, 21, 8, tzinfo=UTC)


@pytest.fixture
def dubai(rep1):
    return CustomerFactory(name="Al Noor Home Appliances", owner=rep1)


@pytest.fixture
def omar(dubai):
    return Contact.objects.create(
        customer=dubai, name="Omar Haddad", email="omar@alnoor.ae", language="en", is_primary=True
    )


@pytest.fixture
def wang(dubai):
    return Contact.objects.create(customer=dubai, name="王先生", language="zh")


@pytest.fixture
def order(rep1, dubai, omar):
    return services.order_create(
        by=rep1,
        customer=dubai,
        fields={
            "number": "SO-2026-0142",
            "order_date": date(2026, 10, 1),
            "currency": "USD",
            "promised_ship_date": PROMISED,
        },
        lines=[{"product": ProductFactory(), "quantity": 100, "unit_price": Decimal("8.40")}],
    )


class Clock:
    """A fixed clock that the test moves a week on after each update, as the reminders come."""

    def __init__(self):
        self.now = START

    def week_later(self):
        self.now += timedelta(days=7)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock.now)
    return clock


def estimate(rep1, order, day):
    services.order_set_estimate(by=rep1, order=order, new_date=day, reason="Glass short")
    order.refresh_from_db()


def draft(rep1, order, contact):
    return services.order_update_draft(
        order=order, contact=contact, reason="Glass short", sender=rep1
    )


def send(rep1, order, contact, clock):
    """Draft the update, send it as drafted, a week passes; return the draft."""
    drafted = draft(rep1, order, contact)
    services.order_update_record(
        by=rep1,
        order=order,
        channel="whatsapp",
        contact=contact,
        subject=drafted.subject,
        body=drafted.body,
        reason="Glass short",
    )
    clock.week_later()
    return drafted


def opening(body: str) -> str:
    """The paragraph after the greeting: what the update says about the dates."""
    return body.split("\n\n")[1]


def test_the_first_update_names_the_promise_and_the_new_date(rep1, order, omar):
    estimate(rep1, order, date(2026, 12, 6))
    drafted = draft(rep1, order, omar)
    assert drafted.subject == "Update on your order SO-2026-0142: new ship date 2026-12-06"
    assert opening(drafted.body) == (
        "We want to tell you before you have to ask: your order SO-2026-0142 will not ship on "
        "2026-11-20 as promised. The new expected ship date is 2026-12-06."
    )
    assert (drafted.old_date, drafted.new_date) == (PROMISED, date(2026, 12, 6))


def test_a_first_update_without_an_estimate_says_the_new_date_is_not_known(rep1, order, omar):
    drafted = draft(rep1, order, omar)
    assert drafted.subject == "Update on your order SO-2026-0142: new ship date to follow"
    assert opening(drafted.body) == (
        "We want to tell you before you have to ask: your order SO-2026-0142 will not ship on "
        "2026-11-20 as promised. We do not know the new ship date yet and will tell you as soon "
        "as we do."
    )


def test_an_estimate_no_later_than_the_passed_promise_is_not_a_new_date(rep1, order, omar):
    estimate(rep1, order, PROMISED)
    drafted = draft(rep1, order, omar)
    assert "new expected ship date" not in drafted.body
    assert "We do not know the new ship date yet" in drafted.body
    assert drafted.subject == "Update on your order SO-2026-0142: new ship date to follow"


def test_a_long_delay_step_by_step(rep1, order, omar, clock):
    # First delay: promised 20 November, now 6 December.
    estimate(rep1, order, date(2026, 12, 6))
    first = send(rep1, order, omar, clock)
    assert "will not ship on 2026-11-20 as promised" in first.body

    # A week later, nothing moved: the reminder says the date still holds, not that it is new.
    second = send(rep1, order, omar, clock)
    assert (
        second.subject == "Update on your order SO-2026-0142: still expected to ship on 2026-12-06"
    )
    assert opening(second.body) == (
        "Here is the latest on your order SO-2026-0142, which we first promised to ship on "
        "2026-11-20. It is still expected to ship on 2026-12-06, the date we last gave you."
    )
    assert (second.old_date, second.new_date) == (date(2026, 12, 6), date(2026, 12, 6))

    # It slips again: the date last given is not the promise.
    estimate(rep1, order, date(2026, 12, 18))
    third = send(rep1, order, omar, clock)
    assert third.subject == "Update on your order SO-2026-0142: new ship date 2026-12-18"
    assert opening(third.body) == (
        "Here is the latest on your order SO-2026-0142, which we first promised to ship on "
        "2026-11-20. It will not ship on 2026-12-06, the date we last gave you. The new expected "
        "ship date is 2026-12-18."
    )

    # Then the factory catches up a little.
    estimate(rep1, order, date(2026, 12, 12))
    fourth = send(rep1, order, omar, clock)
    assert opening(fourth.body) == (
        "Here is the latest on your order SO-2026-0142, which we first promised to ship on "
        "2026-11-20. It will ship sooner than 2026-12-18, the date we last gave you. The new "
        "expected ship date is 2026-12-12."
    )

    recorded = list(
        OrderUpdate.objects.filter(order=order).order_by("at").values_list("old_date", "new_date")
    )
    assert recorded == [
        (date(2026, 11, 20), date(2026, 12, 6)),
        (date(2026, 12, 6), date(2026, 12, 6)),
        (date(2026, 12, 6), date(2026, 12, 18)),
        (date(2026, 12, 18), date(2026, 12, 12)),
    ]


def test_after_saying_the_date_was_unknown_the_next_update_gives_it(rep1, order, omar, clock):
    send(rep1, order, omar, clock)  # promised date passed, no estimate yet

    still = send(rep1, order, omar, clock)
    assert opening(still.body) == (
        "Here is the latest on your order SO-2026-0142, which we first promised to ship on "
        "2026-11-20. We still do not know the new ship date and will tell you as soon as we do."
    )
    assert still.subject == "Update on your order SO-2026-0142: new ship date to follow"

    estimate(rep1, order, date(2026, 12, 20))
    known = send(rep1, order, omar, clock)
    assert opening(known.body) == (
        "Here is the latest on your order SO-2026-0142, which we first promised to ship on "
        "2026-11-20. We now expect it to ship on 2026-12-20."
    )
    assert known.subject == "Update on your order SO-2026-0142: new ship date 2026-12-20"


def test_a_long_delay_in_chinese(rep1, order, wang, clock):
    estimate(rep1, order, date(2026, 12, 6))
    first = send(rep1, order, wang, clock)
    assert first.subject == "关于您的订单 SO-2026-0142 的最新消息：新的出货日期为 2026-12-06"
    assert opening(first.body) == (
        "我们想在您询问之前主动告知：您的订单 SO-2026-0142 无法按原定的 2026-11-20 出货。"
        "新的预计出货日期为 2026-12-06。"
    )

    second = send(rep1, order, wang, clock)
    assert second.subject == "关于您的订单 SO-2026-0142 的最新消息：仍预计于 2026-12-06 出货"
    assert opening(second.body) == (
        "以下是您的订单 SO-2026-0142（原定 2026-11-20 出货）的最新进展。"
        "订单仍预计按我们上次告知的 2026-12-06 出货。"
    )

    estimate(rep1, order, date(2026, 12, 18))
    third = send(rep1, order, wang, clock)
    assert opening(third.body) == (
        "以下是您的订单 SO-2026-0142（原定 2026-11-20 出货）的最新进展。"
        "订单无法按我们上次告知的 2026-12-06 出货，新的预计出货日期为 2026-12-18。"
    )
    assert third.body.startswith("尊敬的王先生：")
    assert "原因：Glass short" in third.body
