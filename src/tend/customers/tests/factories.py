import factory

from tend.customers.matching import name_key
from tend.customers.models import Contact, Customer, Territory


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Territory {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer saved directly (no audit entry): for setting the scene in tests."""

    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Importer {n} Trading LLC")
    country = "AE"
    city = "Dubai"
    time_zone = "Asia/Dubai"
    currency = "USD"
    name_key = factory.LazyAttribute(lambda c: name_key(c.name))
    search_text = factory.LazyAttribute(lambda c: f"{c.name} {c.city}".lower())


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"buyer{n}@importer{n}.example")
    email_domain = factory.LazyAttribute(lambda c: c.email.rpartition("@")[2])
