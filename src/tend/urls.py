from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from tend.agenda import views as agenda_views
from tend.api.api import api
from tend.core.views import favicon
from tend.market import views as market_views
from tend.ops.views import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="agenda:today"), name="home"),
    path("today/", include("tend.agenda.urls")),
    path("calendar/<str:token>.ics", agenda_views.calendar_feed, name="calendar_feed"),
    path("engagement/", include("tend.engagement.urls")),
    path("orders/", include("tend.orders.urls")),
    path("approvals/", include("tend.approvals.urls")),
    path("accounts/", include("tend.accounts.urls")),
    path("customers/", include("tend.customers.urls")),
    path("imports/", include("tend.imports.urls")),
    path("handover/", include("tend.handover.urls")),
    path("tasks/", include("tend.tasks.urls")),
    path("cases/", include("tend.cases.urls")),
    path("health/", include("tend.health.urls")),
    path("voice/", include("tend.voice.urls")),
    path("market/", include("tend.market.urls")),
    path("notice/<str:token>/", market_views.notice_acknowledge, name="notice_acknowledge"),
    path("reports/", include("tend.reports.urls")),
    path("capture/", include("tend.capture.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", favicon),
    path("healthz", healthz, name="healthz"),
]
