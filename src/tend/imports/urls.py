from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("customers/", views.customer_import, name="customers"),
    path("customers/errors.csv", views.customer_import_errors, name="customer_errors"),
]
