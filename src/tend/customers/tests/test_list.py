"""The customer list: search, filters, sorting, pagination, and a query count that does not
grow with the rows shown."""

import pytest

from tend.customers.models import Tag
from tend.customers.tests.factories import ContactFactory, CustomerFactory


def _book(owner, count):
    tag = Tag.objects.create(name="kettles")
    for index in range(count):
        customer = CustomerFactory(name=f"Importer {index:03d}", owner=owner)
        customer.tags.add(tag)
        ContactFactory(customer=customer)


@pytest.mark.parametrize("rows", [10, 200])
def test_list_page_query_count_does_not_grow_with_rows(
    client, rows, settings, manager1, rep1, django_assert_max_num_queries
):
    settings.TEND_PAGE_SIZE = 200
    _book(rep1, rows)
    client.force_login(manager1)
    with django_assert_max_num_queries(9):
        response = client.get("/customers/")
    assert len(response.context["page"].object_list) == rows


@pytest.mark.parametrize("rows", [10, 200])
def test_api_list_query_count_does_not_grow_with_rows(
    client, rows, manager1, rep1, django_assert_max_num_queries
):
    _book(rep1, rows)
    client.force_login(manager1)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/customers", {"page_size": 200})
    assert len(response.json()["results"]) == rows


def test_search_finds_by_name_local_name_contact_email_and_tag(client, admin_user, manager1):
    from tend.customers import services

    customer = services.customer_create(
        by=manager1,
        fields={"name": "Shanghai Electric Trading", "local_name": "上海电器贸易", "country": "CN"},
        tags=["OEM partner"],
        contacts=[{"name": "Li Wei", "email": "liwei@shelectric.cn"}],
    )
    CustomerFactory(name="Unrelated Importer")
    client.force_login(admin_user)
    for query in [
        "shanghai",
        "电器",
        "li wei",
        "liwei@shelectric",
        "oem partner",
        "SHANGHAI trading",
    ]:
        names = [c.name for c in client.get("/customers/", {"q": query}).context["page"]]
        assert names == [customer.name], query


def test_filters_and_sorting(client, admin_user, rep1):
    CustomerFactory(name="B Dealer", country="DE", tier="A", type="dealer", owner=rep1)
    CustomerFactory(name="A Importer", country="DE", tier="C", owner=None)
    CustomerFactory(name="C Importer", country="FR", tier="A", owner=rep1)
    client.force_login(admin_user)

    def names(**params):
        return [c.name for c in client.get("/customers/", params).context["page"]]

    assert names(country="DE") == ["A Importer", "B Dealer"]
    assert names(tier="A", sort="-name") == ["C Importer", "B Dealer"]
    assert names(type="dealer") == ["B Dealer"]
    assert names(owner="pool") == ["A Importer"]
    assert names(owner=str(rep1.pk), country="FR") == ["C Importer"]
    api = client.get("/api/v1/customers", {"country": "DE", "sort": "-name"}).json()
    assert [row["name"] for row in api["results"]] == ["B Dealer", "A Importer"]


def test_pagination_keeps_the_filters(client, admin_user, settings):
    settings.TEND_PAGE_SIZE = 2
    for index in range(5):
        CustomerFactory(name=f"Paged {index}", country="IT")
    CustomerFactory(name="Other", country="ES")
    client.force_login(admin_user)
    response = client.get("/customers/", {"country": "IT", "page": 3})
    assert [c.name for c in response.context["page"]] == ["Paged 4"]
    assert "country=IT" in response.context["query"]


def test_htmx_requests_get_only_the_results(client, admin_user):
    CustomerFactory(name="Only Results")
    client.force_login(admin_user)
    response = client.get("/customers/", {"q": "only"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "Only Results" in html
    assert "<html" not in html
