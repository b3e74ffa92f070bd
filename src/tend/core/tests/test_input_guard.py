"""Input no database or spreadsheet can hold is refused before any view runs: a 4xx that names
the field, and nothing written (pages, uploads, the API)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tend.audit.models import AuditEntry
from tend.customers.models import Customer

BIG_ID = "99999999999999999999"
NEW_CUSTOMER = {
    "name": "Lagos Home Goods Ltd",
    "country": "NG",
    "city": "Lagos",
    "type": "importer",
    "tier": "B",
    "status": "prospect",
    "currency": "USD",
}


def _counts():
    return Customer.objects.count(), AuditEntry.objects.count()


def test_a_nul_in_a_form_field_is_refused_naming_the_field(client, rep1):
    client.force_login(rep1)
    before = _counts()
    response = client.post("/customers/new/", {**NEW_CUSTOMER, "city": "La\x00gos"})
    assert response.status_code == 400
    assert response.content.decode() == "city: Null characters are not allowed."
    assert _counts() == before


def test_a_nul_in_a_query_parameter_is_refused_on_pages_and_the_api(client, rep1, book):
    client.force_login(rep1)
    assert client.get("/customers/", {"q": "Al\x00"}).status_code == 400
    response = client.get("/api/v1/customers", {"q": "Al\x00"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"q": ["Null characters are not allowed."]}


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ('{"name": "Al\\u0000 Noor", "country": "AE"}', "name", "Null characters"),
        ('{"name": "\\ud800", "country": "AE"}', "name", "lone surrogate"),
        (
            '{"name": "Al Noor", "country": "AE", "contacts": [{"name": "\\udfff"}]}',
            "contacts.0.name",
            "lone surrogate",
        ),
    ],
)
def test_text_no_database_can_store_is_refused_by_the_api_naming_the_field(
    client, manager1, body, field, problem
):
    client.force_login(manager1)
    before = _counts()
    response = client.post("/api/v1/customers", body, content_type="application/json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert problem in errors[field][0]
    assert _counts() == before


def test_a_lone_surrogate_in_a_change_through_the_api_changes_nothing(client, rep1, book):
    client.force_login(rep1)
    customer = book["rep1_owned"]
    response = client.patch(
        f"/api/v1/customers/{customer.pk}", '{"notes": "\\ud800"}', content_type="application/json"
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["notes"]
    customer.refresh_from_db()
    assert customer.notes == ""


def test_a_page_body_over_the_limit_is_a_413(client, rep1, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(rep1)
    before = _counts()
    response = client.post("/customers/new/", {**NEW_CUSTOMER, "notes": "x" * 2000})
    assert response.status_code == 413
    assert response.content.decode() == "The request is too large: at most 1000\xa0bytes."
    assert _counts() == before


def test_an_api_body_over_the_limit_is_a_413_in_json(client, manager1, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(manager1)
    before = _counts()
    body = json.dumps({**NEW_CUSTOMER, "notes": "x" * 2000})
    response = client.post("/api/v1/customers", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"message": "The request is too large: at most 1000\xa0bytes."}
    assert _counts() == before


def test_an_upload_over_the_limit_is_a_413(client, manager1, settings):
    settings.TEND_MAX_UPLOAD_BYTES = 100
    client.force_login(manager1)
    upload = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 200), content_type="text/csv")
    response = client.post("/imports/customers/", {"action": "upload", "file": upload})
    assert response.status_code == 413
    assert response.content.decode() == "The request is too large: at most 100\xa0bytes."


def test_an_id_in_the_path_that_no_column_holds_is_a_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(f"/customers/{BIG_ID}/").status_code == 404
    assert client.post(f"/customers/{BIG_ID}/delete/").status_code == 404
    assert client.get(f"/handover/{BIG_ID}/").status_code == 404
    assert client.get(f"/api/v1/customers/{BIG_ID}").status_code == 404
