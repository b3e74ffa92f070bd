from django import forms
from django.utils.translation import gettext_lazy as _

from tend.core.inputs import CalendarDateField

from .models import Disruption, Product, Sample, UpdateChannel


class EstimateForm(forms.Form):
    new_date = CalendarDateField(
        label=_("New estimated ship date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Why"), max_length=300)


class OrderUpdateForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("To"), queryset=None, required=False)
    channel = forms.ChoiceField(label=_("How"), choices=UpdateChannel.choices)
    reason = forms.CharField(label=_("Reason for the delay"), max_length=300, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = order.customer.contacts.all()


class DisruptionForm(forms.ModelForm):
    products = forms.ModelMultipleChoiceField(
        label=_("Products"),
        queryset=Product.objects.filter(active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Disruption
        fields = ["kind", "title", "description", "starts_on", "ends_on", "products", "ports"]
        field_classes = {"starts_on": CalendarDateField, "ends_on": CalendarDateField}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        if not data.get("products") and not data.get("ports", "").strip():
            raise forms.ValidationError(_("Name the products or the ports it touches."))
        if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end is before the start."))
        return data


class ShiftForm(forms.Form):
    days = forms.IntegerField(
        label=_("Move by (days)"), required=False, min_value=-365, max_value=365
    )
    new_date = CalendarDateField(
        label=_("or set to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if (data.get("days") is None) == (data.get("new_date") is None):
            raise forms.ValidationError(_("Give either a number of days or a new date."))
        return data


class SampleForm(forms.ModelForm):
    products = forms.ModelMultipleChoiceField(label=_("Products"), queryset=Product.objects.all())

    class Meta:
        model = Sample
        fields = [
            "contact",
            "products",
            "quantity",
            "sent_on",
            "courier",
            "tracking_number",
            "is_free",
            "fee",
            "fee_currency",
            "fee_status",
            "cost",
            "follow_up_on",
        ]
        field_classes = {"sent_on": CalendarDateField, "follow_up_on": CalendarDateField}
        widgets = {
            "sent_on": forms.DateInput(attrs={"type": "date"}),
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = customer.contacts.all()
