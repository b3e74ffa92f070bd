"""Customers at risk on the pages: the ranked list with its filters, summary and export. Thin:
validate the filters, call the selectors, render."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import Team
from tend.core import reference
from tend.core.exports import export_response, unknown_format
from tend.core.widgets import QuickSelect
from tend.customers.models import Tier
from tend.customers.selectors import users_assignable_by

from .causes import Cause, RiskLevel
from .selectors import risk as selectors

PANEL = "health/_customer_health.html"
# What a row of the page shows: the customer and owner rows are wide, and 50 of each were read
# and built whole.
ROW_COLUMNS = (
    "customer_id",
    "day",
    "risk",
    "level",
    "cause",
    "value_at_risk",
    "annual_value",
    "reasons",
    "customer__name",
    "customer__country",
    "customer__tier",
    "customer__owner_id",
    "customer__owner__username",
    "customer__owner__first_name",
    "customer__owner__last_name",
)

LEVEL_CHOICES = [
    ("", gettext_lazy("High and medium")),
    (RiskLevel.HIGH.value, gettext_lazy("High")),
    (RiskLevel.MEDIUM.value, gettext_lazy("Medium")),
    (RiskLevel.LOW.value, gettext_lazy("Low")),
    ("all", gettext_lazy("Every level")),
]


def levels_from(value: str) -> tuple[str, ...]:
    """The level filter as the page and the API take it: empty means high and medium."""
    if not value:
        return selectors.AT_RISK_LEVELS
    if value == "all":
        return ()
    return (value,)


class AtRiskFilterForm(forms.Form):
    # QuickSelect: Django's Select renders each option through a template, 300 per page here.
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False, widget=QuickSelect)
    owner = forms.ChoiceField(label=gettext_lazy("Owner"), required=False, widget=QuickSelect)
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False, widget=QuickSelect)
    tier = forms.ChoiceField(
        label=gettext_lazy("Tier"),
        required=False,
        choices=[("", gettext_lazy("All tiers")), *Tier.choices],
        widget=QuickSelect,
    )
    cause = forms.ChoiceField(
        label=gettext_lazy("Main cause"),
        required=False,
        choices=[("", gettext_lazy("All causes")), *Cause.choices],
        widget=QuickSelect,
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Risk level"), required=False, choices=LEVEL_CHOICES, widget=QuickSelect
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_admin:
            teams = [(str(team.pk), team.name) for team in Team.objects.order_by("name")]
        elif user.team_id:
            teams = [(str(user.team_id), str(user.team))]
        else:
            teams = []
        self.fields["team"].choices = [("", _("All teams")), *teams]
        self.fields["owner"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("pool", _("Pool (no owner)")),
            *((str(person.pk), str(person)) for person in users_assignable_by(user=user)),
        ]
        self.fields["country"].choices = [("", _("All countries")), *reference.country_choices()]

    def filters(self) -> selectors.AtRiskFilters:
        data = self.cleaned_data if self.is_valid() else {}
        team = data.get("team") or ""
        return selectors.AtRiskFilters(
            team=int(team) if team.isdigit() else None,
            owner=data.get("owner") or "",
            country=data.get("country") or "",
            tier=data.get("tier") or "",
            cause=data.get("cause") or "",
            levels=levels_from(data.get("level") or ""),
        )


@login_required
def at_risk(request):
    """Customers at risk on the latest scored day, ranked by value at risk."""
    form = AtRiskFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    day = selectors.latest_score_day()
    run = selectors.latest_score_run() if day else None
    summary = selectors.at_risk_summary(user=request.user, filters=filters, day=day)
    rows = selectors.at_risk_list(user=request.user, filters=filters, day=day).only(*ROW_COLUMNS)
    paginator = Paginator(rows, settings.TEND_PAGE_SIZE)
    paginator.count = summary.count  # counted by the summary's aggregate: no second count
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "health/at_risk.html",
        {
            "form": form,
            "day": day,
            "run": run,
            "summary": summary,
            "page": page,
            "query": query.urlencode(),
            "currency": settings.TEND_BASE_CURRENCY,
        },
    )


@login_required
def at_risk_export(request):
    """The list as filtered, every row, in CSV or Excel."""
    fmt = request.GET.get("format", "csv")
    if refused := unknown_format(fmt):
        return refused
    filters = AtRiskFilterForm(request.GET or None, user=request.user).filters()
    day = selectors.latest_score_day()
    return export_response(
        filename=f"at-risk-{day or 'not-scored'}",
        fmt=fmt,
        headers=selectors.EXPORT_HEADERS,
        rows=selectors.at_risk_export_rows(
            user=request.user, filters=filters, currency=settings.TEND_BASE_CURRENCY
        ),
    )
