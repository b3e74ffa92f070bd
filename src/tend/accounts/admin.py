from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .forms import ThrottledAdminAuthenticationForm
from .models import ApiToken, Team, User

# /admin/login/ goes through the same throttle (the backend) and says so the same way.
admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "team", "is_active"]
    list_filter = ["role", "team", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Tend"), {"fields": ("role", "team", "time_zone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Tend"), {"fields": ("role", "team")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "key_hash", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
