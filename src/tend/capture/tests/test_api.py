"""The capture API: post a raw RFC 822 message for a customer, list what one may see."""

import base64
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tend.capture.models import CapturedMessage
from tend.customers.tests.factories import ContactFactory
from tend.engagement.models import Interaction

from .mails import build, gbk

UTC = ZoneInfo("UTC")
ALICE = "alice@tend-exports.com"


def raw(n: int, sender="z@qq.com") -> bytes:
    return build(
        sender=sender,
        to=ALICE,
        subject=f"S{n}",
        body="Can you quote?",
        at=datetime(2026, 11, 2, 9, n, tzinfo=UTC),
        message_id=f"<api{n}@x>",
    )


def post(client, customer_id, payload):
    return client.post(
        f"/api/v1/customers/{customer_id}/messages", payload, content_type="application/json"
    )


def test_post_a_raw_message_for_a_customer_once(client, our_people, book):
    client.force_login(our_people["rep1"])
    pk = book["rep1_owned"].pk
    response = post(client, pk, {"raw": raw(1).decode()})
    assert response.status_code == 201
    body = response.json()
    assert (body["customer_id"], body["direction"], body["asks"], body["match"]) == (
        pk,
        "in",
        True,
        "chosen",
    )
    assert Interaction.objects.get().needs_answer
    again = post(client, pk, {"raw": raw(1).decode()})
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    assert CapturedMessage.objects.count() == 1


def test_post_gbk_mail_as_base64(client, our_people, book):
    client.force_login(our_people["rep1"])
    data = gbk(
        sender="w@qq.com",
        to=ALICE,
        at=datetime(2026, 11, 2, tzinfo=UTC),
        message_id="<g@api>",
        text="请问报价？",
    )
    response = post(
        client, book["rep1_owned"].pk, {"raw": base64.b64encode(data).decode(), "base64": True}
    )
    assert response.status_code == 201
    assert response.json()["text"] == "请问报价？"


@pytest.mark.parametrize(
    "payload",
    [
        {"raw": ""},
        {"raw": "no headers at all"},
        {"raw": "!!", "base64": True},
        {"raw": 5},
        {},
        {"raw": "From: a@b.c\r\n\r\n\x00"},
    ],
)
def test_bad_raw_message_is_a_422_naming_the_field_and_changes_nothing(
    client, our_people, book, payload
):
    client.force_login(our_people["rep1"])
    response = post(client, book["rep1_owned"].pk, payload)
    assert response.status_code in (400, 422)
    assert "raw" in response.json()["errors"] or response.status_code == 400
    assert not CapturedMessage.objects.exists()


def test_posting_for_a_customer_one_cannot_see_is_a_404(client, our_people, book):
    client.force_login(our_people["rep1"])
    for pk in (book["rep2_owned"].pk, 2**31 - 1):
        assert post(client, pk, {"raw": raw(1).decode()}).status_code == 404
    assert post(client, 10**20, {"raw": raw(1).decode()}).status_code == 422
    assert not CapturedMessage.objects.exists()


def test_list_follows_visibility(client, our_people, book):
    client.force_login(our_people["admin"])
    post(client, book["rep1_owned"].pk, {"raw": raw(1).decode()})
    post(client, book["rep2_owned"].pk, {"raw": raw(2).decode()})
    seen = {}
    for role in ("rep1", "rep2", "manager1", "admin"):
        client.force_login(our_people[role])
        seen[role] = sorted(
            m["subject"] for m in client.get("/api/v1/captured-messages").json()["results"]
        )
    assert seen == {"rep1": ["S1"], "rep2": ["S2"], "manager1": ["S1"], "admin": ["S1", "S2"]}
    client.force_login(our_people["rep1"])
    assert (
        client.get(f"/api/v1/captured-messages?customer_id={book['rep2_owned'].pk}").status_code
        == 404
    )


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow(
    client, our_people, book, rows, django_assert_max_num_queries
):
    ContactFactory(customer=book["rep1_owned"], email="omar@alnoor.ae")
    client.force_login(our_people["rep1"])
    for n in range(rows):
        post(client, book["rep1_owned"].pk, {"raw": raw(n).decode()})
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/captured-messages", {"page_size": 100})
    assert len(response.json()["results"]) == rows
