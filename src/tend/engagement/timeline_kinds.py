from django.utils.translation import gettext_lazy as _

from tend.timeline.kinds import register_kind

INTERACTION = register_kind("interaction", _("Interaction"), "💬")
PROMISE = register_kind("promise", _("Promise"), "🤝")
