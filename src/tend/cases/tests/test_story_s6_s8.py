"""Story S6 (unstable second batch) and S8 (service capacity moved to the load)."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from tend.accounts.models import Role
from tend.accounts.tests.factories import UserFactory
from tend.cases import lotstats, services
from tend.cases.load import case_load
from tend.cases.models import Case, CaseEvent, EventKind, LotAlert
from tend.customers.tests.factories import CustomerFactory, TerritoryFactory
from tend.orders.tests.factories import ProductFactory
from tend.tasks.models import Task

from .helpers import ship

pytestmark = pytest.mark.django_db


def test_lot_test_flags_a_cluster_on_a_small_lot_but_not_the_same_count_on_a_big_one():
    product = np.array([0, 0, 0])
    complaints = np.array([0, 5, 5])
    units = np.array([1000, 1000, 50000])
    _rate, p = lotstats.lot_p_values(product, complaints, units)
    assert lotstats.unstable(complaints, p).tolist() == [False, True, False]
    # Below the minimum count, never.
    _rate, p = lotstats.lot_p_values(np.array([0, 0]), np.array([2, 0]), np.array([10, 90000]))
    assert lotstats.unstable(np.array([2, 0]), p).tolist() == [False, False]


def test_story_s6_complaints_on_one_lot_fire_the_alert_and_every_receiver_gets_a_task(
    rep1, rep2, manager1, admin_user
):
    beer = ProductFactory(sku="BEER-500", name="Lager 500 ml")
    receivers = [CustomerFactory(name=f"Receiver {i}", owner=rep1) for i in range(4)]
    receivers.append(CustomerFactory(name="Pool receiver", owner=None))
    others = [CustomerFactory(name=f"Other {i}", owner=rep2) for i in range(3)]
    for customer in receivers:
        ship(by=admin_user, customer=customer, product=beer, lot="B2", quantity=200)
    ship(by=admin_user, customer=others[0], product=beer, lot="B1", quantity=1000)
    for customer in others[1:]:
        ship(by=admin_user, customer=customer, product=beer, lot="B3", quantity=25000)
    # Five complaints on lot B2 (1,000 units), from three of its five receivers...
    for customer in receivers[:3] + receivers[:2]:
        services.case_open(
            by=admin_user,
            customer=customer,
            title="Cloudy beer",
            description="Sediment",
            category="quality",
            severity="high",
            channel="email",
            lots=[(beer, "B2")],
        )
    # ...and five on the big lot B3 (50,000 units): the same count, not unusual there.
    for customer in others[1:] + others[1:] + others[1:2]:
        services.case_open(
            by=admin_user,
            customer=customer,
            title="Flat beer",
            description="No fizz",
            category="quality",
            severity="medium",
            channel="email",
            lots=[(beer, "B3")],
        )

    assert services.lot_alerts_compute() == 1
    alert = LotAlert.objects.get()
    assert (alert.product, alert.lot, alert.complaints, alert.units, alert.customers) == (
        beer,
        "B2",
        5,
        1000,
        5,
    )
    assert alert.p_value < 0.001

    opened = services.lot_alert_follow_up(alert=alert, by=manager1)
    assert opened == 5  # one per customer who received the lot, complained or not
    tasks = Task.objects.filter(origin="lot_alert")
    assert sorted(tasks.values_list("customer__name", "assignee__username")) == sorted(
        [(c.name, "alice") for c in receivers[:4]] + [("Pool receiver", "maria")]
    )
    assert services.lot_alert_follow_up(alert=alert, by=manager1) == 0  # idempotent
    assert services.lot_alerts_compute() == 1  # recomputing keeps the one alert
    assert LotAlert.objects.count() == 1


def test_story_s8_regional_surge_shows_in_case_load_and_bulk_reassignment_hands_off(
    rep1, rep2, manager1, admin_user, team2
):
    gulf, europe = TerritoryFactory(name="Gulf"), TerritoryFactory(name="Europe")
    UserFactory(username="helper", role=Role.REP, team=team2)
    gulf_customers = [CustomerFactory(owner=rep1, territory=gulf) for _ in range(4)]
    eu_customer = CustomerFactory(owner=rep1, territory=europe)
    now = timezone.now()
    surge = []
    for i in range(8):
        surge.append(
            services.case_open(
                by=rep1,
                customer=gulf_customers[i % 4],
                title=f"Late delivery {i}",
                description="Port congestion",
                category="delivery",
                severity="medium",
                channel="whatsapp",
                opened_at=now - timedelta(days=1, hours=i),
            )
        )
    services.case_open(
        by=rep1,
        customer=eu_customer,
        title="Invoice",
        description="Wrong VAT",
        category="documents",
        severity="low",
        channel="email",
        opened_at=now - timedelta(days=20),
    )
    load = case_load(user=manager1, now=timezone.now())
    regions = {row.label: row for row in load.regions}
    assert (regions["Gulf"].open, regions["Gulf"].new_7d, regions["Gulf"].surge) == (8, 8, True)
    assert (regions["Europe"].open, regions["Europe"].surge) == (1, False)
    assert load.teams[0].label == "Middle East" and load.teams[0].open == 9

    moved = services.cases_reassign(
        case_ids=[case.pk for case in surge[:6]],
        by=manager1,
        team=team2,
        reason="Europe team has room this week",
    )
    assert moved == 6
    owners = list(
        Case.objects.filter(pk__in=[c.pk for c in surge[:6]]).values_list(
            "owner__username", flat=True
        )
    )
    assert sorted(owners) == ["bob"] * 3 + ["helper"] * 3  # spread by load over the team
    events = CaseEvent.objects.filter(kind=EventKind.HANDOFF, case__in=surge[:6])
    assert events.count() == 6
    assert {e.text for e in events} == {"Europe team has room this week"}
    assert set(
        Case.objects.filter(pk__in=[c.pk for c in surge[:6]]).values_list("handoffs", flat=True)
    ) == {1}
