"""The at-risk summary and the customer list's count kept in the cache under the database's
change token: served from it while nothing changed, and never stale after any write that moves a
customer between someone's figures, whatever the path (services, a bulk update, a save, a
deletion, a user's team, a new scoring). Transactional: the token's triggers fire at commit on
PostgreSQL, as in production."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction

from tend.accounts.models import Role
from tend.customers import selectors as customer_selectors
from tend.customers.models import Customer
from tend.health import summary_token
from tend.health.models import AtRiskToken
from tend.health.selectors import risk as selectors

from .snapshots import DAY, PROMISES, SINGLE, score_run, snapshot
from .test_at_risk import _list_figures

pytestmark = pytest.mark.django_db(transaction=True)

USERS = ["rep1", "rep2", "manager1", "admin_user"]
EVERY_LEVEL = selectors.AtRiskFilters(levels=())
FILTERS = [
    selectors.AtRiskFilters(),
    EVERY_LEVEL,
    selectors.AtRiskFilters(owner="pool", levels=()),
    selectors.AtRiskFilters(country="DE", levels=()),
    selectors.AtRiskFilters(tier="A", levels=()),
]


@pytest.fixture
def cached(book):
    """The book scored, the token in place (a transactional test before may have emptied its
    table), the cache empty."""
    snapshot(book["rep1_owned"], risk=0.6, annual=20_000)
    snapshot(book["rep2_owned"], risk=0.3, annual=50_000, reasons=[PROMISES])
    snapshot(book["rep1_backup"], risk=0.8, annual=15_000, reasons=[SINGLE])
    snapshot(book["pool"], risk=0.7, annual=30_000, reasons=[SINGLE])
    score_run()
    summary_token.install()
    cache.clear()
    yield book
    cache.clear()


def _summary(user, filters=EVERY_LEVEL) -> tuple:
    summary = selectors.at_risk_summary(user=user, filters=filters)
    return (
        summary.count,
        summary.value_at_risk,
        {bucket.key: (bucket.count, bucket.value_at_risk) for bucket in summary.by_cause},
    )


def _token() -> int:
    return AtRiskToken.objects.get(pk=summary_token.ROW).token


def test_a_second_summary_comes_from_the_cache(cached, rep1, django_assert_num_queries):
    first = _summary(rep1)
    with django_assert_num_queries(2):  # the latest day and the cache key: no aggregate
        assert _summary(rep1) == first


def test_inside_a_transaction_nothing_is_cached(cached, rep1, django_assert_num_queries):
    with transaction.atomic():
        _summary(rep1)
        with django_assert_num_queries(2):  # the latest day and the aggregate again
            _summary(rep1)


def test_a_change_of_a_column_nobody_filters_on_keeps_the_token(cached):
    before = _token()
    customer = cached["pool"]
    customer.name = "Pool Imports Ltd"
    customer.save()  # every column written, only the name changed
    Customer.objects.filter(pk=customer.pk).update(city="Dubai")
    assert _token() == before


def _claim(book, users):
    from tend.customers.services import ownership

    ownership.customer_claim(by=users["rep2"], customer=book["pool"])


def _release(book, users):
    from tend.customers.services import ownership

    ownership.customer_release(by=users["rep2"], customer=book["rep2_owned"], reason="Moving on")


def _assign_to_pool(book, users):
    from tend.customers.services import ownership

    ownership.customer_assign(by=users["manager1"], customer=book["rep1_owned"], owner=None)


def _mark_lost(book, users):
    from tend.health.services.lost import mark_lost

    mark_lost(book["rep1_backup"], by=users["manager1"], reason="competition")


def _bulk_owner(book, users):
    Customer.objects.filter(pk=book["pool"].pk).update(owner=users["rep1"])


def _backup_in_a_save(book, users):
    customer = book["rep2_owned"]
    customer.backup_owner = users["rep1"]
    customer.save()


def _country(book, users):
    Customer.objects.filter(pk=book["rep1_owned"].pk).update(country="DE")


def _tier(book, users):
    Customer.objects.filter(pk=book["rep2_owned"].pk).update(tier="A")


def _deleted(book, users):
    book["rep1_owned"].delete()


def _team_change(book, users):
    users["rep2"].team = users["rep1"].team
    users["rep2"].save(update_fields=["team"])


def _rep_left(book, users):
    users["rep2"].is_active = False
    users["rep2"].save(update_fields=["is_active"])


def _promoted(book, users):
    users["rep2"].role = Role.MANAGER
    users["rep2"].team = users["rep1"].team
    users["rep2"].save()


def _new_customer(book, users):
    from tend.customers.tests.factories import CustomerFactory

    snapshot(CustomerFactory(name="New Pool Ltd", owner=None), risk=0.9, annual=40_000)


def _rescored(book, users):
    from tend.health.models import HealthSnapshot

    HealthSnapshot.objects.filter(day=DAY).delete()
    for customer, risk in [(book["rep1_owned"], 0.2), (book["pool"], 0.95)]:
        snapshot(customer, risk=risk, annual=20_000)


def _next_day(book, users):
    snapshot(book["rep2_owned"], risk=0.9, annual=50_000, day=DAY + timedelta(days=1))


WRITES = [
    _claim,
    _release,
    _assign_to_pool,
    _mark_lost,
    _bulk_owner,
    _backup_in_a_save,
    _country,
    _tier,
    _deleted,
    _team_change,
    _rep_left,
    _promoted,
    _new_customer,
    _rescored,
    _next_day,
]


@pytest.mark.parametrize("write", WRITES, ids=[write.__name__.strip("_") for write in WRITES])
def test_no_summary_is_stale_after_a_write(request, cached, write):
    """Every user's summaries cached first; after the write each equals the list counted row
    by row, and some figure did move (else the test would prove nothing)."""
    users = {name: request.getfixturevalue(name) for name in USERS}
    before = {}
    for name, user in users.items():
        for filters in FILTERS:
            before[name, filters] = _summary(user, filters)
            assert _summary(user, filters) == before[name, filters]  # now cached
    write(cached, users)
    moved = False
    for name, user in users.items():
        user.refresh_from_db()
        for filters in FILTERS:
            count, value, by_cause = _list_figures(user, filters)
            assert _summary(user, filters) == (count, value, by_cause), (name, filters)
            moved |= (count, value, by_cause) != before[name, filters]
    assert moved


def test_after_a_bulk_load_the_triggers_are_back_and_the_token_kept(cached):
    """A restore suspends the triggers and installs them again: the restored rows are what the
    restored token stood for, and the next change moves it."""
    from tend.core.derived import derived_suspended

    before = _token()
    with derived_suspended():
        pass
    assert _token() == before
    Customer.objects.filter(pk=cached["pool"].pk).update(country="FR")
    assert _token() != before


def test_a_missing_token_is_created_and_nothing_is_cached_without_one(
    cached, rep1, django_assert_num_queries
):
    AtRiskToken.objects.all().delete()  # a flushed database
    _summary(rep1)
    with django_assert_num_queries(3):  # the day, the key (no token), the aggregate
        _summary(rep1)
    summary_token.install()
    assert AtRiskToken.objects.filter(pk=summary_token.ROW).exists()


COUNTED = [
    customer_selectors.CustomerFilters(),
    customer_selectors.CustomerFilters(owner="pool"),
    customer_selectors.CustomerFilters(owner="me", sort="-name"),
    customer_selectors.CustomerFilters(country="DE"),
    customer_selectors.CustomerFilters(tier="A"),
    customer_selectors.CustomerFilters(status="lost"),
    customer_selectors.CustomerFilters(q="pool"),  # searched: never cached
]


def _count(user, filters) -> int:
    return customer_selectors.customer_list_count(user=user, filters=filters)


def test_a_second_customer_count_comes_from_the_cache(cached, rep1, django_assert_num_queries):
    first = _count(rep1, COUNTED[0])
    with django_assert_num_queries(1):  # the token: no count
        assert _count(rep1, COUNTED[0]) == first
    with django_assert_num_queries(1):  # a search is counted each time
        _count(rep1, COUNTED[-1])
    with transaction.atomic(), django_assert_num_queries(1):  # in a transaction: counted
        _count(rep1, COUNTED[0])


@pytest.mark.parametrize("write", WRITES, ids=[write.__name__.strip("_") for write in WRITES])
def test_no_customer_count_is_stale_after_a_write(request, cached, write):
    """Every user's list counts cached first; after the write each equals the list counted
    directly. The customer writes must move some count; the snapshot writes move none."""
    users = {name: request.getfixturevalue(name) for name in USERS}
    before = {}
    for name, user in users.items():
        for filters in COUNTED:
            before[name, filters] = _count(user, filters)
    write(cached, users)
    moved = False
    for name, user in users.items():
        user.refresh_from_db()
        for filters in COUNTED:
            direct = customer_selectors.customer_list(user=user, filters=filters).count()
            assert _count(user, filters) == direct, (name, filters)
            moved |= direct != before[name, filters]
    assert moved or write in (_rescored, _next_day)
