from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "tend.ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the nightly backup)
