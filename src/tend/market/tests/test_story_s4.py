"""Story S4 (seed 004): a dealer from one region sells into a neighbouring dealer's territory."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tend.approvals.models import ApprovalRequest, RequestKind, RequestState
from tend.approvals.services import request_decide
from tend.customers.models import CustomerType
from tend.customers.tests.factories import CustomerFactory, TerritoryFactory
from tend.health.models import HealthSnapshot
from tend.health.services.scoring import score_book
from tend.health.signals import reason_text
from tend.market.models import AlertState, SaleKind, TerritoryRight, TransshipmentAlert
from tend.market.services import channel
from tend.orders.tests.factories import ProductFactory
from tend.tasks.models import Task
from tend.timeline.models import TimelineEntry

from .conftest import place_order

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


@pytest.fixture
def two_dealers(rep1, rep2, admin_user):
    saxony = TerritoryFactory(name="Saxony")
    bavaria = TerritoryFactory(name="Bavaria")
    channel.territory_area_add(by=admin_user, territory=saxony, country="DE", province="Sachsen")
    channel.territory_area_add(by=admin_user, territory=bavaria, country="DE", province="Bayern")
    leipzig = CustomerFactory(
        name="Leipzig Haushalt",
        country="DE",
        city="Leipzig",
        type=CustomerType.DEALER,
        owner=rep1,
        territory=saxony,
    )
    munich = CustomerFactory(
        name="München Küche",
        country="DE",
        city="München",
        type=CustomerType.DEALER,
        owner=rep2,
        territory=bavaria,
    )
    for dealer, territory in ((leipzig, saxony), (munich, bavaria)):
        channel.territory_right_grant(
            by=admin_user,
            dealer=dealer,
            territory=territory,
            product_line="Kettles",
            exclusive=True,
            valid_from=date(2025, 1, 1),
        )
    kettle = ProductFactory(sku="KT-200", category="Kettles")
    place_order(leipzig, kettle, amount=12000, quantity=1000, day=date(2026, 9, 1), lot="L-2409")
    place_order(munich, kettle, amount=15000, quantity=1200, day=date(2026, 9, 3), lot="L-2410")
    return {"leipzig": leipzig, "munich": munich, "kettle": kettle}


def _check(by, kettle, *, lot="L-2409", province="Bayern", city="München"):
    return channel.market_check_record(
        by=by,
        country="de",
        province=province,
        city=city,
        shop="Elektro Huber",
        product=kettle,
        lot_code=lot,
        price=29,
        currency="EUR",
        checked_on=date(2026, 11, 20),
        now=NOW,
    )


def test_story_s4_lot_found_next_door_alerts_raises_harmed_risk_and_action_needs_approval(
    two_dealers, rep2, manager1, admin_user, client
):
    leipzig, munich = two_dealers["leipzig"], two_dealers["munich"]
    check = _check(rep2, two_dealers["kettle"])

    # The alert names both dealers and the evidence: the check and the order line.
    alert = TransshipmentAlert.objects.get(market_check=check)
    assert (alert.source_dealer, alert.harmed_dealer) == (leipzig, munich)
    assert alert.order_line.batch_number == "L-2409"
    assert TimelineEntry.objects.filter(customer=munich, kind="market").count() == 1
    assert TimelineEntry.objects.filter(customer=leipzig, kind="market").count() == 1

    # The source dealer's owner gets a task.
    task = Task.objects.get(customer=leipzig, origin="transshipment")
    assert task.assignee == leipzig.owner

    # The harmed dealer's risk rises with a channel reason.
    score_book(now=NOW)
    snap = HealthSnapshot.objects.get(customer=munich, day=NOW.date())
    assert snap.cause == "channel"
    assert reason_text(snap.reasons[0]) == (
        "1 lot of another dealer found in their exclusive territory in 180 days"
    )
    assert HealthSnapshot.objects.get(customer=leipzig, day=NOW.date()).cause != "channel"

    # Acting against the source dealer: classify, then an approval request a second person decides.
    with pytest.raises(ValidationError):
        channel.alert_action_request(
            by=admin_user, alert=alert, action="revoke_exclusivity", reason="x"
        )
    channel.alert_classify(
        by=admin_user, alert=alert, sale_kind=SaleKind.ACTIVE, note="Ads in Munich"
    )
    request = channel.alert_action_request(
        by=admin_user, alert=alert, action="revoke_exclusivity", reason="Advertised in Munich"
    )
    assert (request.kind, request.state, request.customer) == (
        RequestKind.CHANNEL_ACTION,
        RequestState.PENDING,
        leipzig,
    )
    assert TerritoryRight.objects.get(dealer=leipzig).valid_until is None  # nothing yet
    client.force_login(manager1)
    approver_page = client.get(request.get_absolute_url())
    assert approver_page.status_code == 200
    assert "Revoke exclusivity" in approver_page.content.decode()
    with pytest.raises((PermissionDenied, ValidationError)):
        request_decide(by=admin_user, request=request, decision="approve")
    request_decide(by=manager1, request=request, decision="approve", comment="Agreed")
    request.refresh_from_db()
    alert.refresh_from_db()
    assert request.state == RequestState.APPLIED
    assert alert.state == AlertState.ACTION_APPROVED
    assert TerritoryRight.objects.get(dealer=leipzig).valid_until == timezone.localdate()


def test_a_passive_sale_cannot_be_acted_against(two_dealers, rep2, admin_user):
    check = _check(rep2, two_dealers["kettle"])
    alert = check.alerts.get()
    channel.alert_classify(by=admin_user, alert=alert, sale_kind=SaleKind.PASSIVE)
    with pytest.raises(ValidationError) as refused:
        channel.alert_action_request(by=admin_user, alert=alert, action="warning", reason="x")
    assert "passive" in str(refused.value)
    assert not ApprovalRequest.objects.exists()


def test_a_lot_found_in_its_own_territory_raises_nothing(two_dealers, rep2):
    check = _check(rep2, two_dealers["kettle"], province="Sachsen", city="Dresden")
    assert not check.alerts.exists()


def test_a_rep_cannot_classify(two_dealers, rep1, rep2):
    alert = _check(rep2, two_dealers["kettle"]).alerts.get()
    with pytest.raises(PermissionDenied):
        channel.alert_classify(by=rep1, alert=alert, sale_kind=SaleKind.ACTIVE)


def test_two_exclusive_rights_on_the_same_line_and_place_are_refused(two_dealers, admin_user):
    bavaria = TerritoryFactory(name="Bavaria")
    with pytest.raises(ValidationError):
        channel.territory_right_grant(
            by=admin_user,
            dealer=two_dealers["leipzig"],
            territory=bavaria,
            product_line="Kettles",
            exclusive=True,
            valid_from=date(2026, 1, 1),
        )
