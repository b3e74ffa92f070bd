from django.urls import path

from . import views

app_name = "engagement"

urlpatterns = [
    path("customers/<int:pk>/interactions/", views.interaction_create, name="interaction_create"),
    path("customers/<int:pk>/touch/", views.quick_touch, name="quick_touch"),
    path("promises/<int:pk>/close/", views.promise_close, name="promise_close"),
    path("reliability/", views.reliability, name="reliability"),
]
