from django.contrib import admin

from .models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """For looking things up; tasks are made and closed through the app so the timeline
    records every change."""

    list_display = ["title", "customer", "assignee", "kind", "status", "due_at", "origin"]
    list_filter = ["status", "kind", "origin"]
    search_fields = ["title", "customer__name", "dedupe_key"]
    date_hierarchy = "due_at"
    raw_id_fields = ["customer", "assignee", "closed_by", "created_by"]
    list_select_related = ["customer", "assignee"]
    readonly_fields = ["created_at", "closed_at", "closed_by", "created_by", "dedupe_key"]
