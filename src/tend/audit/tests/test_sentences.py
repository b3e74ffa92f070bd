"""The customer page's history of changes reads as sentences, not field names and dicts."""

from decimal import Decimal

import pytest

from tend.audit.models import AuditAction, AuditEntry
from tend.audit.sentences import entry_sentences
from tend.audit.services import audit_record
from tend.customers import services
from tend.customers.models import Customer
from tend.customers.panels import panel_url


@pytest.fixture
def customer(manager1, rep1):
    return services.customer_create(
        by=manager1,
        fields={"name": "Gulf Kettles FZE", "country": "AE", "city": "Dubai", "owner": rep1},
        contacts=[{"name": "Omar Haddad", "email": "omar@gulfkettles.ae"}],
    )


def _latest(customer) -> AuditEntry:
    return AuditEntry.objects.filter(customer_id=customer.pk).order_by("-id").first()


def test_a_credit_limit_change_reads_as_a_sentence(customer, manager1):
    audit_record(
        actor=manager1,
        action=AuditAction.UPDATE,
        instance=customer,
        before={"credit_limit": "10000.00", "payment_terms": "30 days"},
        after={"credit_limit": str(Decimal("20000.00")), "payment_terms": ""},
        customer_id=customer.pk,
    )
    assert entry_sentences(_latest(customer)) == [
        "Credit limit (base currency) changed from 10,000 to 20,000 by Maria Tester",
        "Payment terms cleared (was 30 days) by Maria Tester",
    ]


def test_choices_read_as_their_labels_and_a_contact_is_named(customer, manager1):
    services.customer_update(by=manager1, customer=customer, fields={"tier": "A"})
    assert entry_sentences(_latest(customer)) == ["Tier changed from C to A by Maria Tester"]
    contact = customer.contacts.get()
    services.contact_update(by=manager1, contact=contact, fields={"phone": "+971501234567"})
    assert entry_sentences(_latest(customer)) == [
        "Contact Omar Haddad: Phone set to +971501234567 by Maria Tester"
    ]


def test_a_creation_names_the_record_and_what_it_held(customer):
    entry = AuditEntry.objects.filter(customer_id=customer.pk, entity="customer").get()
    headline, held = entry_sentences(entry)
    assert headline == "Customer created by Maria Tester"
    assert "Company name: Gulf Kettles FZE" in held
    assert "Country: United Arab Emirates" in held
    assert "Owner: Alice Tester" in held


def test_a_dict_written_as_python_text_reads_as_a_list(customer, manager1):
    """Approval requests recorded their proposed change as ``str(dict)``."""
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        instance=customer,
        before={"proposed": None},
        after={"proposed": str({"credit_limit": "20000", "payment_terms": "60 days"})},
        customer_id=customer.pk,
    )
    assert entry_sentences(_latest(customer)) == [
        "Proposed set to credit limit: 20,000; payment terms: 60 days by the system"
    ]


def test_the_customer_page_shows_the_sentences(client, customer, manager1):
    audit_record(
        actor=manager1,
        action=AuditAction.UPDATE,
        instance=Customer.objects.get(pk=customer.pk),
        before={"credit_limit": "10000.00"},
        after={"credit_limit": "20000.00"},
        customer_id=customer.pk,
    )
    client.force_login(manager1)
    page = client.get(panel_url(customer.pk, "history")).content.decode()
    history = page[page.index('id="audit-h"') :]
    assert "Credit limit (base currency) changed from 10,000 to 20,000 by Maria Tester" in history
    assert "{" not in history.split("</section>")[0]
    assert "<strong>credit_limit</strong>" not in history
