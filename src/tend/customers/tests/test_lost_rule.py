"""One rule for "lost" on every path that writes a customer file: it becomes lost only with a
recorded reason (a lost record, which the lost report counts), and leaves lost only by an order.
Page (create, edit), bulk, API and import each either record the reason or refuse, naming the
field; the lost report and the customer list then agree."""

import pytest
from django.core.exceptions import ValidationError

from tend.customers import services
from tend.customers.models import Customer, CustomerStatus
from tend.customers.tests.factories import CustomerFactory
from tend.health.models import LostRecord
from tend.health.selectors.lost import LostFilters, lost_now_counts
from tend.imports.customers import import_customers
from tend.imports.tests.sheets import write_csv

LOST = CustomerStatus.LOST


def form(customer, **changes) -> dict:
    return {
        "name": customer.name,
        "country": customer.country,
        "currency": "USD",
        "type": customer.type,
        "tier": customer.tier,
        "status": customer.status,
        "owner": customer.owner_id or "",
        "backup_owner": customer.backup_owner_id or "",
        **changes,
    }


def agree(user) -> None:
    """The lost report's "lost now" has a record behind every customer the list calls lost."""
    counts = lost_now_counts(user=user, filters=LostFilters())
    assert counts["unrecorded"] == 0
    assert counts["lost"] == Customer.objects.filter(status=LOST).count()


def test_the_edit_page_needs_a_reason_and_then_records_it(client, rep1, book):
    customer = book["rep1_owned"]
    client.force_login(rep1)

    response = client.post(f"/customers/{customer.pk}/edit/", form(customer, status=LOST))
    assert response.status_code == 200
    assert "lost_reason" in response.context["form"].errors
    customer.refresh_from_db()
    assert customer.status != LOST and not LostRecord.objects.exists()

    response = client.post(
        f"/customers/{customer.pk}/edit/", form(customer, status=LOST, lost_reason="quality")
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.status == LOST
    record = LostRecord.objects.get(customer=customer)
    assert (record.reason, record.marked_by, record.won_back_at) == ("quality", rep1, None)
    agree(rep1)

    # Back from lost by hand: refused, naming the status; an order wins it back instead.
    response = client.post(f"/customers/{customer.pk}/edit/", form(customer, status="active"))
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    customer.refresh_from_db()
    assert customer.status == LOST


def test_the_create_page_records_the_reason_of_a_customer_created_lost(client, manager1):
    client.force_login(manager1)
    data = {
        "name": "Gone Before Ltd",
        "country": "FR",
        "currency": "USD",
        "type": "distributor",
        "tier": "B",
        "status": LOST,
    }
    response = client.post("/customers/new/", data)
    assert response.status_code == 200
    assert not Customer.objects.filter(name="Gone Before Ltd").exists()

    response = client.post("/customers/new/", {**data, "lost_reason": "closed_down"})
    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get(name="Gone Before Ltd")
    assert customer.status == LOST
    assert LostRecord.objects.get(customer=customer).reason == "closed_down"
    agree(manager1)


def test_bulk_offers_no_lost_and_refuses_it_without_a_reason(client, manager1, book):
    client.force_login(manager1)
    page = client.get("/customers/")
    choices = [value for _label, options in page.context["bulk_choices"] for value, _ in options]
    assert "status:lost" not in choices and "status:dormant" in choices

    ids = [str(book["rep1_owned"].pk), str(book["pool"].pk)]
    client.post("/customers/bulk/", {"choice": "status:lost", "ids": ids})
    assert not Customer.objects.filter(status=LOST).exists()
    assert not LostRecord.objects.exists()

    # The service, given a reason, records it for each customer.
    customers = [book["rep1_owned"], book["pool"]]
    changed = services.customers_bulk_update(
        by=manager1, customers=customers, fields={"status": LOST, "lost_reason": "service"}
    )
    assert changed == 2
    assert sorted(LostRecord.objects.values_list("customer_id", "reason")) == sorted(
        (c.pk, "service") for c in customers
    )
    agree(manager1)


def test_the_api_needs_the_reason_and_names_the_field(client, manager1, book):
    client.force_login(manager1)
    customer = book["rep1_owned"]
    url = f"/api/v1/customers/{customer.pk}"

    response = client.patch(url, {"status": LOST}, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["lost_reason"]
    response = client.patch(
        url, {"status": LOST, "lost_reason": "nonsense"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["lost_reason"]
    assert not LostRecord.objects.exists()

    response = client.patch(
        url, {"status": LOST, "lost_reason": "competition"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == LOST
    assert LostRecord.objects.get(customer=customer).reason == "competition"

    response = client.post(
        "/api/v1/customers",
        {"name": "Lost On Arrival", "country": "FR", "status": LOST},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["lost_reason"]
    assert not Customer.objects.filter(name="Lost On Arrival").exists()
    agree(manager1)


def test_a_reason_without_marking_lost_is_refused(manager1, book):
    with pytest.raises(ValidationError) as caught:
        services.customer_update(
            by=manager1, customer=book["pool"], fields={"lost_reason": "quality"}
        )
    assert list(caught.value.message_dict) == ["lost_reason"]


HEADERS = ["Company", "External ID", "Country", "Status"]


def test_an_import_cannot_set_or_lift_lost(manager1, tmp_path):
    CustomerFactory(name="Kept Trading", external_id="K-1", country="FR", status="active")
    CustomerFactory(name="Long Gone SARL", external_id="G-1", country="FR", status=LOST)
    rows = [
        ["New Lost Co", "N-1", "FR", "lost"],
        ["Kept Trading", "K-1", "FR", "lost"],
        ["Long Gone SARL", "G-1", "FR", "active"],
    ]
    path = write_csv(tmp_path / "customers.csv", HEADERS, rows)

    result = import_customers(by=manager1, path=path, commit=True)

    assert not result.committed
    assert [(error.row, error.column) for error in result.errors] == [
        (2, "Status"),
        (3, "Status"),
        (4, "Status"),
    ]
    assert not Customer.objects.filter(name="New Lost Co").exists()
    assert Customer.objects.get(name="Kept Trading").status == "active"
    assert Customer.objects.get(name="Long Gone SARL").status == LOST
    assert not LostRecord.objects.exists()
