"""The pages that place and change an order: the order with its lines in one form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tend.approvals.models import RequestState
from tend.customers.selectors import customer_get_for_user, customers_visible_to

from . import selectors, services
from .forms import OrderForm, StatusForm, order_line_formset

NEW_ORDER_LINE_ROWS = 5
PICKER_LIMIT = 20


def _apply_errors(form, line_forms, exc: ValidationError) -> None:
    """The service's errors next to the fields they name: ``lines.1.quantity`` on the second
    line sent."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for name, field_messages in errors.items():
        target, field = form, name
        if name and name.startswith("lines."):
            _lines, index, field = name.split(".", 2)
            if index.isdigit() and int(index) < len(line_forms):
                target = line_forms[int(index)]
        elif name == "lines":
            target, field = form, None
        if field not in target.fields:
            field = None
        for message in field_messages:
            target.add_error(field, message)


def _render(request, template_context: dict, *, invalid: bool):
    return render(
        request, "orders/order_form.html", template_context, status=400 if invalid else 200
    )


@login_required
def order_new(request):
    """Pick the customer of a new order among those the user may see."""
    text = request.GET.get("q", "").strip().lower()[:100]
    customers = []
    if text:
        customers = list(
            customers_visible_to(user=request.user)
            .filter(search_text__contains=text)
            .order_by("name")[:PICKER_LIMIT]
        )
    return render(request, "orders/order_new.html", {"q": text, "customers": customers})


@login_required
def order_create(request, pk: int):
    customer = customer_get_for_user(user=request.user, pk=pk)
    FormSet = order_line_formset(guarded=False, extra=NEW_ORDER_LINE_ROWS)
    initial = {
        "order_date": timezone.localdate(),
        "currency": customer.currency,
        "incoterm": customer.incoterm,
        "payment_terms": customer.payment_terms,
    }
    form = OrderForm(request.POST or None, creating=True, initial=initial)
    formset = FormSet(request.POST or None, prefix="lines")
    invalid = False
    if request.method == "POST":
        invalid = True
        if form.is_valid() and formset.is_valid():
            line_forms = formset.line_forms()
            try:
                order = services.order_create(
                    by=request.user,
                    customer=customer,
                    fields=form.service_fields(),
                    lines=[line_form.service_line() for line_form in line_forms],
                )
            except ValidationError as exc:
                _apply_errors(form, line_forms, exc)
            else:
                if order.status != form.cleaned_data["status"]:
                    messages.warning(
                        request,
                        _(
                            "Order %(number)s is priced beyond the discount policy: it is "
                            "placed as a draft and confirmed when an approver agrees."
                        )
                        % {"number": order},
                    )
                else:
                    messages.success(request, _("Order %(number)s placed.") % {"number": order})
                return redirect(order)
    context = {"form": form, "formset": formset, "customer": customer, "creating": True}
    return _render(request, context, invalid=invalid)


@login_required
def order_edit(request, pk: int):
    order = selectors.order_get_for_user(user=request.user, pk=pk)
    guarded = order.guard_active()
    lines = list(order.lines.select_related("product").order_by("pk"))
    FormSet = order_line_formset(guarded=guarded, extra=2)
    form = OrderForm(request.POST or None, instance=order, creating=False, guarded=guarded)
    formset = FormSet(
        request.POST or None,
        prefix="lines",
        initial=[
            {
                "id": line.pk,
                "product": line.product_id,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount_pct": line.discount_pct,
                "batch_number": line.batch_number,
            }
            for line in lines
        ],
    )
    if guarded:
        for line_form in formset.forms:
            line_form.fields["product"].disabled = True
    invalid = False
    if request.method == "POST":
        invalid = True
        if form.is_valid() and formset.is_valid():
            line_forms = formset.line_forms()
            try:
                edit = services.order_edit(
                    by=request.user,
                    order=order,
                    fields=form.service_fields(),
                    lines=[line_form.service_line() for line_form in line_forms],
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ValidationError as exc:
                _apply_errors(form, line_forms, exc)
            else:
                if edit.request is None:
                    messages.success(request, _("Order saved."))
                elif edit.request.state == RequestState.APPLIED:
                    messages.success(
                        request, _("Saved; the new terms were within policy and are applied.")
                    )
                else:
                    messages.success(
                        request,
                        _("Saved; the new terms wait for approval (request #%(id)s).")
                        % {"id": edit.request.pk},
                    )
                return redirect(order)
    pending = order.approval_requests.filter(state=RequestState.PENDING).select_related(
        "requested_by"
    )
    context = {
        "form": form,
        "formset": formset,
        "customer": order.customer,
        "order": order,
        "lines": lines,
        "guarded": guarded,
        "pending_requests": list(pending),
        "creating": False,
    }
    return _render(request, context, invalid=invalid)


@login_required
@require_POST
def order_status(request, pk: int):
    """A status button of the order page: the move, or the request an approver decides."""
    order = selectors.order_get_for_user(user=request.user, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(order)
    try:
        moved = services.order_move(
            by=request.user,
            order=order,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            actual_ship_date=form.cleaned_data["actual_ship_date"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if moved.request is None:
            messages.success(
                request,
                _("Order %(number)s is now %(status)s.")
                % {"number": order.number, "status": moved.order.get_status_display()},
            )
        else:
            messages.success(
                request,
                _("Request #%(id)s sent for approval.") % {"id": moved.request.pk},
            )
    return redirect(order)


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )
