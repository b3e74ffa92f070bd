"""Bad input on a form or through the API: a field error that names the problem, nothing written."""

import pytest

from tend.audit.models import AuditEntry
from tend.customers.models import Contact, Customer

VALID_FORM = {
    "name": "Lagos Home Goods Ltd",
    "country": "NG",
    "city": "Lagos",
    "type": "importer",
    "tier": "B",
    "status": "prospect",
    "currency": "USD",
}
BAD_CASES = [
    ("country", "XX", "country"),
    ("currency", "DOLLARS", "currency"),
    ("contact-phone", "12345", "phone"),
    ("contact-email", "not-an-email", "email"),
]


def _counts():
    return Customer.objects.count(), Contact.objects.count(), AuditEntry.objects.count()


@pytest.mark.parametrize(("field", "value", "error_field"), BAD_CASES)
def test_a_bad_value_on_the_form_shows_next_to_its_field_and_writes_nothing(
    client, rep1, field, value, error_field
):
    client.force_login(rep1)
    before = _counts()
    data = {**VALID_FORM, "contact-name": "Chidi Okafor", "contact-language": "en", field: value}
    response = client.post("/customers/new/", data)
    assert response.status_code == 200
    form = response.context["contact_form" if field.startswith("contact-") else "form"]
    assert list(form.errors) == [error_field]
    html = response.content.decode()
    assert f'id="id_{field}_errors"' in html
    assert _counts() == before


@pytest.mark.parametrize(
    ("payload", "field", "message_part"),
    [
        ({"country": "XX"}, "country", "ISO 3166"),
        ({"currency": "DOLLARS"}, "currency", "ISO 4217"),
        ({"contacts": [{"name": "Chidi", "phone": "12345"}]}, "contacts.0.phone", "phone number"),
        ({"contacts": [{"name": "Chidi", "email": "nope"}]}, "contacts.0.email", "email"),
        ({"incoterm": "FOB2"}, "incoterm", "not a valid choice"),
        ({"owner_id": 999999}, "owner_id", "No active person"),
    ],
)
def test_a_bad_value_through_the_api_gives_a_field_error_and_writes_nothing(
    client, manager1, payload, field, message_part
):
    client.force_login(manager1)
    before = _counts()
    body = {"name": "Lagos Home Goods Ltd", "country": "NG", **payload}
    response = client.post("/api/v1/customers", body, content_type="application/json")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert message_part.lower() in " ".join(errors[field]).lower()
    assert _counts() == before


def test_a_bad_phone_on_an_existing_contact_through_the_api_changes_nothing(client, rep1, book):
    client.force_login(rep1)
    contact = Contact.objects.create(customer=book["rep1_owned"], name="Omar", phone="+97142345678")
    before = AuditEntry.objects.count()
    response = client.patch(
        f"/api/v1/contacts/{contact.pk}",
        {"phone": "abc", "title": "Boss"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["phone"]
    contact.refresh_from_db()
    assert (contact.phone, contact.title) == ("+97142345678", "")
    assert AuditEntry.objects.count() == before


def test_a_missing_required_field_through_the_api_names_it(client, manager1):
    client.force_login(manager1)
    response = client.post(
        "/api/v1/customers", {"name": "No Country"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["country"]
    assert Customer.objects.count() == 0


def test_a_rep_cannot_give_a_new_customer_to_someone_else(client, rep1, rep2):
    client.force_login(rep1)
    response = client.post(
        "/api/v1/customers",
        {"name": "Sneaky Co", "country": "FR", "owner_id": rep2.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["owner_id"]
    assert Customer.objects.count() == 0


def test_a_rep_cannot_reassign_an_owned_customer(client, rep1, book, manager1):
    client.force_login(rep1)
    customer = book["rep1_owned"]
    response = client.patch(
        f"/api/v1/customers/{customer.pk}",
        {"owner_id": manager1.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    customer.refresh_from_db()
    assert customer.owner == rep1


def test_a_backup_owner_equal_to_the_owner_is_refused(client, manager1, rep1, book):
    client.force_login(manager1)
    customer = book["rep1_owned"]
    response = client.patch(
        f"/api/v1/customers/{customer.pk}",
        {"backup_owner_id": rep1.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["backup_owner_id"]
    customer.refresh_from_db()
    assert customer.backup_owner is None


BIG_ID = "99999999999999999999"


def _customer_state(customer):
    customer.refresh_from_db()
    return (customer.tier, customer.owner_id, customer.status)


@pytest.mark.parametrize("bad_id", [BIG_ID, "²", "-1"])
def test_bulk_update_with_an_id_no_row_can_have_is_refused_naming_ids(
    client, manager1, book, bad_id
):
    client.force_login(manager1)
    customer = book["rep1_owned"]
    before = (_customer_state(customer), AuditEntry.objects.count())
    response = client.post(
        "/customers/bulk/", {"choice": "tier:A", "ids": [str(customer.pk), bad_id]}
    )
    assert response.status_code == 400
    assert response.content.decode() == f"ids: “{bad_id}” is not a record id."
    assert (_customer_state(customer), AuditEntry.objects.count()) == before


def test_assigning_to_an_owner_id_no_one_has_is_refused_and_keeps_the_owner(client, manager1, book):
    client.force_login(manager1)
    customer = book["rep1_owned"]
    before = (_customer_state(customer), AuditEntry.objects.count())
    response = client.post(f"/customers/{customer.pk}/assign/", {"owner": BIG_ID})
    assert response.status_code == 400
    assert response.content.decode() == f"owner: No active person with id {BIG_ID}."
    assert (_customer_state(customer), AuditEntry.objects.count()) == before


def _order_for(customer, by):
    from datetime import date

    from tend.orders import services as order_services
    from tend.orders.tests.factories import ProductFactory

    return order_services.order_create(
        by=by,
        customer=customer,
        fields={"number": "SO-7", "order_date": date(2026, 2, 15), "currency": "USD"},
        lines=[{"product": ProductFactory(), "quantity": 10, "unit_price": 2}],
    )


def test_deleting_a_customer_with_orders_on_the_page_is_a_409_with_the_reason(
    client, manager1, book
):
    customer = book["rep1_owned"]
    _order_for(customer, manager1)
    client.force_login(manager1)
    before = (Customer.objects.count(), AuditEntry.objects.count())
    response = client.post(f"/customers/{customer.pk}/delete/")
    assert response.status_code == 409
    assert [str(m) for m in response.context["messages"]] == [
        "“Al Noor Trading” has 1 order: it cannot be deleted. Mark it lost or inactive instead."
    ]
    assert (Customer.objects.count(), AuditEntry.objects.count()) == before


def test_deleting_a_customer_with_orders_through_the_api_is_a_409_with_the_reason(
    client, manager1, book
):
    customer = book["rep1_owned"]
    _order_for(customer, manager1)
    client.force_login(manager1)
    before = (Customer.objects.count(), AuditEntry.objects.count())
    response = client.delete(f"/api/v1/customers/{customer.pk}")
    assert response.status_code == 409
    assert response.json() == {
        "message": "“Al Noor Trading” has 1 order: it cannot be deleted. "
        "Mark it lost or inactive instead."
    }
    assert (Customer.objects.count(), AuditEntry.objects.count()) == before
