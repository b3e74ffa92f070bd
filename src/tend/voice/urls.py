from django.urls import path

from . import views

app_name = "voice"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("imbalance/", views.imbalance, name="imbalance"),
    path("ask/", views.ask, name="ask"),
    path("a/<str:token>/", views.answer, name="answer"),
    path("a/<str:token>/opt-out/", views.opt_out, name="opt_out"),
]
