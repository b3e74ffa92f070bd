"""One definition of "lost" and "won back": the lost report and the customer list count the same
customers on the demo book, and every lost customer there has a recorded reason."""

from datetime import date

import pytest

from tend.accounts.models import User
from tend.customers.models import CustomerStatus
from tend.customers.selectors import CustomerFilters, customer_list
from tend.demo.builder import build_demo
from tend.health.models import LostRecord
from tend.health.selectors.lost import LostFilters, lost_report

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)


@pytest.fixture
def demo_book():
    build_demo(customers=150, seed=7, today=DAY, write=lambda _: None)


def test_lost_report_and_customer_list_agree_on_the_demo_book(demo_book, client):
    for username in ("admin", "helen", "kevin"):
        user = User.objects.get(username=username)
        listed_lost = customer_list(
            user=user, filters=CustomerFilters(status=CustomerStatus.LOST)
        ).count()
        listed_back = customer_list(
            user=user, filters=CustomerFilters(status=CustomerStatus.WON_BACK)
        ).count()
        report = lost_report(user=user, filters=LostFilters())
        assert (report.lost_now, report.won_back_now) == (listed_lost, listed_back), username
        assert report.unrecorded_now == 0
        # Over all time the records tell the same story: lost in the period = still lost + back.
        still_lost = sum(row.count for row in report.by_reason) - report.won_back_count
        assert still_lost == listed_lost, username
    # The pages say the same: the list's count and the report's "lost now" and the churn
    # section's won-back figures come from the one definition.
    helen = User.objects.get(username="helen")
    client.force_login(helen)
    listed = client.get("/customers/?status=lost").context["page"].paginator.count
    report = client.get("/health/lost/").context["report"]
    assert report.lost_now == listed
    assert f"{listed} customers are lost now" in client.get("/health/lost/").content.decode()
    admin = User.objects.get(username="admin")
    assert customer_list(user=admin, filters=CustomerFilters(status="lost")).count() > 5
    assert LostRecord.objects.filter(won_back_at__isnull=False).count() > 3
    # Every won-back record closes with the order that brought the customer back.
    for record in LostRecord.objects.filter(won_back_at__isnull=False).select_related(
        "won_back_order"
    ):
        assert record.won_back_order.order_date == record.won_back_at.date()
        assert record.marked_at < record.won_back_at
