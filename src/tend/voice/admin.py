from django.contrib import admin

from .models import Survey, SurveyAnswer, SurveyOptOut, SurveySend


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "active")
    list_filter = ("kind", "active")


@admin.register(SurveySend)
class SurveySendAdmin(admin.ModelAdmin):
    """Read-only: sends are made by ``survey_request`` (the throttle holds on every path)."""

    list_display = ("customer", "contact", "survey", "trigger", "created_at", "sent_at", "used_at")
    list_filter = ("trigger", "survey")
    list_select_related = ("customer", "contact", "survey")
    search_fields = ("customer__name", "contact__name", "contact__email")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(admin.ModelAdmin):
    list_display = ("customer", "kind", "score", "answered_at")
    list_filter = ("kind",)
    list_select_related = ("customer",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SurveyOptOut)
class SurveyOptOutAdmin(admin.ModelAdmin):
    list_display = ("contact", "at")
    list_select_related = ("contact",)

    def has_add_permission(self, request):
        return False
