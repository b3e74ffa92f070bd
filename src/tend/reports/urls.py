from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report, name="report"),
    path("report.pdf", views.pdf, name="pdf"),
    path("<slug:key>/chart.svg", views.chart, name="chart"),
    path("<slug:key>/export/", views.export, name="export"),
    path("<slug:key>/customers/", views.customers, name="customers"),
]
