"""The ``voice`` source of health signals: a recent detractor (or unhappy CSAT) answer, a score
that fell, and a customer who used to answer surveys and has stopped. Dated by the answers'
and sends' times, so the backtest can read it at a past date."""

from collections import defaultdict
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from tend.health import risk
from tend.health.causes import Cause
from tend.health.signals import ScoringContext, register_provider

RECENT_DAYS = 180
FALL_POINTS = 3  # on the 0–10 scale (CSAT counted ×2.5)
SILENT_MISSES = 2  # the last sends unanswered...
SILENT_ANSWERED = 2  # ...by a customer who answered at least this many before


def _ten_scale(kind: str, score: int) -> float:
    return float(score) if kind == "nps" else (score - 1) * 2.5


def voice_signals(context: ScoringContext) -> list[risk.Signal]:
    from .models import SurveyAnswer, SurveySend

    now = context.now
    answers = (
        SurveyAnswer.objects.filter(answered_at__lt=now, answered_at__gte=now - timedelta(days=730))
        .order_by("customer_id", "answered_at", "id")
        .values_list("customer_id", "kind", "score", "answered_at", "send_id")
    )
    unhappy, fell, history = [], [], defaultdict(list)
    for customer_id, kind, score, at, _send in answers.iterator(chunk_size=5000):
        history[customer_id].append((kind, score, at, _send))
    for customer_id, rows in history.items():
        kind, score, at, _last = rows[-1]
        recent = at >= now - timedelta(days=RECENT_DAYS)
        bad = score <= 6 if kind == "nps" else score <= 2
        top = 10 if kind == "nps" else 5
        if recent and bad:
            unhappy.append((customer_id, (score, top, (now - at).days)))
        if recent and len(rows) >= 2:
            before = _ten_scale(rows[-2][0], rows[-2][1])
            after = _ten_scale(kind, score)
            if before - after >= FALL_POINTS:
                fell.append((customer_id, (before, after)))
    # Sends whose link has expired by ``now``: answered (an answer before now) or missed.
    answered_sends = {row[3] for rows in history.values() for row in rows}
    sends = (
        SurveySend.objects.filter(expires_at__lt=now, created_at__gte=now - timedelta(days=730))
        .order_by("customer_id", "created_at", "id")
        .values_list("customer_id", "pk")
    )
    by_customer = defaultdict(list)
    for customer_id, pk in sends.iterator(chunk_size=5000):
        by_customer[customer_id].append(pk in answered_sends)
    silent = []
    for customer_id, outcomes in by_customer.items():
        tail = outcomes[-SILENT_MISSES:]
        if len(tail) == SILENT_MISSES and not any(tail):
            earlier = sum(outcomes[:-SILENT_MISSES])
            if earlier >= SILENT_ANSWERED:
                silent.append((customer_id, (earlier, SILENT_MISSES)))

    def column(pairs, index):
        return context.column([(pk, values[index]) for pk, values in pairs])

    return [
        risk.flag_signal(
            "voice_detractor",
            Cause.SERVICE,
            context.column([(pk, True) for pk, _v in unhappy], dtype=bool),
            0.2,
            score=column(unhappy, 0),
            top=column(unhappy, 1),
            days=column(unhappy, 2),
        ),
        risk.flag_signal(
            "voice_falling",
            Cause.SERVICE,
            context.column([(pk, True) for pk, _v in fell], dtype=bool),
            0.1,
            before=column(fell, 0),
            after=column(fell, 1),
        ),
        risk.flag_signal(
            "voice_silent",
            Cause.SERVICE,
            context.column([(pk, True) for pk, _v in silent], dtype=bool),
            0.1,
            answered=column(silent, 0),
            missed=column(silent, 1),
        ),
    ]


register_provider(
    "voice",
    voice_signals,
    texts={
        "voice_detractor": _(
            "Answered %(score)d of %(top)d to our survey %(days)d days ago: unhappy with us"
        ),
        "voice_falling": _("Their survey score fell from %(before).0f to %(after).0f (of 10)"),
        "voice_silent": _("Answered %(answered)d surveys before, but none of the last %(missed)d"),
    },
)
