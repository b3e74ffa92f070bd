"""Story S11 (seed 001): a customer refers a new buyer; business passed to a customer is logged."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tend.customers.models import Customer
from tend.customers.panels import panel_url
from tend.customers.services import customer_update
from tend.customers.tests.factories import CustomerFactory
from tend.market.models import LeadOutcome, Referral
from tend.market.selectors import referral_report
from tend.market.services import referrals
from tend.orders.tests.factories import ProductFactory
from tend.timeline.models import TimelineEntry

from .conftest import place_order


@pytest.fixture
def pair(rep1):
    referrer = CustomerFactory(name="Gulf Home Trading", owner=rep1)
    newcomer = CustomerFactory(name="Sharjah Kitchens", owner=rep1)
    return referrer, newcomer


def test_story_s11_referral_shows_on_both_pages_with_revenue_and_business_passed(
    pair, rep1, client
):
    referrer, newcomer = pair
    kettle = ProductFactory(sku="KT-11")
    place_order(newcomer, kettle, amount=999, day=date(2026, 2, 28))  # before: not counted
    referrals.referral_record(by=rep1, referrer=referrer, referred=newcomer, on=date(2026, 3, 1))
    place_order(newcomer, kettle, amount=4000, day=date(2026, 3, 10))
    place_order(newcomer, kettle, amount=2500, day=date(2026, 7, 2))
    place_order(newcomer, kettle, amount=7000, day=date(2026, 8, 2), status="cancelled")
    referrals.business_passed_record(
        by=rep1,
        customer=referrer,
        lead="Hotel chain in Doha",
        passed_on=date(2026, 4, 2),
        value=Decimal("30000"),
    )
    passed = referrer.business_passed.get()
    referrals.business_passed_close(by=rep1, passed=passed, outcome=LeadOutcome.WON)

    client.force_login(rep1)
    referrer_page = client.get(panel_url(referrer.pk, "market")).content.decode()
    assert "Sharjah Kitchens" in referrer_page and "6,500" in referrer_page
    assert "Hotel chain in Doha" in referrer_page and "Won by the customer" in referrer_page
    newcomer_page = client.get(panel_url(newcomer.pk, "market")).content.decode()
    assert "Gulf Home Trading" in newcomer_page and "6,500" in newcomer_page

    assert TimelineEntry.objects.filter(customer=referrer, kind="referral").count() == 3
    assert TimelineEntry.objects.filter(customer=newcomer, kind="referral").count() == 1
    top = referral_report(user=rep1)["top"]
    assert [(row["referrer"], row["count"], row["revenue"]) for row in top] == [
        (referrer, 1, Decimal("6500.00"))
    ]
    assert referral_report(user=rep1)["passed_by_outcome"] == {"won": 1}


def test_a_customer_is_referred_once_and_not_by_itself(pair, rep1):
    referrer, newcomer = pair
    referrals.referral_record(by=rep1, referrer=referrer, referred=newcomer, on=date(2026, 3, 1))
    with pytest.raises(ValidationError):
        referrals.referral_record(
            by=rep1, referrer=newcomer, referred=newcomer, on=date(2026, 3, 1)
        )
    with pytest.raises(ValidationError):
        referrals.referral_record(
            by=rep1, referrer=CustomerFactory(), referred=newcomer, on=date(2026, 3, 1)
        )
    assert Referral.objects.count() == 1


def test_the_customer_files_referred_by_writes_the_ledger(pair, rep1, manager1):
    referrer, newcomer = pair
    customer_update(by=manager1, customer=newcomer, fields={"referred_by": referrer})
    assert Customer.objects.get(pk=newcomer.pk).referred_by == referrer
    assert Referral.objects.get().referrer == referrer
    customer_update(by=manager1, customer=newcomer, fields={"referred_by": None})
    assert not Referral.objects.exists()
    with pytest.raises(ValidationError) as refused:
        customer_update(by=manager1, customer=newcomer, fields={"referred_by": newcomer})
    assert "referred_by" in refused.value.message_dict
    assert not Referral.objects.exists()


def test_the_api_reads_and_writes_the_referrer_through_the_ledger(pair, manager1, client):
    referrer, newcomer = pair
    client.force_login(manager1)
    response = client.patch(
        f"/api/v1/customers/{newcomer.pk}",
        {"referred_by_id": referrer.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["referred_by_id"] == referrer.pk
    listed = client.get("/api/v1/customers", {"q": "sharjah"}).json()["results"]
    assert listed[0]["referred_by_id"] == referrer.pk


def test_a_mention_is_on_the_timeline_with_link_and_sentiment(pair, rep1):
    referrer, _ = pair
    referrals.mention_record(
        by=rep1,
        customer=referrer,
        url="https://forum.example.com/t/42",
        sentiment="positive",
        summary="Recommends our kettles to other shops",
        seen_on=date(2026, 5, 1),
    )
    entry = TimelineEntry.objects.get(customer=referrer, kind="mention")
    assert entry.data["url"] == "https://forum.example.com/t/42"
    assert entry.data["sentiment"] == "positive"
    with pytest.raises(ValidationError):
        referrals.mention_record(
            by=rep1,
            customer=referrer,
            url="javascript:alert(1)",
            sentiment="positive",
            summary="x",
            seen_on=date(2026, 5, 1),
        )
