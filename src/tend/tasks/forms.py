from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.core.inputs import CalendarDateField
from tend.customers.selectors import users_assignable_by

from .models import TaskKind


class TaskForm(forms.Form):
    """Add a task from the customer page: due on a day, by the end of that working day in the
    time zone of the person adding it."""

    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices, initial=TaskKind.CALL)
    title = forms.CharField(label=_("What to do"), max_length=200)
    due = CalendarDateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    assignee = forms.ModelChoiceField(label=_("For"), queryset=None, empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users_assignable_by(user=user)
        self.fields["assignee"].initial = user.pk
        self.fields["due"].initial = timezone.localdate() + timedelta(days=1)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        due_at = datetime.combine(
            data["due"], time(settings.TEND_WORKDAY_END), tzinfo=timezone.get_current_timezone()
        )
        return {
            "kind": data["kind"],
            "title": data["title"],
            "due_at": due_at,
            "assignee": data["assignee"],
        }
