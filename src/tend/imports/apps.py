from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "tend.imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the recovery of runs whose worker died)
