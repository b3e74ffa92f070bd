from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "tend.customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from . import handover  # noqa: F401  (registers customers with the handover)
        from .panels import CustomerPanel, register_panel
        from .views import history_context

        register_panel(
            CustomerPanel(
                "history",
                "customers/_history_panel.html",
                _("History of changes"),
                context=history_context,
            ),
            end=True,
        )
