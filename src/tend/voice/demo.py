"""The demo book's year of customer voice: relationship NPS on each tier's rhythm, a CSAT after
some deliveries, about half of them answered, detractors followed up. Seed 003's question is
built in: small (tier C) customers wait longer for replies — their inquiries of the last year
arrived earlier in working time (the answer times stay) — and answer a little less kindly, so
the imbalance report flags tier C's response time."""

import secrets
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db.models import Q

from tend.core.bulk import bulk_insert
from tend.core.personal_links import token_digest
from tend.customers.models import Contact, CustomerStatus
from tend.demo.registry import DemoContext, Timer, register_step
from tend.engagement import workhours
from tend.engagement.models import Interaction
from tend.engagement.services import customer_clock, inquiry_response_hours
from tend.imports.bulk import update as update_rows
from tend.timeline.models import TimelineEntry
from tend.timeline.services import timeline_add

from .models import Survey, SurveyAnswer, SurveyKind, SurveyOptOut, SurveySend, Trigger
from .services import contact_language
from .timeline_kinds import SURVEY

ANSWER_SHARE = 0.55
CSAT_SHARE = 0.4
SLOWER_C = 1.5  # tier C inquiries wait this much longer again (2.5 times in all)
# Score weights per tier, NPS 0..10 and CSAT 1..5: tier C somewhat less kind.
NPS_WEIGHTS = {
    "A": [1, 1, 1, 1, 2, 3, 4, 8, 14, 20, 18],
    "B": [1, 1, 1, 2, 2, 4, 5, 9, 14, 17, 14],
    "C": [2, 2, 3, 3, 4, 6, 7, 10, 13, 13, 10],
}
CSAT_WEIGHTS = {"A": [1, 2, 6, 14, 17], "B": [1, 3, 7, 14, 15], "C": [3, 5, 9, 13, 11]}
COMMENTS = {
    "en": {
        "low": ["Replies take too long.", "Nobody answered my last two emails.", "Late again."],
        "mid": ["Fine overall.", "Good products, slow paperwork."],
        "high": ["Always quick to help.", "Reliable partner.", ""],
    },
    "zh-hans": {
        "low": ["回复太慢了。", "上两封邮件没人回。"],
        "mid": ["总体还可以。"],
        "high": ["一直很及时，谢谢。", ""],
    },
}


def reset(ctx: DemoContext) -> None:
    TimelineEntry.objects.filter(kind=SURVEY.key).delete()
    SurveyAnswer.objects.all().delete()
    SurveyOptOut.objects.all().delete()
    SurveySend.objects.all().delete()


def _send_days(rng, tier: str) -> list[tuple[int, str]]:
    """(days ago, kind) of the year's surveys for one customer, at least 95 days apart."""
    rhythm = settings.TEND_VOICE_RHYTHM_DAYS.get(tier, 365)
    first = rng.randint(5, min(rhythm, 360) - 5)
    days = [(first, SurveyKind.NPS)]
    if first + rhythm < 360:
        days.append((first + rhythm, SurveyKind.NPS))
    if rng.random() < CSAT_SHARE:
        free = [d for d in range(5, 360, 7) if all(abs(d - taken) >= 95 for taken, _k in days)]
        if free:
            days.append((rng.choice(free), SurveyKind.CSAT))
    return days


def _comment(rng, language: str, kind: str, score: int) -> str:
    top = 10 if kind == SurveyKind.NPS else 5
    band = "low" if score <= top * 0.6 else "high" if score >= top * 0.9 else "mid"
    if rng.random() < 0.5:
        return ""
    return rng.choice(COMMENTS[language][band])


@register_step("voice", after="engagement", reset=reset)
def build_voice(ctx: DemoContext) -> None:
    rng = ctx.rng("voice")
    with Timer(ctx, "  survey answers"):
        _surveys(ctx, rng)
    with Timer(ctx, "  tier C waits longer"):
        ctx.counts["inquiries_slowed"] = slow_down_tier_c(ctx, rng)


def _surveys(ctx: DemoContext, rng) -> None:
    surveys = {s.kind: s for s in Survey.objects.filter(active=True).order_by("-pk")}
    customers = [
        c
        for c in ctx.customers
        if c.status in (CustomerStatus.ACTIVE, CustomerStatus.WON_BACK) and c.contact_ids
    ]
    contacts = {
        pk: (language, name)
        for pk, language, name in Contact.objects.filter(
            pk__in=[i for c in customers for i in c.contact_ids]
        )
        .exclude(email="")
        .values_list("pk", "language", "name")
    }
    sends, answers = [], []
    for customer in customers:
        usable = [pk for pk in customer.contact_ids if pk in contacts]
        if not usable:
            continue
        for index, (days_ago, kind) in enumerate(_send_days(rng, customer.tier)):
            contact = usable[0] if rng.random() < 0.7 else rng.choice(usable)
            language = contact_language(Contact(language=contacts[contact][0]))
            created = ctx.now - timedelta(days=days_ago, hours=rng.randint(0, 23))
            key = f"demo:{customer.id}:{index}"
            answered = rng.random() < ANSWER_SHARE and days_ago > 1
            late = min(created + timedelta(hours=rng.randint(2, 96)), ctx.now - timedelta(hours=1))
            at = late if answered else None
            trigger = Trigger.RELATIONSHIP if kind == SurveyKind.NPS else Trigger.ORDER_DELIVERED
            sends.append(
                (
                    surveys[kind].pk, customer.id, contact, contacts[contact][1], trigger,
                    language, key, created,
                    created, token_digest(secrets.token_urlsafe(32)),
                    created + timedelta(days=settings.TEND_VOICE_LINK_DAYS), at,
                )
            )  # fmt: skip
            if answered:
                weights = (NPS_WEIGHTS if kind == SurveyKind.NPS else CSAT_WEIGHTS)[customer.tier]
                low = 0 if kind == SurveyKind.NPS else 1
                score = rng.choices(range(low, low + len(weights)), weights=weights)[0]
                answers.append(
                    (key, customer.id, kind, score, _comment(rng, language, kind, score), at)
                )
    bulk_insert(
        SurveySend,
        ["survey", "customer", "contact", "contact_name", "trigger", "language", "idempotency_key",
         "created_at", "sent_at", "token_hash", "expires_at", "used_at"],
        sends,
    )  # fmt: skip
    ids = dict(
        SurveySend.objects.filter(idempotency_key__startswith="demo:").values_list(
            "idempotency_key", "pk"
        )
    )
    bulk_insert(
        SurveyAnswer,
        ["send", "customer", "kind", "score", "comment", "answered_at"],
        [
            (ids[key], cid, kind, score, comment, at)
            for key, cid, kind, score, comment, at in answers
        ],
    )
    entries = [
        timeline_add(
            customer_id=answer.customer_id,
            kind=SURVEY,
            at=answer.answered_at,
            source=answer,
            body=answer.comment,
            title=_answer_title(answer),
            data={"score": answer.score, "kind": answer.kind},
            save=False,
        )
        for answer in SurveyAnswer.objects.select_related("send").iterator(chunk_size=2000)
    ]
    TimelineEntry.objects.bulk_create(entries, batch_size=2000)
    ctx.counts["survey_sends"] = len(sends)
    ctx.counts["survey_answers"] = len(answers)


def _answer_title(answer):
    from django.utils.translation import gettext_lazy

    from tend.core.i18n import TranslatableText

    top = 10 if answer.kind == SurveyKind.NPS else 5
    return TranslatableText(
        gettext_lazy("%(contact)s answered the survey: %(score)d of %(top)d"),
        {"contact": answer.send.contact_name, "score": answer.score, "top": top},
    )


def slow_down_tier_c(ctx: DemoContext, rng) -> int:
    """Tier C's inquiries of the last year arrived earlier: the same answer time, so the wait in
    the customer's working hours grows (recounted as the engagement service counts it)."""
    since = ctx.now - timedelta(days=365)
    # Plain values, not model instances: tens of thousands of rows on a big book.
    inquiries = Interaction.objects.filter(
        Q(customer__tier="C"),
        needs_answer=True,
        answered_at__gte=since,
        response_hours__isnull=False,
    ).order_by("pk").values_list("pk", "at", "answered_at", "response_hours", "customer__time_zone",
                  "customer__country")  # fmt: skip
    clocks: dict[tuple[str, str], tuple[dict, SimpleNamespace]] = {}
    slowed = []
    for pk, at, answered_at, response_hours, zone, country in inquiries:
        if (zone, country) not in clocks:
            clocks[zone, country] = (
                customer_clock(time_zone=zone, country=country),
                SimpleNamespace(time_zone=zone, country=country),
            )
        clock, customer = clocks[zone, country]
        extra = float(response_hours) * SLOWER_C * (0.5 + rng.random())
        asked = workhours.subtract_working_hours(at, extra, **clock)
        hours = inquiry_response_hours(customer=customer, asked_at=asked, answered_at=answered_at)
        slowed.append((asked, hours, pk))
    # One UPDATE per row by its key (or one UPDATE ... FROM a copied table on PostgreSQL), not
    # bulk_update's CASE of a branch per row tried for every row (minutes on a big book).
    update_rows(Interaction, ["at", "response_hours"], slowed)
    moved = {pk: asked for asked, _hours, pk in slowed}
    ids = list(moved)
    for start in range(0, len(ids), 5000):
        entries = TimelineEntry.objects.filter(
            source_type=Interaction._meta.label_lower, source_id__in=ids[start : start + 5000]
        ).values_list("pk", "source_id")
        update_rows(TimelineEntry, ["at"], [(moved[source], pk) for pk, source in entries])
    return len(slowed)
