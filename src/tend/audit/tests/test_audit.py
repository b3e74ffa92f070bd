"""The audit log: field by field, and nothing can edit or delete an entry."""

import pytest
from django.core.exceptions import PermissionDenied

from tend.audit.models import AuditEntry
from tend.customers import services
from tend.customers.models import Customer


@pytest.fixture
def created(manager1, rep1):
    return services.customer_create(
        by=manager1,
        fields={"name": "Gulf Kettles FZE", "country": "AE", "city": "Dubai", "owner": rep1},
        tags=["kettles"],
        contacts=[
            {"name": "Omar Haddad", "email": "omar@gulfkettles.ae", "phone": "+971501234567"}
        ],
    )


def test_creating_a_customer_records_every_field_and_its_first_contact(created, manager1):
    entries = list(AuditEntry.objects.filter(customer=created).order_by("id"))
    assert [(e.entity, e.action, e.actor) for e in entries] == [
        ("customer", "create", manager1),
        ("contact", "create", manager1),
    ]
    changes = entries[0].changes
    assert changes["name"] == [None, "Gulf Kettles FZE"]
    assert changes["country"] == [None, "AE"]
    assert changes["time_zone"] == [None, "Asia/Dubai"]
    assert changes["owner"] == [None, "Alice Tester"]
    assert changes["tags"] == [None, ["kettles"]]
    assert entries[1].changes["phone"] == [None, "+971501234567"]
    assert entries[1].entity_label == "Omar Haddad"


def test_changing_a_customer_records_old_and_new_for_each_changed_field_only(
    created, manager1, rep1
):
    services.customer_update(
        by=manager1,
        customer=created,
        fields={"tier": "A", "city": "Abu Dhabi", "name": "Gulf Kettles FZE"},
        tags=["kettles", "key account"],
    )
    entry = AuditEntry.objects.filter(customer=created, action="update").get()
    assert entry.actor == manager1
    assert entry.changes == {
        "city": ["Dubai", "Abu Dhabi"],
        "tier": ["C", "A"],
        "tags": [["kettles"], ["kettles", "key account"]],
    }


def test_an_update_that_changes_nothing_writes_no_entry(created, manager1):
    services.customer_update(by=manager1, customer=created, fields={"name": "Gulf Kettles FZE"})
    assert not AuditEntry.objects.filter(customer=created, action="update").exists()


def test_ownership_changes_are_recorded(created, manager1):
    services.customer_update(by=manager1, customer=created, fields={"owner": manager1})
    entry = AuditEntry.objects.get(customer=created, action="update")
    assert entry.changes == {"owner": ["Alice Tester", "Maria Tester"]}


def test_contact_changes_and_deletion_are_recorded(created, manager1):
    contact = created.contacts.get()
    services.contact_update(by=manager1, contact=contact, fields={"title": "Purchasing manager"})
    services.contact_delete(by=manager1, contact=contact)
    update, delete = AuditEntry.objects.filter(
        entity="contact", action__in=["update", "delete"]
    ).order_by("id")
    assert update.changes == {"title": ["", "Purchasing manager"]}
    assert delete.changes["name"] == ["Omar Haddad", None]
    assert delete.customer_id == created.pk


def test_deleting_a_customer_keeps_its_history(created, manager1):
    pk = created.pk
    services.customer_delete(by=manager1, customer=created)
    assert not Customer.objects.filter(pk=pk).exists()
    history = AuditEntry.objects.filter(customer_id=pk).order_by("id")
    assert [(e.entity, e.action) for e in history] == [
        ("customer", "create"),
        ("contact", "create"),
        ("contact", "delete"),
        ("customer", "delete"),
    ]
    assert history.last().changes["name"] == ["Gulf Kettles FZE", None]


def test_an_audit_entry_cannot_be_changed_or_deleted_through_the_orm(created):
    entry = AuditEntry.objects.get(customer=created, entity="customer")
    entry.changes = {"name": ["forged", "forged"]}
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(changes={})
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.changes["name"] == [None, "Gulf Kettles FZE"]


def test_the_admin_refuses_to_change_or_delete_an_audit_entry(client, admin_user, created):
    client.force_login(admin_user)
    entry = AuditEntry.objects.get(customer=created, entity="customer")
    before = (entry.changes, entry.actor_id, entry.at)
    change_url = f"/admin/audit/auditentry/{entry.pk}/change/"
    assert client.get("/admin/audit/auditentry/").status_code == 200
    response = client.post(change_url, {"action": "delete", "changes": "{}"})
    assert response.status_code == 403
    assert (
        client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    bulk = client.post(
        "/admin/audit/auditentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    entry.refresh_from_db()
    assert (entry.changes, entry.actor_id, entry.at) == before


def test_the_api_has_no_way_to_write_audit_entries(client, admin_user, created):
    client.force_login(admin_user)
    schema = client.get("/api/v1/openapi.json").json()
    assert not [path for path in schema["paths"] if "audit" in path]
    assert client.delete("/api/v1/audit/1").status_code == 404


def test_the_customer_page_shows_its_audit_history(client, manager1, created):
    client.force_login(manager1)
    page = client.get(f"/customers/{created.pk}/").content.decode()
    assert "History of changes" in page
    assert "Maria Tester" in page
    assert "Gulf Kettles FZE" in page
