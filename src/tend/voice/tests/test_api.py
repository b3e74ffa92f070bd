"""The voice API: visibility like customers, answers read-only, asking through the same rules,
every refusal with its reason."""

import pytest
from django.utils import timezone

from tend.voice.models import SurveySend

from .test_reports import answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(book):
    now = timezone.now()
    return {key: answer(customer, 4, now) for key, customer in book.items()}


def test_surveys_are_listed_in_both_languages(client, rep1):
    client.force_login(rep1)
    surveys = client.get("/api/v1/surveys").json()
    assert {s["kind"] for s in surveys} == {"nps", "csat"}
    assert all(s["question_zh_hans"] for s in surveys)


def test_answers_follow_customer_visibility(client, rep1, rep2, book, answered):
    client.force_login(rep1)
    body = client.get("/api/v1/survey-answers").json()
    assert {a["customer_id"] for a in body["results"]} == {
        book[k].pk for k in ("rep1_owned", "rep1_backup", "pool")
    }
    hidden = answered["rep2_owned"]
    assert client.get(f"/api/v1/survey-answers/{hidden.pk}").status_code == 404
    assert client.get(f"/api/v1/survey-sends/{hidden.send_id}").status_code == 404
    mine = answered["rep1_owned"]
    got = client.get(f"/api/v1/survey-answers/{mine.pk}").json()
    assert (got["score"], got["unhappy"]) == (4, True)


def test_answers_are_read_only(client, admin_user, answered):
    client.force_login(admin_user)
    pk = answered["pool"].pk
    assert (
        client.post("/api/v1/survey-answers", {}, content_type="application/json").status_code
        == 405
    )
    assert client.delete(f"/api/v1/survey-answers/{pk}").status_code == 405


def test_asking_through_the_api_applies_the_rules(
    client, rep1, book, contacts, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(rep1)
    payload = {"customer_id": book["rep1_owned"].pk, "kind": "csat", "subject_label": "SO-9"}
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/survey-sends", payload, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["kind"] == "csat" and created.json()["answered"] is False
    again = client.post("/api/v1/survey-sends", payload, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["refused"] == "already_sent"
    hidden = {"customer_id": book["rep2_owned"].pk, "kind": "nps"}
    assert (
        client.post("/api/v1/survey-sends", hidden, content_type="application/json").status_code
        == 404
    )
    assert SurveySend.objects.count() == 1
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"customer_id": 0, "kind": "nps"}, "customer_id"),
        ({"customer_id": 10**30, "kind": "nps"}, "customer_id"),
        ({"customer_id": 1, "kind": "stars"}, "kind"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, rep1, payload, field):
    client.force_login(rep1)
    response = client.post("/api/v1/survey-sends", payload, content_type="application/json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not SurveySend.objects.exists()


def test_a_contact_of_another_customer_is_refused(client, rep1, book, contacts):
    client.force_login(rep1)
    payload = {
        "customer_id": book["rep1_owned"].pk,
        "kind": "nps",
        "contact_id": contacts["pool"].pk,
    }
    response = client.post("/api/v1/survey-sends", payload, content_type="application/json")
    assert response.status_code == 422 and "contact_id" in response.json()["errors"]


def test_lists_take_a_fixed_number_of_queries(
    client, admin_user, book, answered, django_assert_max_num_queries
):
    client.force_login(admin_user)
    for path in ("/api/v1/survey-answers", "/api/v1/survey-sends", "/api/v1/surveys"):
        with django_assert_max_num_queries(6):
            assert client.get(path).status_code == 200
