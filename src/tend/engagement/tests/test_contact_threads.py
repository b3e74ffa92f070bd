"""The stored contact threads equal a direct computation from the interactions and their links
after every kind of write: the services' ``people.set`` and ``contacts.set``, link rows added,
removed and cleared, the mail capture's bulk inserts, an interaction moved to another customer,
and deletions of interactions, contacts, people and customers; and the single-threading rule
reads the same rows from them as from the join it replaced."""

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Min
from django.test.utils import CaptureQueriesContext

from tend.accounts.tests.factories import UserFactory
from tend.capture import services as capture
from tend.capture.models import Source
from tend.capture.parsing.mail import parse_message
from tend.capture.tests.mails import build
from tend.core.bulk import bulk_insert
from tend.core.derived import derived_suspended
from tend.customers.models import Contact, Customer
from tend.customers.selectors import contact_threads
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement import contact_threads as stored_threads
from tend.engagement.contact_threads import contact_threads_mismatches, contact_threads_rebuild
from tend.engagement.models import ContactThread, Interaction, ThreadKind
from tend.engagement.services import interaction_log
from tend.ops.portable import dumped_models

PERSON, CONTACT, WHOLE = ThreadKind.PERSON, ThreadKind.CONTACT, ThreadKind.INTERACTIONS


def stored(customer) -> dict:
    return {
        (row.kind, row.ref_id): row.interactions
        for row in ContactThread.objects.filter(customer=customer)
    }


def talk(customer, by, contacts=(), people=()) -> Interaction:
    return interaction_log(
        by=by, customer=customer, channel="call", direction="out",
        contacts=list(contacts), people=list(people),
    )  # fmt: skip


def joined() -> list[dict]:
    """The rule as it was computed before the stored table: every interaction joined to its
    links."""
    rows = (
        Interaction.objects.order_by()
        .values("customer_id")
        .annotate(
            people_in_contact=Count("people", distinct=True),
            in_contact_id=Min("people"),
            contacts_reached=Count("contacts", distinct=True),
        )
    )
    return sorted(rows, key=lambda row: row["customer_id"])


def test_the_stored_threads_follow_the_services_and_the_link_writes(rep1, rep2, book):
    customer, other = book["rep1_owned"], book["pool"]
    buyer, finance = ContactFactory(customer=customer), ContactFactory(customer=customer)

    # the service: people.set (the logger and those named) and contacts.set
    first = talk(customer, rep1, [buyer])
    talk(customer, rep1, [buyer, finance], people=[rep2])
    assert stored(customer) == {
        (WHOLE, 0): 2,
        (PERSON, rep1.pk): 2,
        (PERSON, rep2.pk): 1,
        (CONTACT, buyer.pk): 2,
        (CONTACT, finance.pk): 1,
    }
    assert contact_threads_mismatches() == []

    # add, remove, clear, set with a change
    first.people.add(rep2)
    assert stored(customer)[(PERSON, rep2.pk)] == 2
    first.people.remove(rep1)
    assert stored(customer)[(PERSON, rep1.pk)] == 1
    first.contacts.set([finance])
    assert stored(customer)[(CONTACT, buyer.pk)] == 1
    assert stored(customer)[(CONTACT, finance.pk)] == 2
    first.people.clear()
    first.contacts.clear()
    assert stored(customer) == {
        (WHOLE, 0): 2,
        (PERSON, rep1.pk): 1,
        (PERSON, rep2.pk): 1,
        (CONTACT, buyer.pk): 1,
        (CONTACT, finance.pk): 1,
    }
    assert contact_threads_mismatches() == []

    # a link row changed in place (no path does; a raw update could)
    link = Interaction.people.through.objects.get(user=rep1)
    carl = UserFactory(username="carl")
    Interaction.people.through.objects.filter(pk=link.pk).update(user=carl)
    assert (PERSON, rep1.pk) not in stored(customer)
    assert stored(customer)[(PERSON, carl.pk)] == 1
    assert contact_threads_mismatches() == []

    # bulk inserts of link rows, as the capture's drive writes them
    bulk_insert(Interaction.people.through, ["interaction_id", "user_id"], [(first.pk, rep1.pk)])
    assert stored(customer)[(PERSON, rep1.pk)] == 1
    assert contact_threads_mismatches() == []
    assert stored(other) == {}


def test_an_interaction_moved_to_another_customer_takes_its_threads_along(rep1, rep2, book):
    customer, other = book["rep1_owned"], book["pool"]
    buyer = ContactFactory(customer=customer)
    moved = talk(customer, rep1, [buyer], people=[rep2])
    talk(customer, rep1)

    # a queryset update (no service does it)
    Interaction.objects.filter(pk=moved.pk).update(customer=other)
    assert stored(customer) == {(WHOLE, 0): 1, (PERSON, rep1.pk): 1}
    assert stored(other) == {
        (WHOLE, 0): 1,
        (PERSON, rep1.pk): 1,
        (PERSON, rep2.pk): 1,
        (CONTACT, buyer.pk): 1,
    }
    assert contact_threads_mismatches() == []

    # a save, as the admin or a form would write it; another column's save changes nothing
    moved.customer = customer
    moved.save()
    moved.subject = "Renamed"
    moved.save()
    assert stored(other) == {}
    assert stored(customer)[(WHOLE, 0)] == 2
    assert contact_threads_mismatches() == []


def test_deletions_of_interactions_contacts_people_and_customers_keep_the_threads(rep1, rep2, book):
    customer, other = book["rep1_owned"], book["rep2_owned"]
    buyer, finance = ContactFactory(customer=customer), ContactFactory(customer=customer)
    carl = UserFactory(username="carl")
    gone = talk(customer, rep1, [buyer, finance], people=[carl])
    talk(customer, rep1, [buyer], people=[carl])
    talk(other, rep2, people=[rep1])

    gone.delete()
    assert stored(customer) == {
        (WHOLE, 0): 1,
        (PERSON, rep1.pk): 1,
        (PERSON, carl.pk): 1,
        (CONTACT, buyer.pk): 1,
    }
    finance.delete()
    buyer.delete()
    carl.delete()
    assert stored(customer) == {(WHOLE, 0): 1, (PERSON, rep1.pk): 1}
    assert contact_threads_mismatches() == []

    # Django deletes the link rows before their interaction, so the link's trigger still finds
    # the interaction's customer; the counts do not depend on it (tested below)
    with CaptureQueriesContext(connection) as queries:
        Customer.objects.filter(pk=other.pk).delete()
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
    links = next(n for n, sql in enumerate(deletes) if "engagement_interaction_people" in sql)
    interactions = next(
        n for n, sql in enumerate(deletes) if 'FROM "engagement_interaction" ' in sql
    )
    assert links < interactions
    assert stored(other) == {}
    assert stored(customer) == {(WHOLE, 0): 1, (PERSON, rep1.pk): 1}
    assert contact_threads_mismatches() == []


def test_the_counts_do_not_depend_on_the_order_of_the_interaction_and_its_links(rep1, book):
    """Raw writes in the other order (the foreign keys are checked at commit): a link without
    its interaction counts nothing; the interaction counts the links it finds."""
    customer = book["rep1_owned"]
    buyer = ContactFactory(customer=customer)
    kept = talk(customer, rep1, [buyer])
    pk = Interaction.objects.order_by("-pk").values_list("pk", flat=True).first() + 10
    people, contacts = Interaction.people.through, Interaction.contacts.through
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(people._meta.db_table)} (interaction_id, user_id) "
            f"VALUES ({pk}, {rep1.pk})"
        )
        cursor.execute(
            f"INSERT INTO {quote(contacts._meta.db_table)} (interaction_id, contact_id) "
            f"VALUES ({pk}, {buyer.pk})"
        )
    assert stored(customer) == {(WHOLE, 0): 1, (PERSON, rep1.pk): 1, (CONTACT, buyer.pk): 1}
    Interaction.objects.create(
        pk=pk, customer=customer, channel="call", direction="out", logged_by=rep1
    )
    assert stored(customer) == {(WHOLE, 0): 2, (PERSON, rep1.pk): 2, (CONTACT, buyer.pk): 2}
    assert contact_threads_mismatches() == []

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(Interaction._meta.db_table)} WHERE id = {kept.pk}")
        assert stored(customer) == {(WHOLE, 0): 1, (PERSON, rep1.pk): 1, (CONTACT, buyer.pk): 1}
        for through in (people, contacts):
            cursor.execute(
                f"DELETE FROM {quote(through._meta.db_table)} WHERE interaction_id = {kept.pk}"
            )
    assert stored(customer) == {(WHOLE, 0): 1, (PERSON, rep1.pk): 1, (CONTACT, buyer.pk): 1}
    assert contact_threads_mismatches() == []


def test_the_mail_capture_bulk_inserts_keep_the_threads(rep1, rep2):
    rep1.email = "alice@tend-exports.com"
    rep1.save(update_fields=["email"])
    customer = CustomerFactory(owner=rep1)
    buyer = ContactFactory(customer=customer, email="b@buyer.example")
    at = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("UTC"))
    mails = [
        build(
            sender=sender,
            to=to,
            subject="Price",
            body=body,
            at=at.replace(hour=hour),
            message_id=f"<m{hour}@x>",
            in_reply_to="",
        )  # fmt: skip
        for sender, to, body, hour in (
            ("b@buyer.example", rep1.email, "Price?", 9),
            (rep1.email, "b@buyer.example", "Here it is.", 10),
        )
    ]
    result = capture.mails_capture(
        mails=[parse_message(m) for m in mails], by=rep1, source=Source.UPLOAD
    )
    assert result.added == 2
    assert stored(customer) == {(WHOLE, 0): 2, (PERSON, rep1.pk): 2, (CONTACT, buyer.pk): 2}
    assert contact_threads_mismatches() == []


def test_without_the_triggers_the_table_goes_stale_and_the_check_says_so(rep1, rep2, book):
    """What the tests above rely on: the triggers are installed (by the migration), and a
    write that they do not see shows as a mismatch until the table is rebuilt."""
    customer = book["rep1_owned"]
    talk(customer, rep1)
    assert stored(customer) == {(WHOLE, 0): 1, (PERSON, rep1.pk): 1}
    stored_threads.triggers_drop(connection)
    talk(customer, rep1, people=[rep2])
    assert len(contact_threads_mismatches()) == 3
    contact_threads_rebuild()
    assert contact_threads_mismatches() == []
    assert stored(customer)[(WHOLE, 0)] == 2
    talk(customer, rep1)  # the triggers are back
    assert stored(customer)[(WHOLE, 0)] == 3
    assert contact_threads_mismatches() == []


def test_a_bulk_load_under_derived_suspended_is_counted_once_after(rep1, book):
    """The restore's and the demo builder's way: no trigger per row, one fill after."""
    customer = book["rep1_owned"]
    buyer = ContactFactory(customer=customer)
    with derived_suspended():
        interaction = Interaction.objects.create(
            customer=customer, channel="call", direction="out", logged_by=rep1
        )
        bulk_insert(
            Interaction.people.through, ["interaction_id", "user_id"], [(interaction.pk, rep1.pk)]
        )
        bulk_insert(
            Interaction.contacts.through,
            ["interaction_id", "contact_id"],
            [(interaction.pk, buyer.pk)],
        )
        assert stored(customer) == {}
    assert stored(customer) == {(WHOLE, 0): 1, (PERSON, rep1.pk): 1, (CONTACT, buyer.pk): 1}
    talk(customer, rep1)
    assert stored(customer)[(WHOLE, 0)] == 2


def test_the_portable_backup_leaves_the_stored_threads_out(db):
    """A restore loads the interactions and links, then rebuilds the table: loading its rows as
    well would count everything twice."""
    models = dumped_models()
    assert Interaction in models
    assert ContactThread not in models


def test_the_rule_reads_the_same_rows_as_the_join_it_replaced(rep1, rep2, manager1, book):
    rng = random.Random(5)
    people = [rep1, rep2, manager1, *(UserFactory(username=f"u{n}") for n in range(3))]
    customers = [CustomerFactory(owner=rng.choice(people)) for _ in range(12)]
    contacts = {
        c.pk: [ContactFactory(customer=c) for _ in range(rng.randint(0, 3))] for c in customers
    }
    for customer in customers[:-1]:  # the last: never in contact
        for _ in range(rng.randint(1, 5)):
            theirs = contacts[customer.pk]
            talk(
                customer,
                rng.choice(people),
                rng.sample(theirs, rng.randint(0, len(theirs))),
                people=rng.sample(people, rng.choice((0, 0, 1, 2))),
            )
    single = CustomerFactory(owner=rep2)
    talk(single, rep2)
    talk(single, rep2, people=[rep2])
    # an interaction nobody is linked to (the admin allows it): still a row, with no one in it
    silent = Interaction.objects.create(
        customer=customers[0], channel="email", direction="in", logged_by=rep1
    )
    assert not silent.people.exists()
    lonely = CustomerFactory()
    Interaction.objects.create(customer=lonely, channel="email", direction="in", logged_by=rep1)

    rows = sorted(contact_threads(), key=lambda row: row["customer_id"])
    assert rows == joined()
    assert {"customer_id": lonely.pk, "people_in_contact": 0, "in_contact_id": None,
            "contacts_reached": 0} in rows  # fmt: skip
    assert {"customer_id": single.pk, "people_in_contact": 1, "in_contact_id": rep2.pk,
            "contacts_reached": 0} in rows  # fmt: skip
    assert any(row["people_in_contact"] > 1 for row in rows)
    assert Contact.objects.exists()
