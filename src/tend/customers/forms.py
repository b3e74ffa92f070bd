import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tend.accounts.models import User
from tend.core import reference
from tend.core.widgets import QuickSelect
from tend.health.causes import LostReason

from . import selectors
from .models import Contact, Customer, CustomerStatus, CustomerType, Territory, Tier

CUSTOMER_FORM_FIELDS = [
    "name",
    "local_name",
    "external_id",
    "country",
    "city",
    "time_zone",
    "type",
    "territory",
    "tier",
    "status",
    "owner",
    "backup_owner",
    "source",
    "currency",
    "incoterm",
    "payment_terms",
    "credit_limit",
    "cadence_days",
    "notes",
]


class CustomerForm(forms.ModelForm):
    """The customer file form. Owner choices are limited to whom this user may assign; the
    service checks the same rule again for every other entry point."""

    country = forms.ChoiceField(label=_("Country"))
    currency = forms.ChoiceField(label=_("Default currency"), initial="USD")
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Leave on automatic to derive it from country and city."),
    )
    tags_text = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    lost_reason = forms.ChoiceField(
        label=_("Lost reason"),
        required=False,
        help_text=_("Needed when the status becomes Lost: the lost report counts it."),
    )
    referred_by_text = forms.CharField(
        label=_("Referred by"),
        required=False,
        help_text=_("Start typing a customer's name and pick it from the list."),
    )

    class Meta:
        model = Customer
        fields = CUSTOMER_FORM_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["country"].choices = [("", "---------"), *reference.country_choices()]
        self.fields["currency"].choices = reference.currency_choices()
        self.fields["time_zone"].choices = [
            ("", _("Automatic (from country and city)")),
            *[(zone, zone) for zone in sorted(reference.timezone_names())],
        ]
        assignable = selectors.users_assignable_by(user=user)
        if self.instance.pk:
            current = [self.instance.owner_id, self.instance.backup_owner_id]
            assignable = assignable | User.objects.filter(pk__in=[pk for pk in current if pk])
        self.fields["owner"].queryset = assignable
        self.fields["owner"].empty_label = _("— Pool (no owner) —")
        self.fields["backup_owner"].queryset = assignable
        self.fields["territory"].queryset = Territory.objects.all()
        self.fields["lost_reason"].choices = [("", "---------"), *LostReason.choices]
        instance = self.instance
        if instance.pk:
            self.initial["time_zone"] = instance.time_zone if instance.time_zone_overridden else ""
            self.initial["tags_text"] = ", ".join(tag.name for tag in instance.tags.all())
            if instance.referred_by is not None:
                self.initial["referred_by_text"] = referral_label(instance.referred_by)
            for name in Customer.GUARDED_FIELDS:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Changes by an approved request.")
            if user.is_rep:
                self.fields["owner"].disabled = True
                self.fields["owner"].help_text = _("A manager reassigns customers.")
        elif user.is_rep:
            self.initial.setdefault("owner", user.pk)

    def clean_tags_text(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["tags_text"].split(",") if tag.strip()]

    def clean_referred_by_text(self):
        text = self.cleaned_data["referred_by_text"].strip()
        if not text:
            return None
        visible = selectors.customers_visible_to(user=self.user)
        match = re.search(r"#(\d+)\)?\s*$", text)
        found = (
            visible.filter(pk=int(match.group(1))).first()
            if match
            else visible.filter(name__iexact=text).first()
        )
        if found is None:
            raise forms.ValidationError(_("No customer called “%(text)s”.") % {"text": text})
        return found

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in CUSTOMER_FORM_FIELDS}
        fields["referred_by"] = self.cleaned_data["referred_by_text"]
        fields["lost_reason"] = self.cleaned_data["lost_reason"]
        for name, field in self.fields.items():
            if field.disabled:
                fields.pop(name, None)
        return fields


def referral_label(customer: Customer) -> str:
    return f"{customer.name} (#{customer.pk})"


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = list(Contact.AUDITED_FIELDS)


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=QuickSelect)
    tier = forms.ChoiceField(
        label=_("Tier"), required=False, choices=[("", _("All tiers")), *Tier.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *CustomerStatus.choices],
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *CustomerType.choices]
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    tag = forms.CharField(label=_("Tag"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("name", _("Name A–Z")),
            ("-name", _("Name Z–A")),
            ("country", _("Country")),
            ("tier", _("Tier")),
            ("-created", _("Newest first")),
            ("created", _("Oldest first")),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *reference.country_choices()]
        owners = [(str(u.pk), str(u)) for u in selectors.users_assignable_by(user=user)]
        self.fields["owner"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("pool", _("Pool (no owner)")),
            *owners,
        ]

    def filters(self) -> selectors.CustomerFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.CustomerFilters(
            **{
                name: (data.get(name) or "")
                for name in ("q", "country", "tier", "status", "type", "owner", "tag")
            },
            sort=data.get("sort") or selectors.DEFAULT_SORT,
        )
