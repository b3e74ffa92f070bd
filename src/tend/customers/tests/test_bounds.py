"""A credit limit fits its column on both databases (tend.core.decimals): one too large is refused
on the page and in the API, naming the field, and no customer is created."""

from tend.customers.models import Customer

TOO_LARGE = "Too large: at most 9,999,999,999,999.99."


def test_the_api_refuses_a_credit_limit_of_1e17_naming_it(client, manager1):
    client.force_login(manager1)

    response = client.post(
        "/api/v1/customers",
        {"name": "Muscat Lamps", "country": "OM", "credit_limit": "100000000000000000"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"credit_limit": [TOO_LARGE]}
    assert not Customer.objects.exists()


def test_the_page_refuses_a_credit_limit_too_large_for_sqlite_naming_it(client, manager1):
    client.force_login(manager1)

    response = client.post(
        "/customers/new/",
        {
            "name": "Muscat Lamps",
            "country": "OM",
            "currency": "USD",
            "type": "importer",
            "tier": "B",
            "status": "active",
            "credit_limit": "99999999999999",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["credit_limit"] == [TOO_LARGE]
    assert not Customer.objects.exists()
