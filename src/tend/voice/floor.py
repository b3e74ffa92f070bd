"""The survey rhythm as a line of each tier's service floor (the market app's tiers page)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tend.market.floor import register_floor_item


def survey_rhythm(tier: str) -> str:
    days = settings.TEND_VOICE_RHYTHM_DAYS.get(tier, 365)
    return ngettext(
        "relationship survey every %(days)d day",
        "relationship survey every %(days)d days",
        days,
    ) % {"days": days}


register_floor_item("survey_rhythm", _("Survey rhythm"), survey_rhythm)
