from django.utils.translation import gettext_lazy as _

from tend.timeline.kinds import register_kind

SURVEY = register_kind("survey", _("Survey"), "☺")
