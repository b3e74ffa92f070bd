"""Approval pages: asking for each kind of special terms, the approver's queue and request page
(with the customer's history of concessions), deciding, withdrawing, and the agenda sections.
A refusal changes nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tend.agenda.views import agenda_context, agenda_sections
from tend.approvals import services
from tend.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    Notification,
    RequestKind,
    RequestState,
)
from tend.customers.models import Customer
from tend.customers.panels import panel_url
from tend.jobs.registry import periodic_jobs
from tend.orders import services as order_services
from tend.orders.models import OrderLine
from tend.orders.tests.factories import ProductFactory, RateFactory, approve_terms


def place(by, customer, number="SO-2026-0301"):
    """A confirmed order of one line, 100 kettles at 10.00 USD (the list price), placed today."""
    approve_terms(customer, "30% deposit, 70% against B/L")
    return order_services.order_create(
        by=by,
        customer=customer,
        fields={
            "number": number,
            "order_date": timezone.localdate(),
            "currency": "USD",
            "incoterm": "FOB",
            "payment_terms": "30% deposit, 70% against B/L",
            "promised_ship_date": date(2026, 9, 1),
        },
        lines=[
            {
                "product": ProductFactory(sku=f"KT-{number}", list_price=Decimal("10.00")),
                "quantity": Decimal("100"),
                "unit_price": Decimal("10"),
            }
        ],
    )


def ask(by, customer, kind=RequestKind.CREDIT_TERMS, *, order=None, proposed=None, **extra):
    return services.request_create(
        by=by,
        kind=kind,
        customer=customer,
        order=order,
        reason=extra.get("reason", "They say a competitor offers 60 days."),
        proposed=proposed or {"payment_terms": "60 days net"},
    )


def snapshot():
    """What a refusal must leave as it was."""
    return (
        list(ApprovalRequest.objects.values_list("pk", "state").order_by("pk")),
        ApprovalDecision.objects.count(),
        list(Customer.objects.values_list("pk", "payment_terms", "credit_limit").order_by("pk")),
        list(OrderLine.objects.values_list("pk", "quantity", "unit_price", "discount_pct")),
    )


@pytest.fixture
def order(rep1, book):
    return place(rep1, book["rep1_owned"])


# --- Asking ---


def test_the_order_page_links_to_asking_for_a_change_or_discount(client, rep1, order):
    client.force_login(rep1)
    html = client.get(order.get_absolute_url()).content.decode()
    assert f"/approvals/orders/{order.pk}/new/" in html
    assert "Request a change or discount" in html


def test_a_rep_asks_for_a_deeper_discount_on_an_order_line(client, rep1, order):
    line = order.lines.get()
    client.force_login(rep1)
    url = f"/approvals/orders/{order.pk}/new/"
    form = client.get(url, {"kind": "discount"})
    assert f'name="line_{line.pk}_discount_pct"' in form.content.decode()

    response = client.post(
        url,
        {
            "kind": "discount",
            f"line_{line.pk}_discount_pct": "10",
            f"line_{line.pk}_unit_price": "",
            "reason": "Matches the offer they have from Ningbo.",
        },
    )

    request = ApprovalRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    assert request.kind == RequestKind.DISCOUNT and request.order == order
    assert request.proposed == {"lines": {str(line.pk): {"discount_pct": "10"}}}
    assert request.state == RequestState.PENDING
    assert request.amount_base == Decimal("100.00")
    line.refresh_from_db()
    assert line.discount_pct == Decimal("0")  # nothing changes before it is approved


def test_a_discount_within_policy_is_applied_at_once(client, rep1, order):
    line = order.lines.get()
    client.force_login(rep1)
    client.post(
        f"/approvals/orders/{order.pk}/new/",
        {"kind": "discount", f"line_{line.pk}_discount_pct": "3", "reason": "Loyalty, as agreed."},
    )
    assert ApprovalRequest.objects.get().state == RequestState.APPLIED
    line.refresh_from_db()
    assert line.discount_pct == Decimal("3.00")


def test_a_rep_asks_to_change_a_confirmed_orders_terms_and_lines(client, rep1, order):
    line = order.lines.get()
    client.force_login(rep1)
    response = client.post(
        f"/approvals/orders/{order.pk}/new/",
        {
            "kind": "order_change",
            "promised_ship_date": "2026-09-20",
            "payment_terms": "100% against B/L",
            "incoterm": "CIF",
            f"line_{line.pk}_quantity": "120",
            f"line_{line.pk}_unit_price": "9.5",
            f"line_{line.pk}_discount_pct": "",
            "reason": "They take 20 more if we ship later and deliver to Jebel Ali.",
        },
    )
    request = ApprovalRequest.objects.get()
    assert response.status_code == 302
    assert request.kind == RequestKind.ORDER_CHANGE
    assert request.proposed == {
        "lines": {str(line.pk): {"quantity": "120", "unit_price": "9.5"}},
        "promised_ship_date": "2026-09-20",
        "payment_terms": "100% against B/L",
        "incoterm": "CIF",
    }


def test_the_customer_page_lists_their_requests_and_links_to_asking(client, rep1, book):
    customer = book["rep1_owned"]
    ask(rep1, customer)
    client.force_login(rep1)
    html = client.get(panel_url(customer.pk, "approvals")).content.decode()
    assert "Request special terms / refund / credit terms" in html
    assert f"/approvals/customers/{customer.pk}/new/" in html
    assert "Payment terms or credit limit" in html and "Pending" in html


def test_a_rep_asks_for_a_credit_note_on_an_order(client, rep1, book, order):
    client.force_login(rep1)
    response = client.post(
        f"/approvals/customers/{book['rep1_owned'].pk}/new/",
        {
            "kind": "refund",
            "refund_kind": "credit_note",
            "amount": "250",
            "currency": "usd",
            "order": order.pk,
            "reason": "Twelve kettles arrived with cracked lids.",
        },
    )
    request = ApprovalRequest.objects.get()
    assert response.status_code == 302
    assert request.kind == RequestKind.REFUND and request.order == order
    assert request.proposed == {"kind": "credit_note", "amount": "250", "currency": "USD"}
    assert request.amount_base == Decimal("250.00")


def test_a_rep_asks_for_a_special_accommodation_valued_in_euros(client, rep1, book):
    RateFactory(currency="EUR", rate=Decimal("1.10"))
    client.force_login(rep1)
    client.post(
        f"/approvals/customers/{book['rep1_owned'].pk}/new/",
        {
            "kind": "accommodation",
            "description": "Free freight on the next container",
            "value": "800",
            "currency": "EUR",
            "reason": "They threaten to move the next order to a competitor.",
        },
    )
    request = ApprovalRequest.objects.get()
    assert request.kind == RequestKind.ACCOMMODATION
    assert request.proposed == {
        "description": "Free freight on the next container",
        "value": "800",
        "currency": "EUR",
    }
    assert request.amount_base == Decimal("880.00")


def test_a_rep_asks_for_longer_payment_terms_and_a_credit_limit(client, rep1, book):
    client.force_login(rep1)
    client.post(
        f"/approvals/customers/{book['rep1_owned'].pk}/new/",
        {
            "kind": "credit_terms",
            "payment_terms": "60 days net",
            "credit_limit": "20000",
            "reason": "Five years of on-time payment.",
        },
    )
    request = ApprovalRequest.objects.get()
    assert request.kind == RequestKind.CREDIT_TERMS
    assert request.proposed == {"payment_terms": "60 days net", "credit_limit": "20000"}
    assert request.baseline == {"payment_terms": "", "credit_limit": None}


def test_field_errors_show_next_to_the_fields_and_nothing_is_written(client, rep1, book):
    client.force_login(rep1)
    url = f"/approvals/customers/{book['rep1_owned'].pk}/new/"
    response = client.post(
        url, {"kind": "refund", "refund_kind": "refund", "amount": "lots", "currency": "USD"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"amount", "reason"}
    assert 'id="id_amount_error"' in response.content.decode()

    # The service's own refusals land on their field too: no rate for JPY.
    response = client.post(
        url,
        {
            "kind": "refund",
            "refund_kind": "refund",
            "amount": "100",
            "currency": "JPY",
            "reason": "Short shipment.",
        },
    )
    assert "No exchange rate for JPY" in response.context["form"].errors["currency"][0]
    assert ApprovalRequest.objects.count() == 0


def test_an_order_change_that_changes_nothing_is_refused(client, rep1, order):
    client.force_login(rep1)
    response = client.post(
        f"/approvals/orders/{order.pk}/new/",
        {"kind": "order_change", "incoterm": "FOB", "reason": "Just checking."},
    )
    assert response.context["form"].non_field_errors() == ["Nothing to change."]
    assert ApprovalRequest.objects.count() == 0


def test_someone_who_cannot_see_the_customer_cannot_ask_for_it(client, rep2, book, order):
    client.force_login(rep2)
    assert client.get(f"/approvals/customers/{book['rep1_owned'].pk}/new/").status_code == 404
    assert client.get(f"/approvals/orders/{order.pk}/new/").status_code == 404


# --- The approver's queue and request page ---


def test_the_queue_shows_exactly_what_the_manager_may_decide_oldest_first(
    client, rep1, rep2, manager1, admin_user, book
):
    now = timezone.now()

    def aged(request, days):
        ApprovalRequest.objects.filter(pk=request.pk).update(created_at=now - timedelta(days=days))
        return request

    newer = aged(ask(rep1, book["rep1_owned"]), 1)
    older = aged(ask(rep1, book["rep1_backup"]), 3)  # rep2's customer, asked by rep1's team
    other_team = aged(ask(rep2, book["rep2_owned"]), 4)
    own = aged(ask(manager1, book["rep1_owned"]), 5)
    withdrawn = services.request_withdraw(by=rep1, request=ask(rep1, book["pool"]))
    # Two approvers needed: once manager1 approved, it waits for someone else, not for them.
    big = ask(
        rep1,
        book["rep1_owned"],
        RequestKind.ACCOMMODATION,
        proposed={"description": "Exclusive territory", "value": "6000", "currency": "USD"},
    )
    services.request_decide(by=manager1, request=big, decision="approve")

    client.force_login(manager1)
    response = client.get("/approvals/")
    assert [r.pk for r in response.context["waiting"]] == [older.pk, newer.pk]
    html = response.content.decode()
    assert html.index(f'id="waiting-{older.pk}"') < html.index(f'id="waiting-{newer.pk}"')
    for absent in (other_team, own, withdrawn, big):
        assert f'id="waiting-{absent.pk}"' not in html
    assert f'id="mine-{own.pk}"' in html  # under "My requests"

    client.force_login(admin_user)
    waiting = [r.pk for r in client.get("/approvals/").context["waiting"]]
    assert waiting == [own.pk, other_team.pk, older.pk, newer.pk, big.pk]


def test_the_request_page_shows_the_customers_concessions_with_their_total(
    client, rep1, manager1, admin_user, book, order
):
    customer = book["rep1_owned"]
    credit = ask(
        rep1,
        customer,
        RequestKind.REFUND,
        proposed={"kind": "credit_note", "amount": "300", "currency": "USD"},
        reason="Cracked lids.",
    )
    services.request_decide(by=manager1, request=credit, decision="approve")
    freight = ask(
        rep1,
        customer,
        RequestKind.ACCOMMODATION,
        proposed={"description": "Free freight", "value": "200", "currency": "USD"},
        reason="Says they will leave for a cheaper supplier.",
    )
    services.request_decide(by=manager1, request=freight, decision="approve")
    refused = ask(rep1, customer)
    services.request_decide(by=manager1, request=refused, decision="reject", comment="No.")
    pending = ask(
        rep1,
        customer,
        RequestKind.REFUND,
        proposed={"kind": "refund", "amount": "150", "currency": "USD"},
        reason="Again: says they will leave.",
    )

    client.force_login(manager1)
    response = client.get(pending.get_absolute_url())
    html = response.content.decode()
    record = response.context["record"]
    assert [r.pk for r in record.concessions] == [freight.pk, credit.pk]
    assert record.concessions_total == Decimal("500.00")
    assert 'id="concessions-total">500.00 USD' in html
    assert "Special accommodation" in html and "Refund or credit note" in html
    assert "Says they will leave for a cheaper supplier." in html
    assert record.value_12m == Decimal("1000.00")
    assert "margin unknown" in html and "no complaints" in html
    assert '<dd id="refused">1</dd>' in html
    assert "Refund" in html and "150.00 USD" in html and "Again: says they will leave." in html
    assert 'value="approve"' in html and 'value="reject"' in html

    # The requester sees their request and its state, not the approver's file, and no buttons.
    client.force_login(rep1)
    response = client.get(pending.get_absolute_url())
    html = response.content.decode()
    assert response.context["record"] is None and 'id="concessions"' not in html
    assert 'value="approve"' not in html and 'id="withdraw"' in html


def test_the_request_page_says_old_and_new_in_plain_words(client, rep1, manager1, order):
    line = order.lines.get()
    request = ask(
        rep1,
        order.customer,
        RequestKind.ORDER_CHANGE,
        order=order,
        proposed={
            "lines": {str(line.pk): {"unit_price": "9.5"}},
            "promised_ship_date": "2026-09-20",
        },
    )
    client.force_login(manager1)
    changes = [
        (c.what, c.old, c.new) for c in client.get(request.get_absolute_url()).context["changes"]
    ]
    assert changes == [
        ("Promised ship date", "2026-09-01", "2026-09-20"),
        (f"{line.product.sku} {line.product.name}: unit price", "10.00", "9.50"),
    ]


def test_approving_on_the_page_applies_new_credit_terms(client, rep1, manager1, book):
    customer = book["rep1_owned"]
    request = ask(
        rep1, customer, proposed={"payment_terms": "60 days net", "credit_limit": "20000"}
    )
    client.force_login(manager1)
    response = client.post(f"/approvals/{request.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.payment_terms == "60 days net"
    assert customer.credit_limit == Decimal("20000.00")
    request.refresh_from_db()
    assert request.state == RequestState.APPLIED
    assert Notification.objects.get(user=rep1).url == request.get_absolute_url()


def test_rejecting_needs_a_comment(client, rep1, manager1, book):
    request = ask(rep1, book["rep1_owned"])
    before = snapshot()
    client.force_login(manager1)
    response = client.post(f"/approvals/{request.pk}/decide/", {"decision": "reject"})
    assert response.status_code == 200
    assert response.context["decide_form"].errors["comment"] == ["Say why you reject it."]
    assert snapshot() == before

    client.post(
        f"/approvals/{request.pk}/decide/",
        {"decision": "reject", "comment": "Not while they pay late."},
    )
    request.refresh_from_db()
    assert request.state == RequestState.REJECTED
    assert Notification.objects.filter(user=rep1).count() == 1
    assert Customer.objects.get(pk=request.customer_id).payment_terms == ""


def test_the_requester_cannot_approve_their_own_request(client, manager1, book):
    request = ask(manager1, book["rep1_owned"])
    before = snapshot()
    client.force_login(manager1)
    assert 'value="approve"' not in client.get(request.get_absolute_url()).content.decode()
    response = client.post(f"/approvals/{request.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    assert "You cannot decide your own request." in response.content.decode()
    assert snapshot() == before


def test_deciding_twice_is_refused_with_a_message(client, rep1, manager1, book):
    request = ask(rep1, book["rep1_owned"])
    client.force_login(manager1)
    client.post(f"/approvals/{request.pk}/decide/", {"decision": "approve"})
    before = snapshot()
    response = client.post(f"/approvals/{request.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "This request is already Applied." in response.content.decode()
    assert snapshot() == before


def test_another_teams_people_cannot_see_or_decide_a_request(client, rep1, rep2, book):
    request = ask(rep1, book["rep1_owned"])
    before = snapshot()
    client.force_login(rep2)
    assert client.get(request.get_absolute_url()).status_code == 404
    assert (
        client.post(f"/approvals/{request.pk}/decide/", {"decision": "approve"}).status_code == 404
    )
    assert snapshot() == before


def test_the_requester_withdraws_a_pending_request_and_no_one_else_can(
    client, rep1, manager1, book
):
    request = ask(rep1, book["rep1_owned"])
    client.force_login(manager1)
    assert client.post(f"/approvals/{request.pk}/withdraw/").status_code == 403
    request.refresh_from_db()
    assert request.state == RequestState.PENDING

    client.force_login(rep1)
    client.post(f"/approvals/{request.pk}/withdraw/")
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN
    html = client.get(request.get_absolute_url()).content.decode()
    assert 'id="withdraw"' not in html and "Withdrawn" in html


# --- The agenda and the periodic job ---


def test_the_agenda_lists_a_waiting_request_and_a_decision(client, rep1, manager1, book):
    request = ask(rep1, book["rep1_owned"])

    client.force_login(manager1)
    html = client.get("/today/").content.decode()
    assert 'id="section-approvals_waiting"' in html
    assert '<span class="badge">1</span>' in html[html.index('id="h-approvals_waiting"') :]
    # Its rows load when the section is opened.
    html = client.get("/today/section/approvals_waiting/").content.decode()
    assert f'id="approval-{request.pk}"' in html
    context = agenda_context(user=manager1, viewer=manager1)
    sections = {section.key: result for section, result in agenda_sections(context)}
    assert [row.item for row in sections["approvals_waiting"].rows] == [request]
    assert sections["approvals_waiting"].rows[0].customer == book["rep1_owned"]

    services.request_decide(by=manager1, request=request, decision="approve")
    context = agenda_context(user=manager1, viewer=manager1)
    sections = {section.key: result for section, result in agenda_sections(context)}
    assert sections["approvals_waiting"].total == 0
    client.force_login(rep1)
    decisions = "/today/section/approval_decisions/"
    html = client.get(decisions, headers={"HX-Request": "true"}).content.decode()
    notification = Notification.objects.get(user=rep1)
    assert f'id="notification-{notification.pk}"' in html
    assert "Your request was applied" in html
    # Opened on Today, marking it read comes back to Today.
    assert '<input type="hidden" name="next" value="/today/">' in html

    client.post(f"/approvals/notifications/{notification.pk}/read/", {"next": "/today/"})
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert f'id="notification-{notification.pk}"' not in client.get(decisions).content.decode()
    today = client.get("/today/").content.decode()
    title = today[today.index('id="h-approval_decisions"') :]
    assert title[: title.index("</h2>")].endswith('<span class="badge">0</span>')


def test_no_one_marks_someone_elses_notification_read(client, rep1, rep2):
    notification = Notification.objects.create(user=rep1, text="Your request was applied")
    client.force_login(rep2)
    client.post(f"/approvals/notifications/{notification.pk}/read/")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_pending_requests_expire_every_fifteen_minutes(rep1, book):
    job = next(job for job in periodic_jobs() if job.name == "approvals.requests_expire")
    assert job.every == timedelta(minutes=15)
    request = ask(rep1, book["rep1_owned"])
    assert job.func(now=timezone.now()) == 0
    assert job.func(now=request.expires_at + timedelta(seconds=1)) == 1
    request.refresh_from_db()
    assert request.state == RequestState.EXPIRED


def test_credit_terms_show_the_new_terms_and_limit_never_an_amount(client, rep1, manager1, book):
    customer = book["rep1_owned"]
    both = ask(
        rep1,
        customer,
        proposed={"payment_terms": "60 days net", "credit_limit": "20000"},
    )
    granted = ask(rep1, customer, proposed={"credit_limit": "50000"})
    services.request_decide(by=manager1, request=granted, decision="approve")
    terms = ask(rep1, customer, proposed={"payment_terms": "90 days net"})
    unlimited = ask(rep1, customer, proposed={"credit_limit": None})

    assert str(both.about) == "payment terms: 60 days net · credit limit: 20,000.00 USD"
    assert str(terms.about) == "payment terms: 90 days net"
    assert str(unlimited.about) == "no credit limit"
    assert not both.has_amount

    client.force_login(manager1)
    html = client.get("/approvals/").content.decode()
    assert "Asked for" in html and ">0.00 USD<" not in html
    assert "payment terms: 90 days net" in html and "no credit limit" in html

    response = client.get(terms.get_absolute_url())
    html = response.content.decode()
    assert '<dd id="amount">payment terms: 90 days net</dd>' in html
    assert "<dt>Amount</dt>" not in html
    # An approved credit limit is not money given: listed by what it changed, not totalled.
    assert [r.pk for r in response.context["record"].concessions] == [granted.pk]
    assert response.context["record"].concessions_total == Decimal("0")
    assert 'id="concessions-total">0.00 USD' in html
    assert "credit limit: 50,000.00 USD" in html

    html = client.get("/today/section/approvals_waiting/").content.decode()
    assert "payment terms: 60 days net · credit limit: 20,000.00 USD" in html

    client.force_login(rep1)
    html = client.get(customer.get_absolute_url()).content.decode()
    assert "payment terms: 90 days net" in html and "0.00</td>" not in html
    titles = list(customer.timeline_entries.values_list("title", flat=True))
    assert any("asked: Payment terms or credit limit (payment terms: 90 days" in t for t in titles)


def test_a_refund_still_shows_its_amount(client, rep1, manager1, book):
    refund = ask(
        rep1,
        book["rep1_owned"],
        RequestKind.REFUND,
        proposed={"kind": "refund", "amount": "1234.5", "currency": "USD"},
    )
    assert refund.has_amount and str(refund.about) == "1,234.50 USD"
    client.force_login(manager1)
    html = client.get(refund.get_absolute_url()).content.decode()
    assert "<dt>Amount</dt>" in html and '<dd id="amount">1,234.50 USD</dd>' in html
