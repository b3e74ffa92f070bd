from django.contrib import admin

from .models import ApprovalPolicy, ApprovalThreshold


class ThresholdInline(admin.TabularInline):
    model = ApprovalThreshold
    extra = 1


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(admin.ModelAdmin):
    """Admins edit the policies; requests themselves are never edited here."""

    list_display = ["kind", "measure", "expiry_days"]
    inlines = [ThresholdInline]
