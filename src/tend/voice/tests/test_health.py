"""The voice source of health signals: a recent detractor, a falling score, and a customer who
stopped answering; each reason in plain words."""

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from tend.customers.tests.factories import ContactFactory
from tend.health.signals import ScoringContext, providers, reason_text
from tend.voice.health import voice_signals
from tend.voice.models import Survey, SurveyAnswer, SurveySend

from .test_reports import answer

pytestmark = pytest.mark.django_db


def context(customers, now):
    ids = np.array(sorted(c.pk for c in customers))
    return ScoringContext(customer_ids=ids, now=now, today=now.date())


def signal(signals, code):
    return next(s for s in signals if s.code == code)


def test_voice_is_a_registered_provider():
    assert "voice" in dict(providers())


def test_a_recent_detractor_and_a_falling_score_are_signals_with_plain_reasons(book):
    now = timezone.now()
    fell, happy = book["rep1_owned"], book["rep2_owned"]
    answer(fell, 9, now, days_ago=200)
    answer(fell, 5, now, days_ago=10)
    answer(happy, 10, now, days_ago=10)
    ctx = context(book.values(), now)
    signals = voice_signals(ctx)
    where = {pk: i for i, pk in enumerate(ctx.customer_ids)}
    detractor = signal(signals, "voice_detractor")
    assert detractor.weight[where[fell.pk]] > 0 and detractor.weight[where[happy.pk]] == 0
    params = {k: v[where[fell.pk]] for k, v in detractor.params.items()}
    text = reason_text({"code": "voice_detractor", "params": params})
    assert text == "Answered 5 of 10 to our survey 10 days ago: unhappy with us"
    falling = signal(signals, "voice_falling")
    assert falling.weight[where[fell.pk]] > 0
    params = {k: v[where[fell.pk]] for k, v in falling.params.items()}
    assert reason_text({"code": "voice_falling", "params": params}) == (
        "Their survey score fell from 9 to 5 (of 10)"
    )


def make_send(customer, now, days_ago, *, score=None):
    contact = ContactFactory(customer=customer)
    send = SurveySend.objects.create(
        survey=Survey.objects.get(kind="nps"),
        customer=customer,
        contact=contact,
        trigger="relationship",
        idempotency_key=f"h:{contact.pk}",
        token_hash=f"{contact.pk:064x}",
        created_at=now - timedelta(days=days_ago),
        expires_at=now - timedelta(days=days_ago - 14),
    )
    if score is not None:
        SurveyAnswer.objects.create(
            send=send,
            customer=customer,
            kind="nps",
            score=score,
            answered_at=now - timedelta(days=days_ago - 1),
        )


def test_a_customer_who_stopped_answering_is_a_signal_and_one_who_answers_is_not(book):
    now = timezone.now()
    quiet, loyal = book["pool"], book["rep1_owned"]
    for days in (500, 400):
        make_send(quiet, now, days, score=8)
        make_send(loyal, now, days, score=8)
    for days in (200, 100):
        make_send(quiet, now, days)
    make_send(loyal, now, 200)
    make_send(loyal, now, 100, score=9)
    ctx = context([quiet, loyal], now)
    where = {pk: i for i, pk in enumerate(ctx.customer_ids)}
    silent = signal(voice_signals(ctx), "voice_silent")
    assert silent.weight[where[quiet.pk]] > 0
    assert silent.weight[where[loyal.pk]] == 0
    params = {k: v[where[quiet.pk]] for k, v in silent.params.items()}
    assert reason_text({"code": "voice_silent", "params": params}) == (
        "Answered 2 surveys before, but none of the last 2"
    )
    # At a past date, before the second missed link expired, there is no silence yet.
    past = context([quiet], now - timedelta(days=95))
    assert signal(voice_signals(past), "voice_silent").weight[0] == 0


def test_the_tiers_page_shows_each_tiers_survey_rhythm(settings):
    from tend.market.floor import floor_items

    settings.TEND_VOICE_RHYTHM_DAYS = {"A": 180, "B": 365, "C": 365}
    item = next(item for item in floor_items() if item.key == "survey_rhythm")
    assert item.value_for("A") == "relationship survey every 180 days"
