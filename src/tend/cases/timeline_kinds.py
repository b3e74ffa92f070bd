from django.utils.translation import gettext_lazy as _

from tend.timeline.kinds import register_kind

CASE = register_kind("case", _("Service case"), "⚑")
