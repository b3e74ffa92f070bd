from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tend.demo"
    verbose_name = "Demo book"
