"""The case load groups by ``Case.region``, the customer's territory copied onto each case by
database triggers: every path that writes a case or moves a customer keeps it right, and the
load shows the same figures as grouping through the customer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tend.cases import services
from tend.cases.load import case_load
from tend.cases.models import Case
from tend.customers.models import Customer
from tend.customers.services import customer_update, customers_bulk_update
from tend.customers.tests.factories import CustomerFactory, TerritoryFactory
from tend.handover import services as handover
from tend.handover.services import HandoverRule

pytestmark = pytest.mark.django_db


def _open(by, customer, days=1, title="Late delivery"):
    return services.case_open(
        by=by,
        customer=customer,
        title=title,
        description="Port congestion",
        category="delivery",
        severity="medium",
        channel="email",
        opened_at=timezone.now() - timedelta(days=days),
    )


def _regions(user):
    return {row.label: row.open for row in case_load(user=user, now=timezone.now()).regions}


def _region_of(case):
    return Case.objects.values_list("region_id", flat=True).get(pk=case.pk)


@pytest.fixture
def gulf():
    return TerritoryFactory(name="Gulf")


@pytest.fixture
def europe():
    return TerritoryFactory(name="Europe")


@pytest.fixture
def customer(rep1, gulf):
    return CustomerFactory(owner=rep1, territory=gulf)


def test_a_case_opened_by_the_service_takes_its_customers_territory(rep1, customer, gulf):
    case = _open(rep1, customer)
    assert _region_of(case) == gulf.pk


def test_cases_inserted_in_bulk_take_their_customers_territory(rep1, customer, gulf):
    """The demo, the benchmark and any import insert rows without the services."""
    model = Case(
        customer=customer,
        title="x",
        description="x",
        category="quality",
        channel="email",
        owner=rep1,
        sla_response_hours=8,
        sla_resolution_hours=40,
    )
    Case.objects.bulk_create([model])
    assert set(Case.objects.values_list("region_id", flat=True)) == {gulf.pk}


def test_a_customer_without_territory_gives_no_region(rep1, admin_user):
    case = _open(rep1, CustomerFactory(owner=rep1, territory=None))
    assert _region_of(case) is None
    assert _regions(admin_user) == {"No region": 1}


def test_moving_the_customer_by_the_service_and_the_api_moves_its_open_cases(
    rep1, admin_user, customer, europe, client
):
    case = _open(rep1, customer)
    customer_update(by=admin_user, customer=customer, fields={"territory": europe})
    assert _region_of(case) == europe.pk
    assert _regions(admin_user) == {"Europe": 1}

    client.force_login(admin_user)
    response = client.patch(
        f"/api/v1/customers/{customer.pk}", {"territory": "Gulf"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert _regions(admin_user) == {"Gulf": 1}


def test_bulk_territory_change_moves_every_customers_cases(rep1, manager1, gulf, europe):
    customers = [CustomerFactory(owner=rep1, territory=gulf) for _ in range(3)]
    other = CustomerFactory(owner=rep1, territory=gulf)
    for item in [*customers, other]:
        _open(rep1, item)
    customers_bulk_update(by=manager1, customers=customers, fields={"territory": europe})
    assert _regions(manager1) == {"Europe": 3, "Gulf": 1}


def test_writes_around_the_services_keep_it_too(rep1, admin_user, customer, gulf, europe):
    """Admin forms, imports and data fixes save or update customers directly."""
    case = _open(rep1, customer)
    Customer.objects.filter(pk=customer.pk).update(territory=europe)
    assert _region_of(case) == europe.pk
    customer.territory = gulf
    customer.save()
    assert _region_of(case) == gulf.pk
    customer.territory = None
    Customer.objects.bulk_update([customer], ["territory"])
    assert _region_of(case) is None
    assert _regions(admin_user) == {"No region": 1}


def test_a_stale_case_instance_cannot_write_a_wrong_region(rep1, customer, gulf, europe):
    case = _open(rep1, customer)
    case.region = europe  # whatever the instance holds, the row follows the customer
    case.save()
    assert _region_of(case) == gulf.pk
    Case.objects.filter(pk=case.pk).update(region=europe)
    assert _region_of(case) == gulf.pk


def test_hand_off_and_bulk_reassign_keep_the_region_and_move_the_person(
    rep1, rep2, manager1, admin_user, customer, gulf, team2
):
    first, second = _open(rep1, customer), _open(rep1, customer, title="Wrong label")
    services.case_hand_off(case=first, to=rep2, by=manager1, reason="Service takes it")
    services.cases_reassign(case_ids=[second.pk], by=manager1, team=team2, reason="Room")
    assert {_region_of(first), _region_of(second)} == {gulf.pk}
    load = case_load(user=admin_user, now=timezone.now())
    assert {(row.label, row.open) for row in load.teams} == {("Europe", 2)}
    assert {(row.label, row.open) for row in load.regions} == {("Gulf", 2)}


def test_handover_moves_the_cases_with_the_customer_and_keeps_the_region(
    rep1, rep2, admin_user, customer, gulf
):
    case = _open(rep1, customer)
    handover.handover_execute(by=admin_user, person=rep1, rule=HandoverRule(successor=rep2))
    assert Case.objects.get(pk=case.pk).owner == rep2
    assert _region_of(case) == gulf.pk
    load = case_load(user=admin_user, now=timezone.now())
    assert [(row.label, row.open) for row in load.people] == [(str(rep2), 1)]
    assert load.regions_by_team == {(rep2.team_id, "Gulf"): 1}


def test_the_load_matches_grouping_through_the_customer(rep1, rep2, admin_user, gulf, europe):
    """The copy is only a shortcut: the figures are those of the customer's own territory."""
    from django.db.models import Count

    for index in range(6):
        territory = (gulf, europe, None)[index % 3]
        _open((rep1, rep2)[index % 2], CustomerFactory(territory=territory), days=index * 9)
    through_customer = dict(
        Case.objects.open()
        .values_list("customer__territory__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    shown = {row.label: row.open for row in case_load(user=admin_user, now=timezone.now()).regions}
    assert shown == {name or "No region": n for name, n in through_customer.items()}


DROP = {
    "sqlite": [
        "DROP TRIGGER cases_case_region_insert",
        "DROP TRIGGER cases_case_region_update",
        "DROP TRIGGER customers_customer_region_to_cases",
    ],
    "postgresql": [
        "DROP TRIGGER cases_case_region_set ON cases_case",
        "DROP TRIGGER customers_customer_region_to_cases ON customers_customer",
    ],
}


def test_triggers_lost_to_a_table_rebuild_come_back_after_migrate(
    rep1, admin_user, customer, gulf, europe
):
    """On SQLite a later migration that rebuilds a table drops its triggers; ``migrate``'s
    post-migrate step installs them again and realigns the rows that drifted meanwhile."""
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connection

    case = _open(rep1, customer)
    with connection.cursor() as cursor:
        for sql in DROP[connection.vendor]:
            cursor.execute(sql)
    Customer.objects.filter(pk=customer.pk).update(territory=europe)
    assert _region_of(case) == gulf.pk  # drifted: nothing kept it

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert _region_of(case) == europe.pk
    assert _regions(admin_user) == {"Europe": 1}
    Customer.objects.filter(pk=customer.pk).update(territory=gulf)
    assert _region_of(case) == gulf.pk  # kept again
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # idempotent
    assert _region_of(_open(rep1, customer)) == gulf.pk


def test_the_load_page_takes_a_fixed_number_of_queries(
    rep1, rep2, admin_user, gulf, europe, client, django_assert_num_queries
):
    """Pinned: two aggregates, two name lookups, the page's own few; more cases, regions and
    people add none."""
    client.force_login(admin_user)
    _open(rep1, CustomerFactory(owner=rep1, territory=gulf))
    client.get("/cases/load/")
    with django_assert_num_queries(11):
        assert client.get("/cases/load/").status_code == 200
    for index in range(6):
        territory = (gulf, europe, None)[index % 3]
        _open((rep1, rep2)[index % 2], CustomerFactory(territory=territory), days=index * 7)
    with django_assert_num_queries(11):
        response = client.get("/cases/load/")
    assert response.status_code == 200
    assert b"Europe" in response.content and b"Gulf" in response.content
