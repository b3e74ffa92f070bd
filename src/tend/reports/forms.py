"""The report's filters: which 12 months (the month they end with), team, tier, country, and
the cohort grain. Bad values are a 400 naming the field."""

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import Team
from tend.core import reference
from tend.customers.models import Tier

from .registry import GRAINS, ReportFilters

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def last_complete_month(today: date | None = None) -> date:
    """The first day of the month before this one (in the user's zone)."""
    today = today or timezone.localdate()
    return date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)


class ReportFilterForm(forms.Form):
    end = forms.CharField(label=gettext_lazy("12 months ending"), required=False, max_length=7)
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    tier = forms.ChoiceField(
        label=gettext_lazy("Tier"),
        required=False,
        choices=[("", gettext_lazy("All tiers")), *Tier.choices],
    )
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    grain = forms.ChoiceField(
        label=gettext_lazy("Cohorts by"),
        required=False,
        choices=[("quarter", gettext_lazy("Quarter")), ("month", gettext_lazy("Month"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_admin:
            teams = [(str(team.pk), team.name) for team in Team.objects.order_by("name")]
        elif user.is_manager and user.team_id:
            teams = [(str(user.team_id), str(user.team))]
        else:
            teams = []
        self.fields["team"].choices = [("", _("All teams")), *teams]
        self.fields["country"].choices = [("", _("All countries")), *reference.country_choices()]

    def clean_end(self) -> date | None:
        text = self.cleaned_data.get("end") or ""
        if not text:
            return None
        match = MONTH.match(text)
        if not match or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 2999:
            raise forms.ValidationError(_("Give a month as YYYY-MM, e.g. 2026-11."))
        return date(int(match[1]), int(match[2]), 1)

    def filters(self) -> ReportFilters:
        data = self.cleaned_data if self.is_valid() else {}
        team = data.get("team") or ""
        grain = data.get("grain") or "quarter"
        return ReportFilters(
            end=data.get("end") or last_complete_month(),
            team=int(team) if team.isdigit() else None,
            tier=data.get("tier") or "",
            country=data.get("country") or "",
            grain=grain if grain in GRAINS else "quarter",
        )
