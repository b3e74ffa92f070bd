from django.urls import path

from . import views

app_name = "market"

urlpatterns = [
    path("tiers/", views.tiers_page, name="tiers"),
    path("tiers/apply/", views.tiers_apply, name="tiers_apply"),
    path("tiers/floor/", views.tier_floor_set, name="tier_floor"),
    path("customers/<int:pk>/potential/", views.potential_set, name="potential"),
    path("customers/<int:pk>/market/", views.customer_market_post, name="customer_post"),
    path("territories/", views.territories_page, name="territories"),
    path("checks/", views.checks_page, name="checks"),
    path("checks/new/", views.check_new, name="check_new"),
    path("checks/<int:pk>/", views.check_detail, name="check"),
    path("checks/<int:pk>/photo/", views.check_photo, name="check_photo"),
    path("alerts/", views.alerts_page, name="alerts"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("notices/", views.notices_page, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/old-prices/", views.old_prices_page, name="old_prices"),
    path("referrals/", views.referrals_page, name="referrals"),
]
