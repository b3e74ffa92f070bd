from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import CompanyProfile

LOGO_MAX_BYTES = 512 * 1024


class CompanyProfileForm(forms.ModelForm):
    logo_file = forms.ImageField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or JPEG, up to 512 KB; printed at the top left of the order PDF."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = CompanyProfile
        fields = ["name", "address", "phone", "email", "bank_details"]

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if upload is None:
            return None
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo is larger than 512 KB."))
        if upload.image.format not in {"PNG", "JPEG"}:
            raise forms.ValidationError(_("The logo must be a PNG or JPEG image."))
        return upload

    def save(self, commit=True):
        profile = super().save(commit=False)
        upload = self.cleaned_data.get("logo_file")
        if upload is not None:
            upload.seek(0)
            profile.logo = upload.read()
            profile.logo_type = upload.content_type or ""
        elif self.cleaned_data.get("remove_logo"):
            profile.logo, profile.logo_type = b"", ""
        if commit:
            profile.save()
        return profile


@admin.register(CompanyProfile)
class CompanyProfileAdmin(admin.ModelAdmin):
    """One profile: "add" only while none exists, never deleted."""

    form = CompanyProfileForm
    list_display = ["name", "email", "updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not CompanyProfile.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
