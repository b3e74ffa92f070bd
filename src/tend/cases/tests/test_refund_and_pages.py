"""A refund or credit note cannot skip approval on any path (service, page, API, save, bulk
update, admin); every case page by role (visibility), with its query count pinned; the API's
refusals; attachments refused when too large or of another kind."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tend.approvals.models import ApprovalRequest, RequestState
from tend.approvals.services import request_decide
from tend.cases import services
from tend.cases.models import Case, CaseStatus
from tend.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _case(customer, by, title="Broken kettle"):
    return services.case_open(
        by=by,
        customer=customer,
        title=title,
        description="Lid cracked",
        category="quality",
        severity="medium",
        channel="email",
    )


def test_refund_cannot_close_before_approval_on_any_path(book, rep1, manager1, admin_user, client):
    case = _case(book["rep1_owned"], rep1)
    services.case_resolve(
        case=case, by=rep1, resolution="refund", note="Refund one unit", amount=120
    )
    case.refresh_from_db()
    request = case.approval_request
    assert request.state == RequestState.PENDING and request.kind == "refund"
    assert case.status == CaseStatus.RESOLVED

    with pytest.raises(ValidationError):
        services.case_close(case=case, by=rep1, root_cause="Lid mould", customer_satisfied=True)
    case.refresh_from_db()
    case.status, case.root_cause, case.customer_satisfied = CaseStatus.CLOSED, "x", True
    with pytest.raises(ValidationError):
        case.save()
    with pytest.raises(ValidationError):
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    with pytest.raises(ValidationError):
        Case.objects.bulk_update([case], ["status"])
    client.force_login(rep1)
    response = client.post(
        reverse("cases:action", args=["close", case.pk]),
        {"root_cause": "Lid mould", "customer_satisfied": "yes"},
    )
    assert response.status_code == 422
    client.force_login(admin_user)
    assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code in (200, 403)
    assert (
        client.post(
            reverse("admin:cases_case_change", args=[case.pk]), {"status": "closed"}
        ).status_code
        == 403
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED

    # The requester cannot approve it; the manager can; then it closes.
    with pytest.raises(Exception):  # noqa: B017  (PermissionDenied or ValidationError)
        request_decide(by=rep1, request=request, decision="approve")
    request_decide(by=manager1, request=request, decision="approve")
    assert ApprovalRequest.objects.get(pk=request.pk).state in (
        RequestState.APPROVED,
        RequestState.APPLIED,
    )
    services.case_close(case=case, by=rep1, root_cause="Lid mould", customer_satisfied=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_closing_asks_for_root_cause_and_the_customers_answer(book, rep1):
    case = _case(book["rep1_owned"], rep1)
    services.case_resolve(case=case, by=rep1, resolution="explanation", note="Explained use")
    with pytest.raises(ValidationError) as refused:
        services.case_close(case=case, by=rep1, root_cause="", customer_satisfied=True)
    assert "root_cause" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.case_close(
            case=case, by=rep1, root_cause="Manual unclear", customer_satisfied=None
        )
    assert "customer_satisfied" in refused.value.message_dict
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED


PAGES = ["queue", "detail", "load", "lots", "new"]
# role -> page -> status, for a case on rep1's customer owned by rep1
MATRIX = {
    "rep1": {"queue": 200, "detail": 200, "load": 404, "lots": 200, "new": 200},
    "rep2": {"queue": 200, "detail": 404, "load": 404, "lots": 200, "new": 404},
    "manager1": {"queue": 200, "detail": 200, "load": 200, "lots": 200, "new": 200},
    "admin_user": {"queue": 200, "detail": 200, "load": 200, "lots": 200, "new": 200},
}


def _url(page, case):
    if page == "detail":
        return reverse("cases:detail", args=[case.pk])
    if page == "new":
        return reverse("cases:new", args=[case.customer_id])
    return reverse(f"cases:{page}")


@pytest.mark.parametrize("role", list(MATRIX))
def test_visibility_of_every_case_page(role, book, request, client):
    rep1 = request.getfixturevalue("rep1")
    case = _case(book["rep1_owned"], rep1)
    client.force_login(request.getfixturevalue(role))
    for page in PAGES:
        assert client.get(_url(page, case)).status_code == MATRIX[role][page], page
    assert "Broken kettle" in client.get(reverse("cases:queue")).content.decode() or role == "rep2"


@pytest.mark.parametrize("page", PAGES)
def test_query_counts_do_not_grow_with_rows(
    page, book, rep1, admin_user, client, django_assert_max_num_queries
):
    first = _case(book["rep1_owned"], rep1)
    client.force_login(admin_user)
    with django_assert_max_num_queries(30) as few:
        client.get(_url(page, first))
    for i in range(12):
        case = _case(CustomerFactory(owner=rep1), rep1, title=f"Case {i}")
        services.case_hand_off(case=case, to=admin_user, by=rep1, reason="help")
        services.case_respond(case=first, by=rep1, text=f"reply {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(_url(page, first)).status_code == 200


def test_attachment_too_large_or_wrong_kind_is_refused(book, rep1, client, settings, tmp_path):
    case = _case(book["rep1_owned"], rep1)
    client.force_login(rep1)
    url = reverse("cases:action", args=["attach", case.pk])
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a jpeg", content_type="image/jpeg")
    assert client.post(url, {"file": fake}).status_code == 415
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    assert client.post(url, {"file": script}).status_code == 415
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (services.files.MAX_BYTES + 1))
    assert client.post(url, {"file": big}).status_code == 413
    assert case.attachments.count() == 0
    settings.MEDIA_ROOT = str(tmp_path)
    ok = SimpleUploadedFile("label.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    assert client.post(url, {"file": ok}).status_code == 302
    attachment = case.attachments.get()
    assert client.get(reverse("cases:attachment", args=[attachment.pk])).status_code == 200


def post(client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_api_opens_hands_off_resolves_and_refuses_bad_input(book, rep1, rep2, manager1, client):
    client.force_login(rep1)
    customer = book["rep1_owned"]
    response = post(
        client,
        "/api/v1/cases",
        {
            "customer_id": customer.pk,
            "title": "Wrong voltage",
            "description": "220 V not 110 V",
            "category": "quality",
            "severity": "high",
            "channel": "whatsapp",
        },
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    assert response.json()["owner_id"] == rep1.pk
    # Bad input: a 4xx naming the field, nothing written.
    before = Case.objects.count()
    for body, _field in [
        (
            {
                "customer_id": customer.pk,
                "title": "x",
                "description": "y",
                "category": "nope",
                "channel": "call",
            },
            "category",
        ),
        (
            {
                "customer_id": 10**12,
                "title": "x",
                "description": "y",
                "category": "quality",
                "channel": "call",
            },
            "customer_id",
        ),
        (
            {
                "customer_id": customer.pk,
                "title": "x\u0001",
                "description": "y",
                "category": "quality",
                "channel": "call",
            },
            "title",
        ),
    ]:
        refused = post(client, "/api/v1/cases", body)
        assert refused.status_code in (400, 404, 422), refused.content
    assert Case.objects.count() == before
    # Another rep's customer: not found.
    assert (
        post(
            client,
            "/api/v1/cases",
            {
                "customer_id": book["rep2_owned"].pk,
                "title": "x",
                "description": "y",
                "category": "quality",
                "channel": "call",
            },
        ).status_code
        == 404
    )

    handed = post(
        client,
        f"/api/v1/cases/{case_id}/hand-off",
        {"to_id": manager1.pk, "reason": "Needs a decision"},
    )
    assert handed.status_code == 200 and handed.json()["handoffs"] == 1
    assert (
        post(
            client, f"/api/v1/cases/{case_id}/hand-off", {"to_id": rep1.pk, "reason": "back"}
        ).status_code
        == 403
    )  # no longer rep1's
    client.force_login(manager1)
    resolved = post(
        client,
        f"/api/v1/cases/{case_id}/resolve",
        {
            "resolution": "credit_note",
            "note": "Credit for one unit",
            "amount": "99999999999999999999",
        },
    )
    assert resolved.status_code == 422
    resolved = post(
        client,
        f"/api/v1/cases/{case_id}/resolve",
        {"resolution": "credit_note", "note": "Credit for one unit", "amount": "80"},
    )
    assert resolved.status_code == 200, resolved.content
    closed = post(
        client,
        f"/api/v1/cases/{case_id}/close",
        {"root_cause": "Wrong plug kit", "customer_satisfied": True},
    )
    assert closed.status_code == 422  # the credit note awaits approval
    client.force_login(rep2)
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert client.get("/api/v1/cases/load").status_code == 403
    client.force_login(manager1)
    assert client.get("/api/v1/cases/load").json()["total_open"] == 0
    assert client.get("/api/v1/lot-alerts").status_code == 200


def test_api_attachment_refusals_and_success(book, rep1, client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    case = _case(book["rep1_owned"], rep1)
    client.force_login(rep1)
    url = f"/api/v1/cases/{case.pk}/attachments"
    fake = SimpleUploadedFile("photo.png", b"GIF89a....")
    response = client.post(url, {"file": fake})
    assert response.status_code == 415 and "file" in response.json()["errors"]
    ok = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 ...")
    response = client.post(url, {"file": ok})
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "scan.pdf"
    assert case.attachments.count() == 1


def test_opening_a_case_from_the_page_with_an_order_line_records_its_lot(
    book, rep1, admin_user, client
):
    from tend.orders.tests.factories import ProductFactory

    from .helpers import ship

    beer = ProductFactory(sku="BEER-1")
    order = ship(by=admin_user, customer=book["rep1_owned"], product=beer, lot="B7", quantity=10)
    line = order.lines.get()
    client.force_login(rep1)
    url = reverse("cases:new", args=[book["rep1_owned"].pk])
    refused = client.post(
        url,
        {
            "title": "",
            "description": "x",
            "category": "quality",
            "severity": "high",
            "channel": "call",
            "lines": [line.pk],
        },
    )
    assert refused.status_code == 422 and Case.objects.count() == 0
    response = client.post(
        url,
        {
            "title": "Cloudy",
            "description": "Sediment",
            "category": "quality",
            "severity": "high",
            "channel": "call",
            "lines": [line.pk],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert list(case.lots.values_list("product__sku", "lot")) == [("BEER-1", "B7")]
    assert list(case.orders.all()) == [order]


def test_bulk_reassignment_from_the_load_page(book, rep1, rep2, manager1, client):
    cases = [_case(book["rep1_owned"], rep1, title=f"C{i}") for i in range(3)]
    client.force_login(manager1)
    url = reverse("cases:load")
    refused = client.post(url, {"cases": [c.pk for c in cases], "to": rep2.pk, "reason": ""})
    assert refused.status_code == 422
    response = client.post(
        url, {"cases": [c.pk for c in cases[:2]], "to": rep2.pk, "reason": "Bob has room"}
    )
    assert response.status_code == 302
    owners = [Case.objects.get(pk=c.pk).owner for c in cases]
    assert owners == [rep2, rep2, rep1]
