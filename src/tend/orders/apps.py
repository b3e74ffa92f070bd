from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "tend.orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from tend.customers.panels import CustomerPanel, register_panel

        from . import agenda_sections, demo, timeline_kinds  # noqa: F401  (registrations)

        register_panel(CustomerPanel("orders", "orders/_customer_panel.html", _("Orders")))
