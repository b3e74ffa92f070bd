from django.utils.translation import gettext_lazy as _

from tend.timeline.kinds import register_kind

TASK = register_kind("task", _("Task"), "☑")
