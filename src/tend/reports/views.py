"""The report pages: every section with its chart, caption, sample and table; a section's chart
as SVG; its table as CSV or Excel; the customers behind a figure; the whole report as a PDF.
Thin: validate the filters, ask the registry, render."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tend.core.exports import export_response, unknown_format
from tend.core.inputs import parameter_refused

from . import charts, registry
from .forms import ReportFilterForm
from .pdf import report_pdf


def _filters(request):
    """The filters, or the 400 naming the first bad one."""
    form = ReportFilterForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        return form, None, parameter_refused(request, name, errors[0])
    return form, form.filters(), None


def _section(request, key: str) -> registry.ReportSection:
    section = registry.section(key)
    if section is None or not section.shown_to(request.user):
        raise Http404
    return section


def _query(filters: registry.ReportFilters) -> str:
    return urlencode(filters.query())


@login_required
def report(request):
    """Every section the person may see, for the chosen 12 months."""
    form, filters, refused = _filters(request)
    if refused:
        return refused
    results = [
        (section, section.compute(filters, request.user))
        for section in registry.sections(request.user)
    ]
    return render(
        request,
        "reports/report.html",
        {"form": form, "filters": filters, "results": results, "query": _query(filters)},
    )


@login_required
def chart(request, key: str):
    """One section's chart as SVG (an <img> on the page)."""
    section = _section(request, key)
    _form, filters, refused = _filters(request)
    if refused:
        return refused
    result = section.compute(filters, request.user)
    if result.chart is None:
        raise Http404
    response = HttpResponse(charts.svg(result.chart), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def export(request, key: str):
    """One section's table, as shown, in CSV or Excel."""
    section = _section(request, key)
    fmt = request.GET.get("format", "csv")
    if refused := unknown_format(fmt):
        return refused
    _form, filters, refused = _filters(request)
    if refused:
        return refused
    result = section.compute(filters, request.user)
    return export_response(
        filename=f"{section.key}-{filters.end:%Y-%m}",
        fmt=fmt,
        headers=[str(header) for header in result.table.headers],
        rows=result.table.plain_rows(),
    )


def _drill_customers(request, key: str):
    section = _section(request, key)
    _form, filters, refused = _filters(request)
    if refused:
        return section, None, None, refused
    drill = request.GET.get("drill", "")
    customers = section.customers(filters, request.user, drill) if section.customers else None
    if customers is None or len(drill) > 40:
        return section, None, None, parameter_refused(request, "drill", _("Unknown figure."))
    return section, filters, customers.select_related("owner").order_by("name", "pk"), None


CUSTOMER_HEADERS = ["Customer", "Country", "Tier", "Status", "Owner"]


@login_required
def customers(request, key: str):
    """The customers behind one figure of a section."""
    section, filters, queryset, refused = _drill_customers(request, key)
    if refused:
        return refused
    fmt = request.GET.get("format")
    if fmt:
        if bad := unknown_format(fmt):
            return bad
        return export_response(
            filename=f"{section.key}-customers",
            fmt=fmt,
            headers=CUSTOMER_HEADERS,
            rows=(
                [c.name, c.country, c.tier, c.get_status_display(), str(c.owner or "")]
                for c in queryset.iterator(chunk_size=2000)
            ),
        )
    page = Paginator(queryset, settings.TEND_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "reports/customers.html",
        {
            "section": section,
            "page": page,
            "query": query.urlencode(),
            "drill": request.GET.get("drill"),
        },
    )


@login_required
def pdf(request):
    """The whole report as a PDF: the monthly report, for these filters."""
    _form, filters, refused = _filters(request)
    if refused:
        return refused
    response = HttpResponse(
        report_pdf(user=request.user, filters=filters), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="tend-report-{filters.end:%Y-%m}.pdf"'
    return response
