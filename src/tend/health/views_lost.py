"""Lost customers on the pages: the customer page's panel (mark as lost, the record), and the
"Lost and won back" report with its export. Thin: validate, call the service or selector,
render."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tend.accounts.models import Team
from tend.core import reference
from tend.core.exports import export_response, unknown_format
from tend.core.inputs import CalendarDateField, parameter_refused
from tend.core.widgets import QuickSelect
from tend.customers.panels import CustomerPanel
from tend.customers.panels import register_panel as register_customer_panel
from tend.customers.selectors import customer_get_for_user, users_assignable_by

from .causes import LostReason
from .models import LostRecord
from .selectors import lost as selectors
from .services import lost as services

PANEL = "health/_customer_lost.html"


def register_panel() -> None:
    """Put the lost panel on the customer page (once, from HealthConfig.ready)."""
    # Eager: it is empty for most customers, and a placeholder would promise something.
    register_customer_panel(CustomerPanel("lost", PANEL, gettext_lazy("Lost customer"), eager=True))


class MarkLostForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Why"), choices=LostReason.choices)
    competitor = forms.CharField(
        label=gettext_lazy("Went to (competitor)"),
        required=False,
        max_length=LostRecord._meta.get_field("competitor").max_length,
    )
    note = forms.CharField(
        label=gettext_lazy("What happened"), required=False, widget=forms.Textarea
    )
    win_back_on = CalendarDateField(
        label=gettext_lazy("Try to win back on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class LostFilterForm(forms.Form):
    start = CalendarDateField(label=gettext_lazy("From"), required=False)
    end = CalendarDateField(label=gettext_lazy("To"), required=False)
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    owner = forms.ChoiceField(label=gettext_lazy("Owner"), required=False)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        required=False,
        choices=[("", gettext_lazy("All reasons")), *LostReason.choices],
    )
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False, widget=QuickSelect)

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
            ("pool", _("Pool (no owner)")),
            *((str(person.pk), str(person)) for person in users_assignable_by(user=user)),
        ]
        self.fields["country"].choices = [("", _("All countries")), *reference.country_choices()]

    def filters(self) -> selectors.LostFilters:
        data = self.cleaned_data if self.is_valid() else {}
        default_start, default_end = selectors.default_period()
        start = data.get("start") or default_start
        end = data.get("end") or default_end
        if start > end:
            start, end = end, start
        team = data.get("team") or ""
        return selectors.LostFilters(
            start=start,
            end=end,
            team=int(team) if team.isdigit() else None,
            owner=data.get("owner") or "",
            reason=data.get("reason") or "",
            country=data.get("country") or "",
        )


@login_required
def lost_report(request):
    """Lost and won back in a period: by reason, counted and valued; the list of lost customers."""
    form = LostFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    report = selectors.lost_report(user=request.user, filters=filters)
    page = Paginator(
        selectors.lost_list(user=request.user, filters=filters), settings.TEND_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "health/lost.html",
        {
            "form": form,
            "filters": filters,
            "report": report,
            "page": page,
            "query": query.urlencode(),
            "currency": settings.TEND_BASE_CURRENCY,
        },
        status=400 if form.errors else 200,
    )


@login_required
def lost_export(request):
    """The report's list as filtered, every row, in CSV or Excel."""
    fmt = request.GET.get("format", "csv")
    if refused := unknown_format(fmt):
        return refused
    form = LostFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    if form.errors:
        name, errors = next(iter(form.errors.items()))
        return parameter_refused(request, name, errors[0])
    return export_response(
        filename=f"lost-customers-{filters.start}-{filters.end}",
        fmt=fmt,
        headers=selectors.EXPORT_HEADERS,
        rows=selectors.lost_export_rows(user=request.user, filters=filters),
    )


@login_required
@require_POST
def customer_mark_lost(request, pk: int):
    """The panel's form: on success the page reloads (status, timeline and tasks change with
    it); otherwise the panel comes back with the errors."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    form = MarkLostForm(request.POST)
    if form.is_valid():
        try:
            services.mark_lost(customer, by=request.user, **form.cleaned_data)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, field_messages in errors.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            messages.success(request, _("%(name)s is marked lost.") % {"name": customer.name})
            if request.headers.get("HX-Request") == "true":
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
            return redirect(customer)
    # 200, not 422: htmx swaps only successful responses.
    return render(request, PANEL, {"customer": customer, "lost_form": form})
