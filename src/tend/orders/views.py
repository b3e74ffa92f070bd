"""Order pages: the order with its dates and updates, disruptions, samples."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tend.core.exports import export_response, unknown_format
from tend.core.inputs import not_an_id_message, parameter_refused, parse_ids
from tend.customers.selectors import customer_get_for_user

from . import selectors, services
from .forms import (
    DisruptionForm,
    EstimateForm,
    OrderFilterForm,
    OrderUpdateForm,
    SampleForm,
    ShiftForm,
)
from .models import Disruption


def _add_errors(form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, field_messages in errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _list_filters(request) -> tuple[OrderFilterForm, selectors.OrderFilters, object]:
    """The list's filters from the query string; a customer the user may not see is a 404."""
    form = OrderFilterForm(request.GET or None)
    filters = form.filters()
    customer = None
    if filters.customer is not None:
        customer = customer_get_for_user(user=request.user, pk=filters.customer)
    return form, filters, customer


# Apps add panels to the order page (e.g. the market's old-price flag) by appending a template.
ORDER_PANELS: list[str] = []


@login_required
def order_list(request):
    form, filters, customer = _list_filters(request)
    today = timezone.localdate()
    queryset = selectors.order_list(user=request.user, filters=filters, today=today)
    page = Paginator(queryset, settings.TEND_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(order, order.days_late(today)) for order in page],
        "query": query.urlencode(),
        "customer": customer,
    }
    template = "orders/_list_results.html" if _is_htmx(request) else "orders/list.html"
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
def order_export(request):
    """The list as filtered, in CSV or Excel: only orders the user may see."""
    fmt = request.GET.get("format", "csv")
    if refused := unknown_format(fmt):
        return refused
    form, filters, _customer = _list_filters(request)
    if form.errors:  # never a file that silently ignores a filter
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    rows = selectors.order_export_rows(
        user=request.user, filters=filters, today=timezone.localdate()
    )
    return export_response(
        filename="orders", fmt=fmt, headers=selectors.ORDER_EXPORT_HEADERS, rows=rows
    )


@login_required
def order_detail(request, pk: int):
    order = selectors.order_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    contact = order.customer.contacts.filter(is_primary=True).first()
    update_form = OrderUpdateForm(request.POST or None, order=order)
    if request.method == "POST" and update_form.is_valid():
        data = update_form.cleaned_data
        try:
            services.order_update_record(
                by=request.user,
                order=order,
                channel=data["channel"],
                contact=data["contact"],
                subject=data["subject"],
                body=data["body"],
                reason=data["reason"],
                language=data["contact"].language if data["contact"] else "en",
            )
        except ValidationError as exc:
            _add_errors(update_form, exc)
        else:
            messages.success(request, _("Update recorded on the customer's timeline."))
            return redirect(order)
    elif request.method != "POST":
        reason = order.estimate_changes.values_list("reason", flat=True).first() or ""
        draft = services.order_update_draft(
            order=order, contact=contact, reason=reason, sender=request.user
        )
        update_form = OrderUpdateForm(
            order=order,
            initial={
                "contact": contact,
                "channel": "email",
                "reason": reason,
                "subject": draft.subject,
                "body": draft.body,
            },
        )
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "lines": order.lines.select_related("product"),
            "estimates": order.estimate_changes.select_related("by"),
            "updates": order.updates.select_related("by", "contact"),
            "is_late": order.is_late(today),
            "days_late": order.days_late(today),
            "estimate_form": EstimateForm(initial={"new_date": order.estimated_ship_date}),
            "moves": services.order_moves(order=order),
            "today": today,
            "update_form": update_form,
            "order_panels": ORDER_PANELS,
        },
    )


@login_required
def order_draft(request, pk: int):
    """Redraft the update for another contact (their language) or reason (htmx)."""
    order = selectors.order_get_for_user(user=request.user, pk=pk)
    contact = order.customer.contacts.filter(pk=request.GET.get("contact") or 0).first()
    draft = services.order_update_draft(
        order=order, contact=contact, reason=request.GET.get("reason", ""), sender=request.user
    )
    form = OrderUpdateForm(
        order=order,
        initial={
            "contact": contact,
            "channel": request.GET.get("channel", "email"),
            "reason": request.GET.get("reason", ""),
            "subject": draft.subject,
            "body": draft.body,
        },
    )
    return render(request, "orders/_update_fields.html", {"update_form": form, "order": order})


@login_required
@require_POST
def order_estimate(request, pk: int):
    order = selectors.order_get_for_user(user=request.user, pk=pk)
    form = EstimateForm(request.POST)
    if form.is_valid():
        try:
            services.order_set_estimate(
                by=request.user,
                order=order,
                new_date=form.cleaned_data["new_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Estimated ship date changed."))
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect(order)


def _require_manager(user) -> None:
    if user.is_rep:
        raise PermissionDenied(_("Only managers and admins manage disruptions."))


@login_required
def disruption_list(request):
    form = DisruptionForm(request.POST or None)
    if request.method == "POST":
        _require_manager(request.user)
        if form.is_valid():
            disruption = form.save(commit=False)
            disruption.created_by = request.user
            disruption.save()
            form.save_m2m()
            return redirect("orders:disruption", pk=disruption.pk)
    return render(
        request,
        "orders/disruptions.html",
        {
            "disruptions": Disruption.objects.all()[:100],
            "form": form,
        },
    )


@login_required
def disruption_detail(request, pk: int):
    disruption = get_object_or_404(Disruption, pk=pk)
    visible = selectors.orders_visible_to(user=request.user).values("pk")
    affected = services.disruption_affected_orders(disruption).filter(pk__in=visible)
    shift_form = ShiftForm(request.POST or None)
    if request.method == "POST":
        _require_manager(request.user)
        action = request.POST.get("action")
        order_ids, not_an_id = parse_ids(request.POST.getlist("orders"))
        if not_an_id is not None:
            return parameter_refused(request, "orders", not_an_id_message(not_an_id))
        try:
            if action == "shift" and shift_form.is_valid():
                chosen = list(affected.filter(pk__in=order_ids))
                moved = services.disruption_shift_estimates(
                    by=request.user,
                    disruption=disruption,
                    orders=chosen,
                    days=shift_form.cleaned_data["days"],
                    new_date=shift_form.cleaned_data["new_date"],
                    reason=shift_form.cleaned_data["reason"],
                )
                messages.success(request, _("%(count)s estimates moved.") % {"count": moved})
                return redirect("orders:disruption", pk=pk)
            expected = request.POST.get("expected", "")
            if action == "notify" and expected.isdigit() and len(expected) < 7:
                result = services.disruption_notify(
                    by=request.user, disruption=disruption, expected=int(expected)
                )
                messages.success(request, _("%(count)s customers told.") % {"count": result.sent})
                if result.unreached:
                    messages.warning(
                        request,
                        _("No contact email for: %(names)s. Tell them another way.")
                        % {"names": ", ".join(result.unreached)},
                    )
                return redirect("orders:disruption", pk=pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    # Nothing goes out without a look: "notify" without a confirmed count shows the preview.
    plan = None
    if request.method == "POST" and request.POST.get("action") in {"preview", "notify"}:
        plan = services.disruption_notices_plan(by=request.user, disruption=disruption)
    rows = list(affected)
    told = set(disruption.notices.values_list("customer_id", flat=True))
    return render(
        request,
        "orders/disruption.html",
        {
            "disruption": disruption,
            "orders": rows,
            "shift_form": shift_form,
            "told": told,
            "customers": len({o.customer_id for o in rows}),
            "plan": plan,
        },
    )


@login_required
def sample_create(request, pk: int):
    customer = customer_get_for_user(user=request.user, pk=pk)
    form = SampleForm(
        request.POST or None,
        customer=customer,
        initial={"sent_on": timezone.localdate(), "fee_currency": customer.currency},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "products"}
        try:
            services.sample_log(
                by=request.user,
                customer=customer,
                products=list(form.cleaned_data["products"]),
                fields=data,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Sample recorded."))
            return redirect(customer)
    return render(request, "orders/sample_form.html", {"form": form, "customer": customer})


@login_required
def samples_report(request):
    today = timezone.localdate()
    start = today.replace(year=today.year - 1)
    report = selectors.samples_report(user=request.user, start=start, end=today)
    return render(
        request,
        "orders/samples_report.html",
        {
            "report": report,
            "start": start,
            "end": today,
        },
    )


@login_required
@never_cache
def order_pdf(request, pk: int):
    """The order confirmation / proforma invoice, shown inline in the browser (and saved as
    PI-2026-00042.pdf): the same number each time until the order changes, then a revision."""
    order = selectors.order_get_for_user(user=request.user, pk=pk)
    document, content = services.order_document_generate(by=request.user, order=order)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{document.number}.pdf"
    )
    return response
