from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tend.customers.validators import validate_timezone

from .parsing.whatsapp import DATE_ORDERS


class SizedFileField(forms.FileField):
    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload is not None and upload.size > settings.TEND_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s; the most Tend takes at once is %(max)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(settings.TEND_MAX_UPLOAD_BYTES),
                }
            )
        return upload


class MailUploadForm(forms.Form):
    file = SizedFileField(
        label=_("Mail file"),
        help_text=_("One message (.eml) or a mailbox export (.mbox)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".eml,.mbox,.msg,.txt,message/rfc822"}),
    )


class ChatUploadForm(forms.Form):
    file = SizedFileField(
        label=_("WhatsApp export"),
        help_text=_("The .txt or .zip that WhatsApp's “Export chat” writes."),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.zip"}),
    )


ORDER_LABELS = {"dmy": _("day/month/year"), "mdy": _("month/day/year"), "ymd": _("year/month/day")}


class ChatConfirmForm(forms.Form):
    """The preview's choices. Participants' roles are posted as ``role_<n>`` fields."""

    date_order = forms.ChoiceField(
        label=_("Dates are written"), choices=[(o, ORDER_LABELS[o]) for o in DATE_ORDERS]
    )
    time_zone = forms.CharField(
        label=_("The phone's time zone"), max_length=64, validators=[validate_timezone]
    )


class FileForm(forms.Form):
    customer = forms.IntegerField(label=_("Customer"), min_value=1, max_value=2**31 - 1)
    add_contact = forms.BooleanField(label=_("Add the sender as a contact"), required=False)
