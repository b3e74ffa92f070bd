from django.contrib import admin

from .models import HealthSnapshot, PlaybookRule, PlaybookStep, ScoreRun


class PlaybookStepInline(admin.TabularInline):
    model = PlaybookStep
    extra = 1
    fields = ["kind", "assignee", "due_in_days", "title"]


@admin.register(PlaybookRule)
class PlaybookRuleAdmin(admin.ModelAdmin):
    """Admins tune how a risk turns into tasks: the cause (or one signal), from which level, for
    which tiers, how often, and the tasks each step opens. The next scoring uses them."""

    list_display = [
        "name",
        "cause",
        "signal",
        "min_level",
        "tiers",
        "cooldown_days",
        "per_owner",
        "active",
    ]
    list_filter = ["active", "cause", "min_level"]
    list_editable = ["active"]
    search_fields = ["name", "signal"]
    inlines = [PlaybookStepInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the scoring only: to look things up, never to edit."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HealthSnapshot)
class HealthSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["customer", "day", "level", "risk", "cause", "value_at_risk", "annual_value"]
    list_filter = ["level", "cause", "day"]
    search_fields = ["customer__name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]
    ordering = ["-day", "-value_at_risk"]
    show_full_result_count = False


@admin.register(ScoreRun)
class ScoreRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "started_at", "finished_at", "customers"]
    date_hierarchy = "day"
