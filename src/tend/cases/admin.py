"""Admins edit the SLA policies; cases are read here, changed only through the services (an
owner moves by hand-off, a refund closes after approval), so the case admin is read-only."""

from django.contrib import admin

from .models import Case, LotAlert, SlaPolicy


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["tier", "severity", "response_hours", "resolution_hours"]
    list_editable = ["response_hours", "resolution_hours"]
    list_filter = ["tier"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ["id", "title", "customer", "owner", "status", "handoffs", "sla_used_pct"]
    list_filter = ["status", "category", "severity"]
    search_fields = ["title", "customer__name"]
    list_select_related = ["customer", "owner"]


@admin.register(LotAlert)
class LotAlertAdmin(ReadOnly):
    list_display = ["lot", "product", "complaints", "units", "p_value", "followed_up_at"]
