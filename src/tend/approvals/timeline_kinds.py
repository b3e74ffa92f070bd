from django.utils.translation import gettext_lazy as _

from tend.timeline.kinds import register_kind

APPROVAL = register_kind("approval", _("Approval"), "⚖")
