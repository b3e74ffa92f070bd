from django.urls import path

from . import views_lost, views_risk

app_name = "health"

urlpatterns = [
    path("lost/", views_lost.lost_report, name="lost"),
    path("lost/export/", views_lost.lost_export, name="lost_export"),
    path("customers/<int:pk>/lost/", views_lost.customer_mark_lost, name="customer_mark_lost"),
    path("at-risk/", views_risk.at_risk, name="at_risk"),
    path("at-risk/export/", views_risk.at_risk_export, name="at_risk_export"),
]
