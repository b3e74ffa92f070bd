"""Order pages: the order with its dates and updates, disruptions, samples."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tend.customers.selectors import customer_get_for_user

from . import selectors, services
from .forms import DisruptionForm, EstimateForm, OrderUpdateForm, SampleForm, ShiftForm
from .models import Disruption


def _add_errors(form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, field_messages in errors.items():
        for message in field_messages:
            form.add_error(field if field in form.fields else None, message)


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
            "update_form": update_form,
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
        try:
            if action == "shift" and shift_form.is_valid():
                chosen = list(affected.filter(pk__in=request.POST.getlist("orders")))
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
            if action == "notify":
                result = services.disruption_notify(by=request.user, disruption=disruption)
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
