import pytest

from tend.customers import services
from tend.customers.models import Contact, Customer
from tend.customers.tests.factories import ContactFactory, CustomerFactory


def test_time_zone_is_derived_from_country_and_city(manager1):
    customer = services.customer_create(
        by=manager1, fields={"name": "Chicago Housewares", "country": "US", "city": "Chicago"}
    )
    assert customer.time_zone == "America/Chicago"
    services.customer_update(by=manager1, customer=customer, fields={"city": "Los Angeles"})
    customer.refresh_from_db()
    assert customer.time_zone == "America/Los_Angeles"


def test_an_overridden_time_zone_sticks_until_cleared(manager1):
    customer = services.customer_create(
        by=manager1,
        fields={
            "name": "Remote Office",
            "country": "AE",
            "city": "Dubai",
            "time_zone": "Asia/Tokyo",
        },
    )
    assert customer.time_zone == "Asia/Tokyo"
    services.customer_update(by=manager1, customer=customer, fields={"city": "Sharjah"})
    customer.refresh_from_db()
    assert customer.time_zone == "Asia/Tokyo"
    services.customer_update(by=manager1, customer=customer, fields={"time_zone": ""})
    customer.refresh_from_db()
    assert customer.time_zone == "Asia/Dubai"


def test_a_customer_with_a_similar_name_is_reported_as_duplicate(manager1):
    existing = CustomerFactory(name="Al Noor Trading Co., L.L.C.")
    with pytest.raises(services.DuplicateCustomer) as caught:
        services.customer_create(by=manager1, fields={"name": "AL-NOOR TRADING", "country": "AE"})
    assert [(m.customer, m.reason) for m in caught.value.matches] == [(existing, "name")]
    assert Customer.objects.count() == 1


def test_a_contact_email_or_company_domain_match_is_reported(manager1):
    same_email = ContactFactory(email="omar@gulf.ae", customer=CustomerFactory(name="Gulf One"))
    same_domain = ContactFactory(email="sara@desert.ae", customer=CustomerFactory(name="Desert"))
    ContactFactory(email="someone@gmail.com", customer=CustomerFactory(name="Freemail"))
    with pytest.raises(services.DuplicateCustomer) as caught:
        services.customer_create(
            by=manager1,
            fields={"name": "Brand New", "country": "AE"},
            contacts=[
                {"name": "Omar", "email": "OMAR@gulf.ae"},
                {"name": "Ali", "email": "ali@desert.ae"},
                {"name": "Zed", "email": "zed@gmail.com"},
            ],
        )
    found = {(m.customer.name, m.reason) for m in caught.value.matches}
    assert found == {(same_email.customer.name, "email"), (same_domain.customer.name, "domain")}


def test_a_duplicate_match_hidden_from_the_user_is_named_but_not_linked(rep1, rep2):
    CustomerFactory(name="Hidden Importer", owner=rep2)
    with pytest.raises(services.DuplicateCustomer) as caught:
        services.customer_create(by=rep1, fields={"name": "Hidden Importer", "country": "AE"})
    [match] = caught.value.matches
    assert match.visible is False


def test_allow_duplicate_creates_anyway(manager1):
    CustomerFactory(name="Twin Traders")
    services.customer_create(
        by=manager1, fields={"name": "Twin Traders", "country": "AE"}, allow_duplicate=True
    )
    assert Customer.objects.filter(name="Twin Traders").count() == 2


def test_a_rep_creating_a_customer_owns_it(rep1):
    customer = services.customer_create(by=rep1, fields={"name": "Mine", "country": "FR"})
    assert customer.owner == rep1


def test_the_first_contact_is_primary_and_a_new_primary_demotes_the_old(manager1):
    customer = services.customer_create(by=manager1, fields={"name": "Primary Co", "country": "FR"})
    first = services.contact_create(by=manager1, customer=customer, fields={"name": "Anne"})
    second = services.contact_create(
        by=manager1, customer=customer, fields={"name": "Luc", "is_primary": True}
    )
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)


def test_local_phone_numbers_are_stored_in_e164_using_the_customer_country(manager1):
    customer = services.customer_create(
        by=manager1, fields={"name": "Paris Maison", "country": "FR"}
    )
    contact = services.contact_create(
        by=manager1,
        customer=customer,
        fields={"name": "Anne", "phone": "01 42 68 53 00", "whatsapp": "+33 6 12 34 56 78"},
    )
    assert (contact.phone, contact.whatsapp) == ("+33142685300", "+33612345678")


def test_search_text_follows_contacts_and_tags(manager1):
    customer = services.customer_create(
        by=manager1, fields={"name": "Search Me", "country": "FR"}, tags=["Kettles"]
    )
    contact = services.contact_create(
        by=manager1, customer=customer, fields={"name": "Zoé Martin", "email": "zoe@searchme.fr"}
    )
    customer.refresh_from_db()
    assert "zoé martin" in customer.search_text and "kettles" in customer.search_text
    services.contact_delete(by=manager1, contact=contact)
    customer.refresh_from_db()
    assert "zoé" not in customer.search_text
    assert not Contact.objects.filter(pk=contact.pk).exists()
