from django.utils.translation import gettext_lazy as _

from tend.timeline.kinds import register_kind

ORDER = register_kind("order", _("Order"), "📦")
ORDER_UPDATE = register_kind("order_update", _("Order update"), "📣")
SAMPLE = register_kind("sample", _("Sample"), "🎁")
DOCUMENT = register_kind("document", _("Document"), "📄")
