from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "tend.market"
    verbose_name = _("Market")

    def ready(self) -> None:
        from django.core.signals import request_started

        from tend.customers.panels import CustomerPanel, register_panel
        from tend.orders.views import ORDER_PANELS

        from . import floor, jobs, signals, timeline_kinds  # noqa: F401  (registrations)

        # Each request reads the tier floor afresh (once), whichever process serves it.
        request_started.connect(floor.forget, dispatch_uid="market.floor.forget")

        register_panel(CustomerPanel("market", "market/_customer_panel.html", _("Market")))
        if "market/_order_panel.html" not in ORDER_PANELS:
            ORDER_PANELS.append("market/_order_panel.html")
