from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.core.inputs import CalendarDateField, CalendarDateTimeField

from .models import Channel, Direction, PromiseKind


class PeriodForm(forms.Form):
    """A report's days, first and last included; empty: the default period."""

    start = CalendarDateField(label=_("From"), required=False)
    end = CalendarDateField(label=_("To"), required=False)


class InteractionForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.OUTBOUND
    )
    at = CalendarDateTimeField(
        label=_("When"), required=False, help_text=_("Empty for now, in your time zone.")
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)
    contacts = forms.ModelMultipleChoiceField(label=_("Contacts"), queryset=None, required=False)
    needs_answer = forms.BooleanField(label=_("Needs an answer"), required=False)
    promise_kind = forms.ChoiceField(
        label=_("Promise"),
        required=False,
        choices=[("", _("— no promise —")), *PromiseKind.choices],
    )
    promise_due = CalendarDateTimeField(label=_("Promise due"), required=False)
    promise_description = forms.CharField(
        label=_("Promise details"), max_length=300, required=False
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["contacts"].queryset = customer.contacts.all()

    def clean(self):
        data = super().clean()
        if data.get("promise_kind") and not data.get("promise_due"):
            self.add_error("promise_due", _("When is the promise due?"))
        if data.get("needs_answer") and data.get("direction") != Direction.INBOUND:
            self.add_error("needs_answer", _("Only an inbound message can need an answer."))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        promise = None
        if data.get("promise_kind"):
            promise = {
                "kind": data["promise_kind"],
                "due_at": data["promise_due"],
                "description": data.get("promise_description", ""),
                "contact": (data.get("contacts") or [None])[0],
            }
        return {
            "channel": data["channel"],
            "direction": data["direction"],
            "at": data.get("at") or timezone.now(),
            "subject": data.get("subject", ""),
            "summary": data.get("summary", ""),
            "contacts": list(data.get("contacts") or []),
            "needs_answer": data.get("needs_answer", False),
            "promise": promise,
        }
