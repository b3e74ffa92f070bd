"""Odd input anywhere in the API is a 4xx in the API's error shape, naming the field, and
changes nothing: text the database cannot store, numbers past 64 bits, days at the ends of the
calendar, offsets no time zone has, a body that is not JSON, a delete the records refuse."""

from datetime import date
from decimal import Decimal

import pytest

from tend.customers import selectors as customer_selectors
from tend.customers.models import Contact, Customer
from tend.orders import services as order_services
from tend.orders.tests.factories import ProductFactory
from tend.tasks.models import Task

OUT_OF_RANGE = "This value is out of range."
NUL = "Null characters are not allowed."
SURROGATE = "The text is not valid Unicode (a lone surrogate)."


def post(client, url, body: str):
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def signed_in(client, rep1, book):
    client.force_login(rep1)
    return client


def test_a_nul_character_in_a_body_field_is_refused_by_name(signed_in, book):
    customer = book["rep1_owned"]
    response = post(
        signed_in, f"/api/v1/customers/{customer.pk}/contacts", '{"name": "Li\\u0000Wei"}'
    )
    assert response.status_code == 422
    assert response.json() == {
        "message": "The request has invalid fields.",
        "errors": {"name": [NUL]},
    }
    assert not Contact.objects.filter(customer=customer).exists()


def test_a_lone_surrogate_deep_in_a_body_is_refused_by_its_path(signed_in, book):
    body = '{"name": "Nile Trading", "country": "EG", "contacts": [{"name": "Omar \\ud800"}]}'
    response = post(signed_in, "/api/v1/customers", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {"contacts.0.name": [SURROGATE]}
    assert not Customer.objects.filter(name="Nile Trading").exists()


def test_a_nul_character_in_a_query_parameter_is_refused_by_name(signed_in):
    response = signed_in.get("/api/v1/customers", {"country": "\x00"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"country": [NUL]}


def test_a_body_that_is_not_json_is_a_400_in_the_error_shape(signed_in, book):
    customer = book["rep1_owned"]
    response = post(signed_in, f"/api/v1/customers/{customer.pk}/contacts", '{"name": "Li Wei"')
    assert response.status_code == 400
    assert response.json() == {
        "message": "The body is not valid JSON.",
        "errors": {"body": ["The body is not valid JSON."]},
    }


def test_a_page_past_any_book_is_refused_by_name(signed_in):
    response = signed_in.get("/api/v1/disruptions", {"page": 2**63})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["page"]


def test_an_id_past_64_bits_is_refused_by_name(signed_in):
    response = signed_in.get("/api/v1/orders", {"customer": 2**63})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["customer"]


def test_a_user_id_past_64_bits_in_a_filter_is_refused_by_name(signed_in):
    response = signed_in.get("/api/v1/promises", {"made_by": "99999999999999999999999"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["made_by"]


def test_a_moment_at_the_end_of_the_calendar_is_refused_and_nothing_is_written(signed_in, book):
    body = (
        f'{{"customer_id": {book["rep1_owned"].pk}, "kind": "call", "title": "Call",'
        ' "due_at": "9999-12-31T23:00:00"}'
    )
    response = post(signed_in, "/api/v1/tasks", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "due_at": ["Value error, Pick a date between 1900-01-01 and 2999-12-31."]
    }
    assert not Task.objects.exists()


def test_an_offset_no_time_zone_has_is_refused_by_name(signed_in):
    response = signed_in.get("/api/v1/tasks", {"due_before": "2026-03-02T09:00:00+15:00"})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "due_before": ["Value error, Give a time zone offset between -14:00 and +14:00."]
    }


def test_a_day_at_the_start_of_the_calendar_is_refused_by_name(signed_in):
    response = signed_in.get("/api/v1/reliability", {"start": "0001-01-01"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["start"]


def test_deleting_a_customer_with_orders_is_a_409_and_deletes_nothing(client, manager1, book):
    customer = book["rep1_owned"]
    order_services.order_create(
        by=manager1,
        customer=customer,
        fields={"number": "SO-7", "order_date": date(2026, 2, 1), "currency": "USD"},
        lines=[
            {
                "product": ProductFactory(sku="KT-100"),
                "quantity": Decimal("10"),
                "unit_price": Decimal("9.90"),
            }
        ],
    )
    client.force_login(manager1)
    response = client.delete(f"/api/v1/customers/{customer.pk}")
    assert response.status_code == 409
    assert response.json()["message"] == (
        "“Al Noor Trading” has 1 order: it cannot be deleted. Mark it lost or inactive instead."
    )
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_number_the_database_cannot_hold_is_a_422_naming_the_parameter(signed_in, monkeypatch):
    """The last line of defence, for a path no schema bound covers."""

    def overflowing(**kwargs):
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(customer_selectors, "customer_list", overflowing)
    response = signed_in.get("/api/v1/customers", {"q": "99999999999999999999999"})
    assert response.status_code == 422
    assert response.json() == {
        "message": "The request has invalid fields.",
        "errors": {"q": [OUT_OF_RANGE]},
    }
