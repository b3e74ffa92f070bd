from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .columns import CONTACT_SLOTS, CONTACT_TARGETS, CUSTOMER_TARGETS, TARGETS
from .files import file_kind


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "Excel (.xlsx) or CSV in UTF-8 or GBK, at most 50 MB. The first row holds "
            "the column headers, in English or Chinese."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.tsv,.txt"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.TEND_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _(
                    "This file is %(size)s; the most Tend takes at once is %(max)s. Split it into "
                    "several files, or have an admin run “tend import customers” on the server."
                )
                % {
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(settings.TEND_MAX_UPLOAD_BYTES),
                }
            )
        if file_kind(upload.name) is None:
            raise forms.ValidationError(
                _("Only Excel .xlsx and .csv files can be imported (old .xls: save as .xlsx).")
            )
        return upload


def target_choices() -> list:
    groups = [
        ("", _("— ignore this column —")),
        (_("Customer"), [(t.key, t.label) for t in CUSTOMER_TARGETS]),
    ]
    for slot in range(1, CONTACT_SLOTS + 1):
        label = _("First contact") if slot == 1 else _("Contact %(n)s") % {"n": slot}
        groups.append((label, [(t.key, t.label) for t in CONTACT_TARGETS if t.slot == slot]))
    return groups


class MappingForm(forms.Form):
    """One select per column of the file: which field it fills."""

    def __init__(
        self,
        *args,
        headers: list[str],
        mapping: list[str | None],
        choices: list | None = None,
        keys=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.keys = TARGETS if keys is None else keys
        choices = target_choices() if choices is None else choices
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header or _("(no header)"),
                choices=choices,
                required=False,
                initial=mapping[index] if index < len(mapping) else "",
            )

    def mapping(self) -> list[str | None]:
        data = self.cleaned_data if self.is_valid() else {}
        return [
            data.get(f"col_{index}") if data.get(f"col_{index}") in self.keys else None
            for index in range(len(self.headers))
        ]

    def columns(self):
        return [(self.headers[index], self[f"col_{index}"]) for index in range(len(self.headers))]


def order_target_choices() -> list:
    from .orders import ORDER_TARGETS

    return [("", _("— ignore this column —")), *[(t.key, t.label) for t in ORDER_TARGETS]]
