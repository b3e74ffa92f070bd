"""Lost customers in the API: mark one lost, list them with filters and pages, read the
reasons. Refusals say why, in 4xx, and change nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tend.customers.models import CustomerStatus
from tend.health.models import LostRecord
from tend.tasks.models import Task

from .test_lost_pages import scene  # noqa: F401  (fixture)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def unchanged(customer) -> None:
    customer.refresh_from_db()
    assert customer.status != CustomerStatus.LOST
    assert not LostRecord.objects.exists()
    assert not Task.objects.exists()


def test_marking_a_customer_lost_answers_with_the_record(client, rep1, book):
    customer = book["rep1_owned"]
    client.force_login(rep1)
    win_back = (timezone.localdate() + timedelta(days=120)).isoformat()

    response = post(
        client,
        f"/api/v1/customers/{customer.pk}/lost",
        {"reason": "channel", "note": "Dealers from the next region undercut them.",
         "win_back_on": win_back},
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    record = LostRecord.objects.get()
    assert body == {
        "id": record.pk,
        "customer_id": customer.pk,
        "customer_name": "Al Noor Trading",
        "country": "AE",
        "owner_id": rep1.pk,
        "owner_name": "Alice Tester",
        "reason": "channel",
        "reason_label": "Channel conflict / transshipment",
        "competitor": "",
        "note": "Dealers from the next region undercut them.",
        "win_back_on": win_back,
        "annual_value": "0.00",
        "previous_status": "prospect",
        "marked_by_id": rep1.pk,
        "marked_at": body["marked_at"],
        "won_back_at": None,
        "won_back_order_id": None,
        "won_back_order_number": None,
    }
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.LOST
    assert Task.objects.get().dedupe_key == f"win_back:{customer.pk}"


def test_an_unknown_reason_is_a_422_naming_the_field(client, rep1, book):
    client.force_login(rep1)

    response = post(client, f"/api/v1/customers/{book['rep1_owned'].pk}/lost", {"reason": "moon"})

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["reason"]
    unchanged(book["rep1_owned"])


def test_a_past_win_back_date_is_a_422_saying_why(client, rep1, book):
    client.force_login(rep1)

    response = post(
        client,
        f"/api/v1/customers/{book['rep1_owned'].pk}/lost",
        {"reason": "quality", "win_back_on": "2020-01-01"},
    )

    assert response.status_code == 422
    today = timezone.localdate().isoformat()
    assert response.json() == {
        "message": "The request has invalid fields.",
        "errors": {"win_back_on": [f"The win-back date must be after today ({today})."]},
    }
    unchanged(book["rep1_owned"])


def test_a_rep_marking_a_customer_they_do_not_own_gets_403(client, rep1, book):
    client.force_login(rep1)

    response = post(client, f"/api/v1/customers/{book['pool'].pk}/lost", {"reason": "quality"})

    assert response.status_code == 403
    assert response.json() == {
        "message": "Only the customer's owner, their manager or an admin may mark it lost."
    }
    unchanged(book["pool"])


def test_a_customer_one_cannot_see_is_404(client, rep1, book):
    client.force_login(rep1)

    response = post(
        client, f"/api/v1/customers/{book['rep2_owned'].pk}/lost", {"reason": "quality"}
    )

    assert (response.status_code, response.json()) == (404, {"message": "Not found."})
    unchanged(book["rep2_owned"])


def test_marking_a_lost_customer_again_is_a_409(client, rep1, book):
    client.force_login(rep1)
    url = f"/api/v1/customers/{book['rep1_owned'].pk}/lost"
    assert post(client, url, {"reason": "quality"}).status_code == 201

    response = post(client, url, {"reason": "competition", "competitor": "Acme"})

    assert (response.status_code, response.json()) == (
        409,
        {"message": "Al Noor Trading is already marked lost.", "errors": {}},
    )
    assert LostRecord.objects.get().reason == "quality"


def test_the_reasons_are_the_taxonomy_with_labels(client, rep1):
    client.force_login(rep1)

    response = client.get("/api/v1/lost/reasons")

    assert response.json() == [
        {"value": "quality", "label": "Quality problems"},
        {"value": "innovation", "label": "Our products fell behind"},
        {"value": "service", "label": "Poor service"},
        {"value": "channel", "label": "Channel conflict / transshipment"},
        {"value": "people", "label": "Left with a departing employee"},
        {"value": "competition", "label": "Went to a competitor"},
        {"value": "closed_down", "label": "Closed down"},
        {"value": "other", "label": "Other"},
    ]


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["customer_name"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "who, expected",
    [
        ("rep1", ["Al Noor Trading", "Hamburg Küchen AG", "Köln Küchen", "Pool Imports"]),
        ("rep2", ["Berlin Haushalt GmbH", "Hamburg Küchen AG", "Pool Imports"]),
    ],
)
@pytest.mark.usefixtures("scene")
def test_the_list_shows_only_what_one_may_see_newest_first(request, client, who, expected):
    client.force_login(request.getfixturevalue(who))

    assert names(client.get("/api/v1/lost")) == expected


@pytest.mark.usefixtures("scene")
def test_the_list_filters_and_pages(client, admin_user, rep1, team2):
    client.force_login(admin_user)
    since = (timezone.localdate() - timedelta(days=25)).isoformat()

    assert names(client.get("/api/v1/lost?reason=competition")) == [
        "Al Noor Trading",
        "Berlin Haushalt GmbH",
    ]
    assert names(client.get(f"/api/v1/lost?owner_id={rep1.pk}")) == [
        "Al Noor Trading",
        "Köln Küchen",
    ]
    assert names(client.get(f"/api/v1/lost?team_id={team2.pk}&country=de")) == [
        "Berlin Haushalt GmbH",
        "Hamburg Küchen AG",
    ]
    assert names(client.get("/api/v1/lost?pool=true")) == ["Pool Imports"]
    assert names(client.get(f"/api/v1/lost?lost_from={since}")) == [
        "Al Noor Trading",
        "Berlin Haushalt GmbH",
    ]
    assert names(client.get("/api/v1/lost?won_back=true")) == ["Hamburg Küchen AG"]
    assert len(names(client.get("/api/v1/lost?won_back=false"))) == 4
    second = client.get("/api/v1/lost?page=2&page_size=2").json()
    assert (second["count"], second["page"], second["page_size"]) == (5, 2, 2)
    assert [row["customer_name"] for row in second["results"]] == [
        "Hamburg Küchen AG",
        "Köln Küchen",
    ]
    hamburg = client.get("/api/v1/lost?won_back=true").json()["results"][0]
    assert (hamburg["won_back_order_number"], hamburg["reason_label"]) == (
        "SO-BACK",
        "Quality problems",
    )


@pytest.mark.usefixtures("scene")
def test_the_list_asks_the_same_number_of_queries_for_a_full_page(
    client, admin_user, django_assert_max_num_queries
):
    client.force_login(admin_user)
    with django_assert_max_num_queries(4):
        assert len(names(client.get("/api/v1/lost?page_size=500"))) == 5


def test_the_api_needs_a_login(client):
    assert client.get("/api/v1/lost").status_code == 401
