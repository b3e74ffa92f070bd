from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tend.api"
    verbose_name = "API"
