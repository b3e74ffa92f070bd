from django.contrib import admin

from .models import PeriodicJobRun


@admin.register(PeriodicJobRun)
class PeriodicJobRunAdmin(admin.ModelAdmin):
    list_display = ["name", "next_run_at", "last_started_at", "last_finished_at", "last_result"]
    readonly_fields = ["name", "last_started_at", "last_finished_at", "last_result", "last_error"]

    def has_add_permission(self, request) -> bool:
        return False  # rows appear when a worker first sees a registered job
