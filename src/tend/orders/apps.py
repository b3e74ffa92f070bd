from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "tend.orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from tend.customers.views import CUSTOMER_PANELS

        from . import agenda_sections, demo, timeline_kinds  # noqa: F401  (registrations)

        if "orders/_customer_panel.html" not in CUSTOMER_PANELS:
            CUSTOMER_PANELS.append("orders/_customer_panel.html")
