from django.urls import path

from . import edit_views, views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("export/", views.order_export, name="export"),
    path("new/", edit_views.order_new, name="new"),
    path("customers/<int:pk>/new/", edit_views.order_create, name="create"),
    path("<int:pk>/edit/", edit_views.order_edit, name="edit"),
    path("<int:pk>/status/", edit_views.order_status, name="status"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/draft/", views.order_draft, name="draft"),
    path("<int:pk>/estimate/", views.order_estimate, name="estimate"),
    path("disruptions/", views.disruption_list, name="disruptions"),
    path("disruptions/<int:pk>/", views.disruption_detail, name="disruption"),
    path("customers/<int:pk>/samples/new/", views.sample_create, name="sample_create"),
    path("samples/report/", views.samples_report, name="samples_report"),
    path("<int:pk>/pdf/", views.order_pdf, name="pdf"),
]
