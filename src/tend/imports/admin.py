from django.contrib import admin

from .models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Uploads checked or imported by the worker: to see what ran, by whom, and how it ended."""

    list_display = ["created_at", "what", "file_name", "by", "commit", "state", "rows_done"]
    list_filter = ["what", "state", "commit"]
    readonly_fields = [field.name for field in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
