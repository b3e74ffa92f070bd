"""The single-threaded signal reads the same rule as the single-threaded report: only one of our
people has ever been in contact with the customer."""

from datetime import UTC, datetime

from tend.accounts.tests.factories import UserFactory
from tend.customers.selectors import customers_single_threaded
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.engagement.services import interaction_log
from tend.health.models import HealthSnapshot
from tend.health.services.scoring import score_book
from tend.health.signals import reason_text

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_the_signal_flags_exactly_the_customers_the_report_lists(rep1, manager1, team1):
    carl = UserFactory(username="carl", first_name="Carl", team=team1)
    lonely = CustomerFactory(name="Lonely", owner=rep1)
    two_voices = CustomerFactory(name="Two Voices", owner=rep1)
    never_called = CustomerFactory(name="Never Called", owner=rep1)
    buyer, finance = ContactFactory(customer=lonely), ContactFactory(customer=lonely)
    for contacts in ([buyer], [buyer, finance]):
        interaction_log(
            by=rep1, customer=lonely, channel="call", direction="out", at=NOW, contacts=contacts
        )
    interaction_log(by=rep1, customer=two_voices, channel="email", direction="out", at=NOW)
    interaction_log(by=carl, customer=two_voices, channel="email", direction="out", at=NOW)

    score_book(now=NOW)

    flagged = {
        snapshot.customer.name: snapshot
        for snapshot in HealthSnapshot.objects.select_related("customer")
        if any(r["code"] == "single_threaded" for r in snapshot.reasons)
    }
    listed = [c.name for c in customers_single_threaded(user=manager1)]
    assert list(flagged) == listed == ["Lonely"]
    (reason,) = [r for r in flagged["Lonely"].reasons if r["code"] == "single_threaded"]
    assert reason_text(reason) == (
        "Only Alice Tester has ever been in contact with them (2 of their contacts)"
    )
    assert never_called.pk not in {s.customer_id for s in flagged.values()}
