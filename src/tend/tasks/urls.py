from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("customers/<int:pk>/new/", views.task_create, name="create"),
    path("<int:pk>/done/", views.task_complete, name="complete"),
    path("<int:pk>/cancel/", views.task_cancel, name="cancel"),
]
