from django import forms
from django.utils.translation import gettext_lazy as _

from tend.core import reference
from tend.core.decimals import MONEY, PERCENT, UNIT_PRICE
from tend.core.inputs import CalendarDateField
from tend.orders.models import Product

from .models import (
    ChannelAction,
    LeadOutcome,
    NoticeKind,
    SaleKind,
    Sentiment,
)


def _countries():
    return [("", "—"), *sorted(reference.country_names().items(), key=lambda kv: str(kv[1]))]


class PotentialForm(forms.Form):
    potential = MONEY.form_field(label=_("Potential (yearly, base currency)"), required=False)


class TierFloorForm(forms.Form):
    tier = forms.ChoiceField(choices=[("A", "A"), ("B", "B"), ("C", "C")])
    cadence_days = forms.IntegerField(label=_("Touch every (days)"), min_value=1, max_value=366)


class MarketCheckForm(forms.Form):
    """Phone-friendly: few fields, the photo straight from the camera."""

    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    province = forms.CharField(label=_("Province / state"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    shop = forms.CharField(label=_("Shop"), max_length=200)
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(active=True).order_by("sku")
    )
    lot_code = forms.CharField(label=_("Lot code"), max_length=60)
    price = UNIT_PRICE.form_field(label=_("Shelf price"), required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    checked_on = CalendarDateField(
        label=_("Seen on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClassifyForm(forms.Form):
    sale_kind = forms.ChoiceField(
        label=_("The sale was"),
        choices=[
            (SaleKind.ACTIVE, SaleKind.ACTIVE.label),
            (SaleKind.PASSIVE, SaleKind.PASSIVE.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    dismiss = forms.BooleanField(label=_("Dismiss the alert (nothing to pursue)"), required=False)


class ActionForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=ChannelAction.choices)
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))


class TerritoryAreaForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=_countries)
    province = forms.CharField(label=_("Province / state"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)


class TerritoryRightForm(forms.Form):
    dealer = forms.IntegerField(label=_("Dealer (customer id)"), min_value=1, max_value=2**63 - 1)
    territory = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    product_line = forms.CharField(label=_("Product line"), max_length=100, required=False)
    exclusive = forms.BooleanField(label=_("Exclusive"), required=False)
    valid_from = CalendarDateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = CalendarDateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoticeKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("What changes"), widget=forms.Textarea(attrs={"rows": 4}))
    product_line = forms.CharField(label=_("Product line"), max_length=100, required=False)
    change_pct = PERCENT.form_field(label=_("Price change %"), required=False)
    effective_date = CalendarDateField(
        label=_("Takes effect on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notice_days = forms.IntegerField(
        label=_("Contractual notice (days)"), min_value=0, max_value=730
    )
    acknowledge_by = CalendarDateField(
        label=_("Acknowledge by"), widget=forms.DateInput(attrs={"type": "date"})
    )


class NoticeSendForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Tell"),
        choices=[
            ("dealers", _("All dealers and distributors I can see")),
            ("tier_a", _("All tier A customers I can see")),
            ("chosen", _("The customers chosen below")),
        ],
    )
    customers = forms.CharField(
        label=_("Customer ids (comma separated)"), required=False, max_length=5000
    )


class ReferralForm(forms.Form):
    referred = forms.IntegerField(
        label=_("Customer they referred (id)"), min_value=1, max_value=2**63 - 1
    )
    on = CalendarDateField(label=_("On"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class BusinessPassedForm(forms.Form):
    lead = forms.CharField(label=_("Lead (who)"), max_length=200)
    description = forms.CharField(
        label=_("What"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    value = MONEY.form_field(label=_("Estimated value"), required=False)
    passed_on = CalendarDateField(
        label=_("Passed on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class LeadOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[c for c in LeadOutcome.choices if c[0] != LeadOutcome.OPEN]
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MentionForm(forms.Form):
    url = forms.URLField(label=_("Link"), max_length=500, assume_scheme="https")
    where = forms.CharField(label=_("Where"), max_length=100, required=False)
    sentiment = forms.ChoiceField(label=_("Sentiment"), choices=Sentiment.choices)
    summary = forms.CharField(label=_("What it says"), max_length=300)
    seen_on = CalendarDateField(label=_("Seen on"), widget=forms.DateInput(attrs={"type": "date"}))
