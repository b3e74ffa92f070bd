from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/decide/", views.request_decide, name="decide"),
    path("<int:pk>/withdraw/", views.request_withdraw, name="withdraw"),
    path("customers/<int:pk>/new/", views.request_new_for_customer, name="customer_new"),
    path("orders/<int:pk>/new/", views.request_new_for_order, name="order_new"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
]
