from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Mailbox


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password or app password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the stored one."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "owner",
            "address",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "sent_folder",
            "active",
        ]


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    """Mailboxes are saved through ``mailbox_save`` (encryption, UID reset on a new server)."""

    form = MailboxForm
    list_display = ["name", "address", "owner", "host", "active", "last_fetched_at", "last_error"]
    readonly_fields = ["last_uid", "uidvalidity", "last_fetched_at", "last_error"]
    actions = ["purge_mail"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = services.mailbox_save(
                by=request.user,
                mailbox=obj if change else None,
                **{key: data[key] for key in MailboxForm.Meta.fields},
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return
        obj.pk = saved.pk

    @admin.action(description=_("Purge the mail captured from these mailboxes"))
    def purge_mail(self, request, queryset):
        total = sum(services.mailbox_purge(by=request.user, mailbox=box) for box in queryset)
        messages.success(request, _("%(count)s captured messages purged.") % {"count": total})
