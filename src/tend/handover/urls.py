from django.urls import path

from . import views

app_name = "handover"

urlpatterns = [
    path("", views.handover_index, name="index"),
    path("<int:user_id>/", views.handover_person, name="person"),
]
