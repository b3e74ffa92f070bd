import csv
import io

import openpyxl

from tend.customers import services
from tend.customers.models import Contact
from tend.customers.tests.factories import CustomerFactory


def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_export_from_a_reps_session_contains_only_their_visible_customers(client, rep1, book):
    Contact.objects.create(
        customer=book["rep1_owned"], name="Omar", email="omar@alnoor.ae", is_primary=True
    )
    client.force_login(rep1)
    rows = _csv_rows(client.get("/customers/export/", {"format": "csv"}))
    assert sorted(row["name"] for row in rows) == [
        "Al Noor Trading",
        "Hamburg Küchen AG",
        "Pool Imports",
    ]
    al_noor = next(row for row in rows if row["name"] == "Al Noor Trading")
    assert (al_noor["owner"], al_noor["primary_email"]) == ("alice", "omar@alnoor.ae")


def test_export_follows_the_list_filters_and_works_as_excel(client, admin_user, book):
    client.force_login(admin_user)
    response = client.get("/customers/export/", {"format": "xlsx", "country": "DE"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:3] == ("id", "external_id", "name")
    assert sorted(row[2] for row in values[1:]) == ["Berlin Haushalt GmbH", "Hamburg Küchen AG"]


def test_export_query_count_does_not_grow_with_rows(
    client, admin_user, django_assert_max_num_queries
):
    for index in range(120):
        CustomerFactory(name=f"Exported {index}")
    client.force_login(admin_user)
    with django_assert_max_num_queries(10):
        rows = _csv_rows(client.get("/customers/export/", {"format": "csv"}))
    assert len(rows) == 120


def test_an_unknown_export_format_is_refused(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/customers/export/", {"format": "pdf"}).status_code == 400


def test_single_threaded_customers_are_those_only_one_of_our_people_was_in_contact_with(
    client, manager1, rep1, team1
):
    from tend.accounts.tests.factories import UserFactory
    from tend.engagement.services import interaction_log

    from .factories import ContactFactory

    carl = UserFactory(username="carl", first_name="Carl", team=team1)

    def customer(name, tier="B", owner=rep1, **extra):
        return services.customer_create(
            by=manager1, fields={"name": name, "country": "AE", "tier": tier, "owner": owner}
        )

    def talk(customer, by, contacts=(), people=()):
        interaction_log(
            by=by, customer=customer, channel="call", direction="out",
            contacts=list(contacts), people=list(people),
        )  # fmt: skip

    lonely_a, lonely_c = customer("Lonely A", tier="A"), customer("Lonely C", tier="C")
    buyer, finance = ContactFactory(customer=lonely_a), ContactFactory(customer=lonely_a)
    talk(lonely_a, rep1, [buyer])
    talk(lonely_a, rep1, [finance, buyer])
    talk(lonely_c, rep1)
    # A backup owner on paper who never spoke to them does not make a second thread...
    on_paper = customer("On Paper")
    on_paper.backup_owner = carl
    on_paper.save()
    talk(on_paper, rep1)
    # ...but Carl joining a call does, and so does Carl calling on his own.
    joined, alternated = customer("Joined"), customer("Alternated")
    talk(joined, rep1, people=[carl])
    talk(alternated, rep1)
    talk(alternated, carl)
    customer("Never Called")  # nobody in contact: no thread at all, not a single one

    client.force_login(manager1)
    page = client.get("/customers/single-threaded/")
    threads = [
        (t.customer.name, str(t.person), t.contacts_reached) for t in page.context["threads"]
    ]
    assert threads == [
        ("Lonely A", "Alice Tester", 2),
        ("On Paper", "Alice Tester", 0),
        ("Lonely C", "Alice Tester", 0),
    ]
    assert page.context["page"].paginator.count == 3


def test_a_customer_named_like_a_formula_is_exported_as_text(client, admin_user):
    CustomerFactory(name='=HYPERLINK("http://evil.example","Click")', country="DE")
    CustomerFactory(name="Bell\x07 GmbH", country="DE")
    client.force_login(admin_user)
    rows = _csv_rows(client.get("/customers/export/", {"format": "csv"}))
    assert sorted(row["name"] for row in rows) == [
        '\'=HYPERLINK("http://evil.example","Click")',
        "Bell GmbH",
    ]
    response = client.get("/customers/export/", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = sorted((row[2].value, row[2].data_type) for row in sheet.iter_rows(min_row=2))
    assert names == [
        ('\'=HYPERLINK("http://evil.example","Click")', "s"),
        ("Bell GmbH", "s"),
    ]
