from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("load/", views.case_load, name="load"),
    path("lots/", views.lot_alerts, name="lots"),
    path("lots/<int:pk>/follow-up/", views.lot_follow_up, name="lot_follow_up"),
    path("customers/<int:pk>/new/", views.case_new, name="new"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<str:action>/<int:pk>/", views.case_action, name="action"),
]
