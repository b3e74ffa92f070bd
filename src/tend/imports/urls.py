from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("customers/", views.customer_import, name="customers"),
    path("customers/errors.csv", views.customer_import_errors, name="customer_errors"),
    path("orders/", views.order_import, name="orders"),
    path("orders/errors.csv", views.order_import_errors, name="order_errors"),
    path("runs/<int:pk>/", views.import_run_progress, name="run"),
]
