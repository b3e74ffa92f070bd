from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "tend.customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from . import handover  # noqa: F401  (registers customers with the handover)
