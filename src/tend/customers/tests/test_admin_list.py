"""The Django admin's customer list: view only, searchable, a fixed number of queries."""

from tend.customers.tests.factories import CustomerFactory

URL = "/admin/customers/customer/"


def test_an_admin_lists_and_searches_customers(client, admin_user, book):
    client.force_login(admin_user)
    page = client.get(URL).content.decode()
    assert "Al Noor Trading" in page and "Pool Imports" in page
    found = client.get(URL, {"q": "noor al"}).content.decode()
    assert "Al Noor Trading" in found and "Pool Imports" not in found


def test_the_admin_finds_a_customer_by_its_exact_external_id(client, admin_user, rep1):
    client.force_login(admin_user)
    CustomerFactory(name="Kyoto Kitchens", external_id="ERP-00042", owner=rep1)
    CustomerFactory(name="Osaka Homes", external_id="ERP-00043", owner=rep1)
    found = client.get(URL, {"q": "ERP-00042"}).content.decode()
    assert "Kyoto Kitchens" in found and "Osaka Homes" not in found


def test_reps_and_managers_are_sent_to_the_admin_login(client, rep1, manager1, book):
    for person in (rep1, manager1):
        client.force_login(person)
        response = client.get(URL)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def test_the_admin_list_costs_the_same_queries_for_more_customers(
    client, admin_user, rep1, django_assert_max_num_queries
):
    client.force_login(admin_user)
    CustomerFactory.create_batch(3, owner=rep1)
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200
    CustomerFactory.create_batch(30, owner=rep1, backup_owner=admin_user)
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(URL, {"tier__exact": "A"}).status_code == 200
