from django.utils.translation import gettext_lazy as _

from tend.timeline.kinds import register_kind

TIER = register_kind("tier", _("Tier"), "▲")
MARKET = register_kind("market", _("Market check"), "⚑")
NOTICE = register_kind("notice", _("Notice"), "✉")
REFERRAL = register_kind("referral", _("Referral"), "↗")
MENTION = register_kind("mention", _("Review or mention"), "☆")
