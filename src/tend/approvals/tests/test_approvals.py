"""Four-eyes approvals: stories S9 (refund as last resort) and S10 (the customer who threatens to
leave), the policy, staleness, concurrency, and every way around the guard, tried and refused."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tend.accounts.models import Role
from tend.accounts.tests.factories import UserFactory
from tend.approvals import selectors, services
from tend.approvals.models import ApprovalRequest, Concession, CreditNote, RequestState
from tend.audit.models import AuditEntry
from tend.core.guard import GuardedChange
from tend.customers.models import Customer
from tend.customers.services import customers_bulk_update
from tend.imports.customers import import_customers
from tend.imports.tests.sheets import write_csv
from tend.orders.models import Order, OrderLine
from tend.orders.services import order_create
from tend.orders.tests.factories import ProductFactory, RateFactory, approve_terms
from tend.timeline.models import TimelineEntry


@pytest.fixture
def order(rep1, book):
    RateFactory(currency="EUR", valid_from=date(2020, 1, 1), rate=Decimal("1.10"))
    kettle = ProductFactory(sku="KT-200", list_price=Decimal("11.00"))
    approve_terms(book["rep1_owned"], "T/T 30/70")
    return order_create(
        by=rep1,
        customer=book["rep1_owned"],
        fields={
            "number": "SO-900",
            "order_date": date(2026, 2, 1),
            "currency": "EUR",
            "promised_ship_date": date(2026, 4, 1),
            "payment_terms": "T/T 30/70",
        },
        lines=[{"product": kettle, "quantity": Decimal("1000"), "unit_price": Decimal("10.00")}],
    )


def test_story_s9_refund_as_last_resort(client, rep1, manager1, order):
    customer = order.customer
    request = services.request_create(
        by=rep1,
        kind="refund",
        customer=customer,
        order=order,
        reason="Twelve kettles arrived cracked; replacement refused by the customer",
        proposed={"kind": "refund", "amount": "120.00", "currency": "EUR"},
    )
    assert (request.state, request.amount_base, request.approvals_needed) == (
        "pending",
        Decimal("132.00"),
        1,
    )

    # The requester cannot approve it: not through the service, the page, or the API.
    with pytest.raises(PermissionDenied):
        services.request_decide(by=rep1, request=request, decision="approve")
    client.force_login(rep1)
    api = client.post(
        f"/api/v1/approval-requests/{request.pk}/decide",
        {"decision": "approve"},
        content_type="application/json",
    )
    assert api.status_code == 403
    page = client.post(f"/approvals/{request.pk}/decide/", {"decision": "approve"})
    assert page.status_code in (302, 403)
    request.refresh_from_db()
    assert request.state == "pending"
    assert not CreditNote.objects.exists()

    # A manager approves: the refund is applied exactly once.
    services.request_decide(
        by=manager1, request=request, decision="approve", comment="Photos confirm the damage"
    )
    request.refresh_from_db()
    assert request.state == "applied"
    credit = CreditNote.objects.get()
    assert (credit.kind, credit.amount, credit.currency, credit.amount_base) == (
        "refund",
        Decimal("120.00"),
        "EUR",
        Decimal("132.00"),
    )
    with pytest.raises(ValidationError, match="already Applied"):
        services.request_decide(
            by=UserFactory(username="boss", role=Role.ADMIN, team=None),
            request=request,
            decision="approve",
        )
    assert CreditNote.objects.count() == 1

    # Who decided and why stays on record: audit log and timeline.
    states = [
        e.changes.get("state")
        for e in AuditEntry.objects.filter(entity="approvalrequest").order_by("id")
    ]
    assert states == [None, ["pending", "applied"]]
    decided = AuditEntry.objects.filter(entity="approvalrequest", action="update").get()
    assert (decided.actor, decided.changes["note"]) == (
        manager1,
        [None, "Photos confirm the damage"],
    )
    titles = list(
        TimelineEntry.objects.filter(customer=customer, kind="approval").values_list(
            "title", flat=True
        )
    )
    assert "Approved by Maria Tester: Refund or credit note" in titles
    assert "Approved and applied: Refund or credit note (132.00 USD)" in titles


def test_story_s10_the_approver_sees_five_earlier_concessions(rep1, manager1, book):
    customer = book["rep1_owned"]
    for value in ("500", "750", "1000", "250", "1500"):
        earlier = services.request_create(
            by=rep1,
            kind="accommodation",
            customer=customer,
            reason="Threatens to move to a competitor",
            proposed={
                "description": f"Free freight worth {value}",
                "value": value,
                "currency": "USD",
            },
        )
        services.request_decide(by=manager1, request=earlier, decision="approve")
    request = services.request_create(
        by=rep1,
        kind="credit_terms",
        customer=customer,
        reason="Again threatens to leave unless they get 90 days",
        proposed={"payment_terms": "O/A 90 days"},
    )
    assert selectors.requests_waiting_for(user=manager1) == [request]
    history = list(selectors.customer_concessions(customer_id=customer.pk))
    assert [h.amount_base for h in history] == [
        Decimal("1500.00"),
        Decimal("250.00"),
        Decimal("1000.00"),
        Decimal("750.00"),
        Decimal("500.00"),
    ]
    assert sum(h.amount_base for h in history) == Decimal("4000.00")
    assert Concession.objects.filter(customer=customer).count() == 5


def test_a_discount_within_policy_needs_nobody_and_deeper_ones_need_more(rep1, manager1, order):
    line = order.lines.get()
    small = services.request_create(
        by=rep1,
        kind="discount",
        customer=order.customer,
        order=order,
        reason="Loyal buyer",
        proposed={"lines": {str(line.pk): {"discount_pct": "4"}}},
    )
    assert small.state == "applied"
    line.refresh_from_db()
    assert line.discount_pct == Decimal("4")
    order.refresh_from_db()
    assert order.amount == Decimal("9600.00")
    mid = services.request_create(
        by=rep1,
        kind="discount",
        customer=order.customer,
        order=order,
        reason="Big season",
        proposed={"lines": {str(line.pk): {"discount_pct": "10"}}},
    )
    deep = services.request_create(
        by=rep1,
        kind="discount",
        customer=order.customer,
        order=order,
        reason="Competitor",
        proposed={"lines": {str(line.pk): {"discount_pct": "20"}}},
    )
    assert (mid.approvals_needed, mid.admin_required) == (1, False)
    assert (deep.approvals_needed, deep.admin_required) == (2, True)


def test_a_two_approver_policy(rep1, manager1, admin_user, order):
    line = order.lines.get()
    request = services.request_create(
        by=rep1,
        kind="discount",
        customer=order.customer,
        order=order,
        reason="Competitor",
        proposed={"lines": {str(line.pk): {"discount_pct": "20"}}},
    )
    services.request_decide(by=manager1, request=request, decision="approve")
    request.refresh_from_db()
    assert request.state == "pending"
    with pytest.raises(ValidationError, match="already decided"):
        services.request_decide(by=manager1, request=request, decision="approve")
    line.refresh_from_db()
    assert line.discount_pct == Decimal("0")
    services.request_decide(by=admin_user, request=request, decision="approve")
    request.refresh_from_db()
    line.refresh_from_db()
    assert (request.state, line.discount_pct) == ("applied", Decimal("20"))


def test_a_stale_request_applies_nothing_and_says_why(rep1, manager1, admin_user, order):
    first = services.request_create(
        by=rep1,
        kind="order_change",
        customer=order.customer,
        order=order,
        reason="Port busy",
        proposed={"promised_ship_date": "2026-04-20"},
    )
    second = services.request_create(
        by=rep1,
        kind="order_change",
        customer=order.customer,
        order=order,
        reason="Fewer units",
        proposed={"lines": {str(order.lines.get().pk): {"quantity": "800"}}},
    )
    services.request_decide(by=manager1, request=first, decision="approve")
    services.request_decide(by=manager1, request=second, decision="approve")
    second.refresh_from_db()
    order.refresh_from_db()
    assert second.state == "stale"
    assert "changed after the request was made" in second.state_note
    assert order.promised_ship_date == date(2026, 4, 20)
    assert order.lines.get().quantity == Decimal("1000")


def test_rejecting_needs_a_reason_and_applies_nothing(rep1, manager1, book):
    request = services.request_create(
        by=rep1,
        kind="credit_terms",
        customer=book["rep1_owned"],
        reason="Asked",
        proposed={"credit_limit": "20000"},
    )
    with pytest.raises(ValidationError):
        services.request_decide(by=manager1, request=request, decision="reject", comment="")
    services.request_decide(
        by=manager1, request=request, decision="reject", comment="Two invoices overdue"
    )
    customer = Customer.objects.get(pk=book["rep1_owned"].pk)
    assert customer.credit_limit is None
    assert ApprovalRequest.objects.get().state == "rejected"


def test_a_manager_of_another_team_cannot_decide(rep1, team2, book):
    other_manager = UserFactory(username="otto", role=Role.MANAGER, team=team2)
    request = services.request_create(
        by=rep1,
        kind="credit_terms",
        customer=book["rep1_owned"],
        reason="Asked",
        proposed={"payment_terms": "L/C 60 days"},
    )
    with pytest.raises(PermissionDenied):
        services.request_decide(by=other_manager, request=request, decision="approve")
    assert selectors.requests_waiting_for(user=other_manager) == []


# --- Nothing skips it: each entry point tries to change a guarded field directly. ---


def test_bypass_through_the_customer_page_changes_nothing(client, manager1, book):
    customer = book["rep1_owned"]
    client.force_login(manager1)
    client.post(
        f"/customers/{customer.pk}/edit/",
        {
            "name": customer.name,
            "country": customer.country,
            "currency": "USD",
            "type": customer.type,
            "tier": customer.tier,
            "status": customer.status,
            "owner": customer.owner_id,
            "payment_terms": "O/A 180 days",
            "credit_limit": "99999",
        },
    )
    customer.refresh_from_db()
    assert (customer.payment_terms, customer.credit_limit) == ("", None)


def test_bypass_through_the_api_is_refused(client, manager1, book):
    customer = book["rep1_owned"]
    client.force_login(manager1)
    response = client.patch(
        f"/api/v1/customers/{customer.pk}",
        {"payment_terms": "O/A 180 days"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["payment_terms"]
    customer.refresh_from_db()
    assert customer.payment_terms == ""


def test_bypass_through_a_bulk_action_is_refused(client, manager1, book):
    customer = book["rep1_owned"]
    client.force_login(manager1)
    client.post("/customers/bulk/", {"ids": [customer.pk], "choice": "payment_terms:O/A 180"})
    with pytest.raises(ValidationError):
        customers_bulk_update(
            by=manager1, customers=[customer], fields={"payment_terms": "O/A 180"}
        )
    with pytest.raises(GuardedChange):
        Customer.objects.filter(pk=customer.pk).update(payment_terms="O/A 180")
    customer.refresh_from_db()
    assert customer.payment_terms == ""


def test_bypass_through_an_import_is_refused(manager1, book, tmp_path):
    customer = book["rep1_owned"]
    Customer.objects.filter(pk=customer.pk).update(external_id="ERP-1")
    path = write_csv(
        tmp_path / "terms.csv",
        ["External ID", "Company", "Country", "Payment terms"],
        [["ERP-1", customer.name, "AE", "O/A 180 days"]],
    )
    result = import_customers(by=manager1, path=path, commit=True)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (
            2,
            "Payment terms",
            "An existing customer's payment terms change only by an approved request.",
        )
    ]
    customer.refresh_from_db()
    assert (customer.payment_terms, result.committed) == ("", False)


def test_bypass_through_the_django_admin_changes_nothing(client, admin_user, order):
    client.force_login(admin_user)
    client.post(
        f"/admin/orders/order/{order.pk}/change/",
        {
            "customer": order.customer_id,
            "number": order.number,
            "order_date": "2026-02-01",
            "currency": "GBP",
            "incoterm": "DDP",
            "payment_terms": "O/A 180",
            "promised_ship_date": "2026-12-31",
            "status": "confirmed",
        },
    )
    order.refresh_from_db()
    assert (order.currency, order.payment_terms, order.promised_ship_date) == (
        "EUR",
        "T/T 30/70",
        date(2026, 4, 1),
    )


def test_the_model_refuses_a_direct_save_of_a_confirmed_orders_terms(order):
    order.promised_ship_date = date(2026, 12, 31)
    with pytest.raises(GuardedChange):
        order.save()
    line = order.lines.get()
    line.unit_price = Decimal("1")
    with pytest.raises(GuardedChange):
        line.save()
    with pytest.raises(GuardedChange):
        OrderLine.objects.filter(pk=line.pk).update(unit_price=Decimal("1"))
    with pytest.raises(GuardedChange):
        line.delete()
    assert Order.objects.get(pk=order.pk).promised_ship_date == date(2026, 4, 1)
    assert OrderLine.objects.get(pk=line.pk).unit_price == Decimal("10.00")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_the_same_moment_apply_once(rep1, manager1, admin_user, book):
    request = services.request_create(
        by=rep1,
        kind="refund",
        customer=book["rep1_owned"],
        reason="Damaged",
        proposed={"kind": "credit_note", "amount": "300", "currency": "USD"},
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(user):
        try:
            barrier.wait(timeout=5)
            services.request_decide(by=user, request=request, decision="approve")
            outcomes.append("ok")
        except (ValidationError, PermissionDenied) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (manager1, admin_user)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ValidationError", "ok"]
    assert CreditNote.objects.count() == 1
    assert ApprovalRequest.objects.get().state == RequestState.APPLIED


def test_requests_expire(rep1, book):
    request = services.request_create(
        by=rep1,
        kind="credit_terms",
        customer=book["rep1_owned"],
        reason="Asked",
        proposed={"payment_terms": "L/C 90 days"},
    )
    assert services.requests_expire(now=request.expires_at - timedelta(seconds=1)) == 0
    assert services.requests_expire(now=request.expires_at) == 1
    request.refresh_from_db()
    assert request.state == "expired"


def test_deciding_an_expired_request_marks_it_expired_and_refuses(rep1, manager1, book):
    request = services.request_create(
        by=rep1,
        kind="credit_terms",
        customer=book["rep1_owned"],
        reason="Asked",
        proposed={"payment_terms": "L/C 90 days"},
    )
    ApprovalRequest.objects.filter(pk=request.pk).update(expires_at=request.created_at)
    with pytest.raises(ValidationError, match="expired"):
        services.request_decide(by=manager1, request=request, decision="approve")
    request.refresh_from_db()
    assert request.state == "expired"
    assert Customer.objects.get(pk=book["rep1_owned"].pk).payment_terms == ""


def test_a_misspelt_refund_field_is_named(rep1, book):
    with pytest.raises(ValidationError) as caught:
        services.request_create(
            by=rep1,
            kind="refund",
            customer=book["rep1_owned"],
            reason="Damaged",
            proposed={"ammount": "100"},
        )
    assert "Unknown: ammount" in caught.value.message_dict["proposed"][0]
    assert not ApprovalRequest.objects.exists()


def test_todays_badge_counts_the_same_requests_from_the_role_columns_alone(
    rep1, manager1, team2, admin_user, book, monkeypatch, django_assert_num_queries
):
    """Today reads the waiting requests to count them (``to_count``): only the columns that
    say who may decide, one query, and exactly the requests the approvals page lists."""
    from django.db.models import Model

    other_manager = UserFactory(username="otto", role=Role.MANAGER, team=team2)
    for customer, terms in ((book["rep1_owned"], "O/A 60 days"), (book["pool"], "O/A 30 days")):
        services.request_create(
            by=rep1,
            kind="credit_terms",
            customer=customer,
            reason="Asked",
            proposed={"payment_terms": terms},
        )

    def deferred_read(instance, *args, fields=None, **kwargs):
        raise AssertionError(f"{type(instance).__name__}.{fields} read again")

    for person in (manager1, other_manager, admin_user):
        whole = selectors.requests_waiting_for(user=person)
        with monkeypatch.context() as patched, django_assert_num_queries(1):
            patched.setattr(Model, "refresh_from_db", deferred_read)
            counted = selectors.requests_waiting_for(user=person, to_count=True)
        assert [r.pk for r in counted] == [r.pk for r in whole], person
    assert len(selectors.requests_waiting_for(user=admin_user, to_count=True)) == 2
