"""The demo book's year of answers: small customers wait longer, and the imbalance report shows
it (and only where the gap is outside the interval)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tend.customers.models import Customer
from tend.demo.builder import build_demo
from tend.engagement.models import Interaction
from tend.engagement.services import inquiry_response_hours
from tend.voice import reports
from tend.voice.models import SurveyAnswer, SurveySend

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)
STEPS = ("people", "reference", "customers", "engagement", "voice")


def test_a_year_of_answers_in_which_tier_c_waits_longer():
    build_demo(customers=200, seed=7, today=DAY, reset=False, write=lambda _: None, only=STEPS)
    now = datetime.combine(DAY, time(12), tzinfo=ZoneInfo("UTC"))
    assert SurveySend.objects.count() > 100
    answers = SurveyAnswer.objects.count()
    assert 0.4 * SurveySend.objects.count() < answers < 0.7 * SurveySend.objects.count()
    assert not SurveyAnswer.objects.filter(answered_at__gt=now).exists()
    # Slowed inquiries are still counted as the engagement service counts them.
    for inquiry in Interaction.objects.filter(customer__tier="C", response_hours__isnull=False)[
        :20
    ].select_related("customer"):
        expected = inquiry_response_hours(
            customer=inquiry.customer, asked_at=inquiry.at, answered_at=inquiry.answered_at
        )
        assert inquiry.response_hours == expected
    rows = {
        row.metric.key: row
        for row in reports.imbalance_report(
            customers=Customer.objects.all(), start=now - timedelta(days=365), end=now, now=now
        )
    }
    response = {cell.tier: cell for cell in rows["response_hours"].cells}
    assert response["C"].gap.flagged and response["C"].gap.worse
    assert not response["A"].gap.worse and not response["B"].gap.worse
