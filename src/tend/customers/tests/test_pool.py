"""The pool: claim (atomically), release with a reason, assign, and the per-rep cap."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from tend.accounts.models import Role
from tend.accounts.tests.factories import UserFactory
from tend.audit.models import AuditEntry
from tend.customers import services
from tend.customers.models import Customer, OwnershipEvent
from tend.customers.tests.factories import CustomerFactory
from tend.timeline.models import TimelineEntry


def test_a_rep_claims_a_pool_customer_and_it_is_recorded(client, rep1, book):
    client.force_login(rep1)
    pool = book["pool"]
    response = client.post(f"/customers/{pool.pk}/claim/")
    assert response.status_code == 302
    pool.refresh_from_db()
    assert pool.owner == rep1
    entry = AuditEntry.objects.get(customer=pool, action="update")
    assert entry.changes == {"owner": [None, "Alice Tester"]}
    assert entry.actor == rep1
    timeline = TimelineEntry.objects.get(customer=pool)
    assert timeline.title == "Claimed from the pool by Alice Tester"
    assert OwnershipEvent.objects.get(customer=pool).move == "claim"


def test_claiming_a_customer_someone_else_got_first_names_them(rep1, rep2, book):
    pool = book["pool"]
    services.customer_claim(by=rep2, customer=pool)
    with pytest.raises(services.AlreadyClaimed) as caught:
        services.customer_claim(by=rep1, customer=pool)
    assert str(caught.value) == "Bob Tester claimed this customer first."
    pool.refresh_from_db()
    assert pool.owner == rep2


def test_the_api_answers_409_with_the_winner(client, rep1, rep2, book):
    services.customer_claim(by=rep2, customer=book["pool"])
    client.force_login(rep1)
    # rep1 can no longer see it (owned by team 2): the API does not confirm it exists.
    assert client.post(f"/api/v1/customers/{book['pool'].pk}/claim").status_code == 404
    client.force_login(UserFactory(username="root2", role=Role.ADMIN, team=None))
    response = client.post(f"/api/v1/customers/{book['pool'].pk}/claim")
    assert response.status_code == 409
    assert response.json()["owner"]["name"] == "Bob Tester"


def test_claims_beyond_the_cap_are_refused_with_a_clear_message(settings, rep1):
    settings.TEND_MAX_OWNED_CUSTOMERS = 2
    CustomerFactory(owner=rep1)
    CustomerFactory(owner=rep1)
    pool = CustomerFactory(owner=None)
    with pytest.raises(ValidationError) as caught:
        services.customer_claim(by=rep1, customer=pool)
    assert "You already own 2 customers" in caught.value.messages[0]
    pool.refresh_from_db()
    assert pool.owner is None
    assert not AuditEntry.objects.exists()


def test_releasing_needs_a_reason_and_the_owner(rep1, rep2, book):
    customer = book["rep1_owned"]
    with pytest.raises(ValidationError):
        services.customer_release(by=rep1, customer=customer, reason="  ")
    with pytest.raises(PermissionDenied):
        services.customer_release(by=rep2, customer=customer, reason="not mine")
    services.customer_release(by=rep1, customer=customer, reason="Moved to a distributor")
    customer.refresh_from_db()
    assert customer.owner is None
    event = OwnershipEvent.objects.get(customer=customer)
    assert (event.move, event.reason, event.from_user) == (
        "release",
        "Moved to a distributor",
        rep1,
    )
    assert TimelineEntry.objects.get(customer=customer).title == (
        "Returned to the pool by Alice Tester: Moved to a distributor"
    )


def test_a_manager_assigns_within_the_team_and_a_rep_cannot(manager1, rep1, rep2, book):
    pool = book["pool"]
    with pytest.raises(PermissionDenied):
        services.customer_assign(by=rep1, customer=pool, owner=rep1)
    with pytest.raises(ValidationError):
        services.customer_assign(by=manager1, customer=pool, owner=rep2)
    services.customer_assign(by=manager1, customer=pool, owner=rep1, reason="Speaks Arabic")
    pool.refresh_from_db()
    assert pool.owner == rep1
    assert TimelineEntry.objects.get(customer=pool).title == (
        "Owner changed from the pool to Alice Tester: Speaks Arabic"
    )


def test_assigning_the_backup_as_owner_empties_the_backup_seat(manager1, rep1, team1):
    other = UserFactory(username="carl", team=team1)
    customer = CustomerFactory(owner=other, backup_owner=rep1)
    services.customer_assign(by=manager1, customer=customer, owner=rep1)
    customer.refresh_from_db()
    assert (customer.owner, customer.backup_owner) == (rep1, None)


def test_the_customer_page_offers_claim_for_pool_customers(client, rep1, book):
    client.force_login(rep1)
    assert "Claim this customer" in client.get(f"/customers/{book['pool'].pk}/").content.decode()
    owned = client.get(f"/customers/{book['rep1_owned'].pk}/").content.decode()
    assert "Claim this customer" not in owned
    assert "Release to the pool" in owned


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_reps_claiming_one_customer_at_once_exactly_one_wins(rep1, team1):
    other = UserFactory(username="dora", first_name="Dora", team=team1)
    pool = CustomerFactory(owner=None)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def claim(user):
        try:
            barrier.wait(timeout=5)
            services.customer_claim(by=user, customer=pool)
            results[user.username] = "won"
        except services.AlreadyClaimed as exc:
            results[user.username] = f"lost: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in (rep1, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(value.split(":")[0] for value in results.values()) == ["lost", "won"]
    winner = next(name for name, value in results.items() if value == "won")
    loser_message = next(value for value in results.values() if value.startswith("lost"))
    assert Customer.objects.get(pk=pool.pk).owner.username == winner
    assert winner.capitalize() in loser_message
    assert AuditEntry.objects.filter(customer=pool, action="update").count() == 1
    assert OwnershipEvent.objects.filter(customer=pool, move="claim").count() == 1
