from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("lookup/", views.customer_lookup, name="lookup"),
    path("export/", views.customer_export, name="export"),
    path("bulk/", views.customer_bulk_update, name="bulk"),
    path("single-threaded/", views.single_threaded, name="single_threaded"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/delete/", views.customer_delete, name="delete"),
    path("<int:pk>/timeline/", views.customer_timeline, name="timeline"),
    path("<int:pk>/panels/<slug:slug>/", views.customer_panel, name="panel"),
    path("<int:pk>/claim/", views.customer_claim, name="claim"),
    path("<int:pk>/release/", views.customer_release, name="release"),
    path("<int:pk>/assign/", views.customer_assign, name="assign"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
]
