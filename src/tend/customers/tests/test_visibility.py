"""The visibility matrix: who gets 200 and who gets 404, on every customer page and endpoint."""

import pytest

from tend.customers.models import Contact, Customer
from tend.customers.tests.factories import ContactFactory

USERS = ["rep1", "rep2", "manager1", "admin_user"]
CUSTOMERS = ["rep1_owned", "rep2_owned", "rep1_backup", "pool"]

# Who may see which customer of the shared book (see conftest.book).
VISIBLE = {
    "rep1": {"rep1_owned", "rep1_backup", "pool"},
    "rep2": {"rep2_owned", "rep1_backup", "pool"},
    "manager1": {"rep1_owned", "rep1_backup", "pool"},
    "admin_user": set(CUSTOMERS),
}

READ_PAGES = [
    "/customers/{pk}/",
    "/customers/{pk}/edit/",
    "/customers/{pk}/contacts/new/",
    "/customers/contacts/{contact}/edit/",
]
READ_API = [
    "/api/v1/customers/{pk}",
    "/api/v1/customers/{pk}/contacts",
    "/api/v1/contacts/{contact}",
]
MATRIX = [(user, customer) for user in USERS for customer in CUSTOMERS]


@pytest.fixture
def scene(book, request):
    contacts = {name: ContactFactory(customer=customer) for name, customer in book.items()}
    return book, contacts


def _client_for(client, request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    return user


@pytest.mark.parametrize(("user", "customer"), MATRIX)
@pytest.mark.parametrize("url", READ_PAGES + READ_API)
def test_reading_a_customer_answers_200_only_when_visible(
    client, request, scene, user, customer, url
):
    book, contacts = scene
    _client_for(client, request, user)
    response = client.get(url.format(pk=book[customer].pk, contact=contacts[customer].pk))
    expected = 200 if customer in VISIBLE[user] else 404
    assert response.status_code == expected


@pytest.mark.parametrize(("user", "customer"), MATRIX)
def test_changing_a_customer_through_the_api_answers_404_when_not_visible(
    client, request, scene, user, customer
):
    book, contacts = scene
    _client_for(client, request, user)
    target = book[customer]
    response = client.patch(
        f"/api/v1/customers/{target.pk}", {"notes": "seen"}, content_type="application/json"
    )
    contact_response = client.patch(
        f"/api/v1/contacts/{contacts[customer].pk}",
        {"title": "CEO"},
        content_type="application/json",
    )
    new_contact = client.post(
        f"/api/v1/customers/{target.pk}/contacts",
        {"name": "Nadia"},
        content_type="application/json",
    )
    target.refresh_from_db()
    if customer in VISIBLE[user]:
        assert (response.status_code, contact_response.status_code) == (200, 200)
        assert new_contact.status_code == 201
        assert target.notes == "seen"
    else:
        assert (response.status_code, contact_response.status_code) == (404, 404)
        assert new_contact.status_code == 404
        assert target.notes == ""
        assert Contact.objects.get(pk=contacts[customer].pk).title == ""
        assert not Contact.objects.filter(customer=target, name="Nadia").exists()


@pytest.mark.parametrize(("user", "customer"), MATRIX)
def test_editing_a_customer_page_answers_404_when_not_visible(
    client, request, scene, user, customer
):
    book, _contacts = scene
    _client_for(client, request, user)
    target = book[customer]
    response = client.post(
        f"/customers/{target.pk}/edit/",
        {
            "name": "Renamed Ltd",
            "country": target.country,
            "currency": "USD",
            "type": target.type,
            "tier": target.tier,
            "status": target.status,
            "owner": target.owner_id or "",
            "backup_owner": target.backup_owner_id or "",
        },
    )
    target.refresh_from_db()
    if customer in VISIBLE[user]:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert target.name == "Renamed Ltd"
    else:
        assert response.status_code == 404
        assert target.name != "Renamed Ltd"


@pytest.mark.parametrize(("user", "customer"), MATRIX)
def test_deleting_needs_visibility_and_a_manager_or_admin(client, request, scene, user, customer):
    book, contacts = scene
    _client_for(client, request, user)
    target = book[customer]
    contact_response = client.delete(f"/api/v1/contacts/{contacts[customer].pk}")
    response = client.delete(f"/api/v1/customers/{target.pk}")
    if customer not in VISIBLE[user]:
        assert (response.status_code, contact_response.status_code) == (404, 404)
        assert Customer.objects.filter(pk=target.pk).exists()
        assert Contact.objects.filter(pk=contacts[customer].pk).exists()
    elif user.startswith("rep"):
        assert contact_response.status_code == 204
        assert response.status_code == 403
        assert Customer.objects.filter(pk=target.pk).exists()
    else:
        assert (response.status_code, contact_response.status_code) == (204, 204)
        assert not Customer.objects.filter(pk=target.pk).exists()


@pytest.mark.parametrize("user", USERS)
def test_list_page_and_api_list_show_exactly_the_visible_customers(client, request, scene, user):
    book, _contacts = scene
    _client_for(client, request, user)
    expected = sorted(book[name].name for name in VISIBLE[user])
    page = client.get("/customers/")
    api = client.get("/api/v1/customers")
    assert sorted(c.name for c in page.context["page"].object_list) == expected
    assert sorted(row["name"] for row in api.json()["results"]) == expected
    assert api.json()["count"] == len(expected)


@pytest.mark.parametrize("user", USERS)
def test_search_never_finds_a_customer_the_user_may_not_see(client, request, scene, user):
    book, _contacts = scene
    _client_for(client, request, user)
    found = client.get("/api/v1/customers", {"q": "berlin"}).json()["results"]
    page = client.get("/customers/", {"q": "berlin"}).context["page"].object_list
    expected = ["Berlin Haushalt GmbH"] if "rep2_owned" in VISIBLE[user] else []
    assert [row["name"] for row in found] == expected
    assert [c.name for c in page] == expected


def test_anonymous_visitors_are_sent_to_login_and_the_api_answers_401(client, book):
    response = client.get(f"/customers/{book['pool'].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/customers").status_code == 401


def test_a_deactivated_user_sees_nothing(book, rep1):
    rep1.is_active = False
    rep1.save()
    assert list(Customer.objects.visible_to(rep1)) == []
