from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html
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

    def save_model(self, request, obj, form, change):
        """Deactivating here moves nothing: say so, and link to the handover of what they hold."""
        super().save_model(request, obj, form, change)
        if obj.is_active:
            return
        from tend.handover.selectors import person_for_handover

        if person_for_handover(user=request.user, pk=obj.pk) is not None:
            messages.warning(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("%(name)s is deactivated but still holds customers, promises or tasks.")
                    % {"name": obj},
                    reverse("handover:person", args=[obj.pk]),
                    _("Hand them over"),
                ),
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "key_hash", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
