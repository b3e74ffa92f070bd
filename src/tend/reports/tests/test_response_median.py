"""The monthly median response time taken from the middle ranks in SQL equals the median of
every answer (odd and even counts, ties, a month without answers)."""

import statistics
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tend.customers.tests.factories import CustomerFactory
from tend.engagement.models import Interaction
from tend.reports.registry import ReportFilters
from tend.reports.sections import reliability

pytestmark = pytest.mark.django_db

HOURS = {4: ["3.5", "1", "7.25"], 5: ["2", "2", "9", "4.5"], 6: ["8"]}


def test_the_median_response_is_the_median_of_every_answer(rep1, admin_user):
    customer = CustomerFactory(owner=rep1)
    for month, hours in HOURS.items():
        for n, value in enumerate(hours):
            answered = datetime(2026, month, 10 + n, 12, tzinfo=UTC)
            Interaction.objects.create(
                customer=customer,
                channel="email",
                direction="in",
                at=answered,
                logged_by=rep1,
                needs_answer=True,
                answered_at=answered,
                responder=rep1,
                response_hours=Decimal(value),
            )
    result = reliability.compute(ReportFilters(end=date(2026, 6, 1)), admin_user)
    medians = result.figures["median_response_hours"]
    expected = [
        round(statistics.median(float(h) for h in HOURS[m]), 1) if m in HOURS else None
        for m in range(-5, 7)
    ]
    assert medians == expected
    assert medians == [None] * 9 + [3.5, 3.2, 8.0]
