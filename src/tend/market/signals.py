"""The channel signal for health scoring (seed 004: "rampant transshipment is often the
culprit"): a dealer whose exclusive territory received another dealer's goods in the last 180
days is at risk of giving up, with a channel-conflict reason. Dismissed alerts do not count."""

from datetime import timedelta

from django.db.models import Count
from django.utils.translation import ngettext_lazy

from tend.health import risk
from tend.health.causes import Cause
from tend.health.signals import COUNTED_TEXTS, ScoringContext, register_provider

WINDOW_DAYS = 180


def channel_signals(context: ScoringContext) -> list[risk.Signal]:
    from .models import AlertState, TransshipmentAlert

    found = (
        TransshipmentAlert.objects.filter(
            harmed_dealer__isnull=False,
            created_at__gte=context.now - timedelta(days=WINDOW_DAYS),
            created_at__lte=context.now,
        )
        .exclude(state=AlertState.DISMISSED)
        .values_list("harmed_dealer_id")
        .annotate(n=Count("id"))
    )
    counts = context.column(list(found))
    return [
        risk.count_signal("transshipped_into", Cause.CHANNEL_CONFLICT, counts, each=0.25, most=0.5)
    ]


register_provider("channel", channel_signals)
# A counted reason reads in the singular or plural (health's ``reason_text``).
COUNTED_TEXTS["transshipped_into"] = ngettext_lazy(
    "%(count)d lot of another dealer found in their exclusive territory in 180 days",
    "%(count)d lots of other dealers found in their exclusive territory in 180 days",
    "count",
)
