from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from tend.audit.models import AuditEntry
from tend.customers.models import Customer
from tend.customers.tests.factories import CustomerFactory
from tend.market import floor, scoring
from tend.market.models import MarketProfile
from tend.market.services import tiers
from tend.orders.tests.factories import ProductFactory
from tend.timeline.models import TimelineEntry

from .conftest import place_order

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


def test_abc_classes_follow_the_stated_cutoffs():
    values = np.array([500, 300, 100, 50, 30, 20, 0])
    # 500 and 300 make the top 80%; 100 and 50 the next 15%; the rest C, no revenue C.
    assert scoring.abc_classes(values).tolist() == ["A", "A", "B", "B", "C", "C", "C"]


def test_rfm_quintiles():
    assert scoring.quintile_scores(np.arange(1, 11)).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert scoring.quintile_scores(np.arange(1, 11), higher_is_better=False).tolist() == [
        5,
        5,
        4,
        4,
        3,
        3,
        2,
        2,
        1,
        1,
    ]


@pytest.fixture
def hand_made_book(db):
    """Ten customers; revenue in the last 12 months 5000, 2000, 1000, 600, 500, 400, 250, 150,
    100 and nothing (an old order only). Total 10,000: A = top 80% (5000+2000+1000), B = next 15%
    (600+500+400), C = the rest."""
    kettle = ProductFactory(sku="K1", category="Kettles", cost=None)
    amounts = [5000, 2000, 1000, 600, 500, 400, 250, 150, 100]
    book = {}
    for i, amount in enumerate(amounts):
        customer = CustomerFactory(name=f"C{i}")
        place_order(customer, kettle, amount=amount, day=date(2026, 6, 1) + timedelta(days=i))
        book[f"C{i}"] = customer
    old = CustomerFactory(name="Old")
    place_order(old, kettle, amount=9000, day=date(2025, 6, 1))
    book["Old"] = old
    return book


def test_tier_computation_on_a_hand_made_book_gives_exactly_the_expected_abc(hand_made_book):
    tiers.tiers_compute(now=NOW)
    proposed = dict(MarketProfile.objects.values_list("customer__name", "proposed_tier"))
    assert proposed == {
        "C0": "A",
        "C1": "A",
        "C2": "A",
        "C3": "B",
        "C4": "B",
        "C5": "B",
        "C6": "C",
        "C7": "C",
        "C8": "C",
        "Old": "C",
    }
    c0 = MarketProfile.objects.get(customer=hand_made_book["C0"])
    assert (c0.revenue_12m, c0.monetary, c0.margin_12m) == (Decimal("5000.00"), 5, None)
    old = MarketProfile.objects.get(customer=hand_made_book["Old"])
    assert (old.revenue_12m, old.frequency, old.recency) == (Decimal("0.00"), 1, 1)


def test_margin_where_cost_is_known_lifts_a_profitable_small_customer(db):
    cheap = ProductFactory(sku="CHEAP", cost=Decimal("9"))  # sells at 10: thin margin
    rich = ProductFactory(sku="RICH", cost=Decimal("1"))  # sells at 10: fat margin
    big = CustomerFactory(name="Big")
    small = CustomerFactory(name="Small")
    place_order(big, cheap, amount=9000, quantity=900, day=date(2026, 5, 1))
    place_order(small, rich, amount=400, quantity=40, day=date(2026, 5, 1))
    tiers.tiers_compute(now=NOW)
    profiles = {p.customer.name: p for p in MarketProfile.objects.select_related("customer")}
    assert profiles["Big"].abc_revenue == "A" and profiles["Small"].abc_revenue == "C"
    # revenue 9000 / 400: Small is past 95% (C); margins 900 / 360: Small is within 80% (A)
    assert profiles["Small"].margin_12m == Decimal("360.00")
    assert profiles["Small"].abc_margin == "A" and profiles["Small"].proposed_tier == "A"


def test_potential_lifts_one_class_at_most(hand_made_book, admin_user):
    tiers.potential_set(by=admin_user, customer=hand_made_book["C8"], potential=Decimal("50000"))
    tiers.tiers_compute(now=NOW)
    assert MarketProfile.objects.get(customer=hand_made_book["C8"]).proposed_tier == "B"


def test_manager_applies_in_bulk_with_audit_and_timeline(hand_made_book, manager1, rep1):
    for customer in hand_made_book.values():
        customer.owner = rep1
        customer.save()
    tiers.tiers_compute(now=NOW)
    ids = [c.pk for c in hand_made_book.values()]
    changed = tiers.tiers_apply(by=manager1, customer_ids=ids, now=NOW)
    assert changed == 6  # C0..C5 move from the default C; the rest stay C
    c0 = Customer.objects.get(pk=hand_made_book["C0"].pk)
    assert c0.tier == "A"
    assert c0.touch_due_at == c0.created_at + timedelta(days=7)
    assert AuditEntry.objects.filter(customer_id=c0.pk, changes__tier=["C", "A"]).count() == 1
    assert TimelineEntry.objects.filter(customer_id=c0.pk, kind="tier").count() == 1
    assert tiers.tiers_apply(by=manager1, customer_ids=ids, now=NOW) == 0


def test_a_rep_cannot_apply_tiers(hand_made_book, rep1):
    from django.core.exceptions import PermissionDenied

    tiers.tiers_compute(now=NOW)
    with pytest.raises(PermissionDenied):
        tiers.tiers_apply(by=rep1, customer_ids=[hand_made_book["C0"].pk])
    assert Customer.objects.get(pk=hand_made_book["C0"].pk).tier == "C"


def test_auto_apply_by_setting(hand_made_book, settings):
    settings.TEND_TIERS_AUTO_APPLY = True
    tiers.tiers_nightly(now=NOW)
    assert Customer.objects.get(pk=hand_made_book["C3"].pk).tier == "B"


def test_tier_cadence_is_editable_and_read_without_a_query_per_row(
    db, admin_user, django_assert_num_queries
):
    customers = [CustomerFactory(tier="B") for _ in range(5)]
    tiers.tier_policy_set(by=admin_user, tier="B", cadence_days=10)
    floor.forget()
    fetched = list(Customer.objects.filter(pk__in=[c.pk for c in customers]))
    with django_assert_num_queries(1):
        assert [c.cadence for c in fetched] == [10] * 5
    refreshed = Customer.objects.get(pk=customers[0].pk)
    assert refreshed.touch_due_at == refreshed.created_at + timedelta(days=10)
