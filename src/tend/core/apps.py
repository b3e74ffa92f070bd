from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tend.core"
    verbose_name = "Tend"

    def ready(self) -> None:
        from . import jobs  # noqa: F401  (registers the periodic job)
