"""Customer pages: thin views that validate, call the services and render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tend.accounts.models import User
from tend.agenda.local import local_moment
from tend.audit.selectors import audit_for_customer
from tend.core.exports import export_response, unknown_format
from tend.core.inputs import not_an_id_message, parameter_refused, parse_id, parse_ids
from tend.core.redirects import redirect_back
from tend.timeline.kinds import all_kinds
from tend.timeline.selectors import timeline_for_customer

from . import selectors, services
from .forms import ContactForm, CustomerFilterForm, CustomerForm, referral_label
from .models import CustomerStatus, CustomerType, Territory, Tier
from .panels import CUSTOMER_END_PANELS, CUSTOMER_PANELS, panel_for_slug


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def customer_list(request):
    form = CustomerFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    queryset = selectors.customer_list(user=request.user, filters=filters)
    paginator = Paginator(queryset, settings.TEND_PAGE_SIZE)
    paginator.count = selectors.customer_list_count(user=request.user, filters=filters)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "bulk_choices": None if request.user.is_rep else bulk_choices(),
    }
    template = "customers/_results.html" if _is_htmx(request) else "customers/list.html"
    return render(request, template, context)


def bulk_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The list's bulk action: one select of field:value pairs, grouped by field."""
    return [
        (_("Tier"), [(f"tier:{v}", label) for v, label in Tier.choices]),
        # Lost needs a reason per customer ("Mark lost"), so it is no bulk choice.
        (
            _("Status"),
            [(f"status:{v}", label) for v, label in CustomerStatus.choices if v != "lost"],
        ),
        (_("Type"), [(f"type:{v}", label) for v, label in CustomerType.choices]),
        (_("Territory"), [(f"territory:{t.pk}", t.name) for t in Territory.objects.all()]),
    ]


@login_required
@require_POST
def customer_bulk_update(request):
    """Managers set tier, status, type, territory or cadence on the customers ticked in the
    list; only those they may see are touched."""
    field, _sep, value = request.POST.get("choice", "").partition(":")
    ids, not_an_id = parse_ids(request.POST.getlist("ids"))
    if not_an_id is not None:
        return parameter_refused(request, "ids", not_an_id_message(not_an_id))
    customers = list(selectors.customers_visible_to(user=request.user).filter(pk__in=ids))
    if field == "territory":
        territory_id = parse_id(value)
        value = Territory.objects.filter(pk=territory_id).first() if territory_id else None
    elif field == "cadence_days":
        value = int(value) if value.isascii() and value.isdigit() else None
    try:
        changed = services.customers_bulk_update(
            by=request.user, customers=customers, fields={field: value}
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("%(count)s customers updated.") % {"count": changed})
    return redirect_back(request, "customers:list")


@login_required
def customer_export(request):
    """The list as filtered, in CSV or Excel: only what the user may see."""
    form = CustomerFilterForm(request.GET or None, user=request.user)
    fmt = request.GET.get("format", "csv")
    if refused := unknown_format(fmt):
        return refused
    rows = selectors.customer_export_rows(user=request.user, filters=form.filters())
    return export_response(
        filename="customers", fmt=fmt, headers=selectors.EXPORT_HEADERS, rows=rows
    )


@login_required
def single_threaded(request):
    customers = selectors.customers_single_threaded(user=request.user)
    page = Paginator(customers, settings.TEND_PAGE_SIZE).get_page(request.GET.get("page"))
    threads = selectors.single_threads_of(page)
    return render(request, "customers/single_threaded.html", {"page": page, "threads": threads})


@login_required
def customer_lookup(request):
    """Suggestions for a customer name field (a datalist), among customers the user may see."""
    text = request.GET.get("referred_by_text", "").strip().lower()
    customers = []
    if len(text) >= 2:
        customers = selectors.customers_visible_to(user=request.user).filter(
            search_text__contains=text
        )[:10]
    labels = [referral_label(customer) for customer in customers]
    return render(request, "customers/_referral_options.html", {"labels": labels})


def _apply_service_errors(form, exc: ValidationError, contact_form=None) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, field_messages in errors.items():
        if field and field.startswith("contacts.") and contact_form is not None:
            contact_field = field.split(".", 2)[2]
            target, name = contact_form, contact_field
        else:
            target, name = form, field
        if name not in target.fields:
            name = None
        for message in field_messages:
            target.add_error(name, message)


@login_required
def customer_create(request):
    form = CustomerForm(request.POST or None, user=request.user)
    contact_given = any(
        request.POST.get(f"contact-{name}", "").strip()
        for name in ("name", "email", "phone", "mobile", "whatsapp", "wechat")
    )
    contact_form = ContactForm(request.POST if contact_given else None, prefix="contact")
    duplicates = []
    if request.method == "POST" and form.is_valid():
        contact_form.instance.customer = form.instance
        contacts = [contact_form.cleaned_data] if contact_given and contact_form.is_valid() else []
        if not contact_given or contacts:
            try:
                customer = services.customer_create(
                    by=request.user,
                    fields=form.service_fields(),
                    tags=form.cleaned_data["tags_text"],
                    contacts=contacts,
                    allow_duplicate=request.POST.get("allow_duplicate") == "1",
                )
            except services.DuplicateCustomer as exc:
                duplicates = exc.matches
            except ValidationError as exc:
                _apply_service_errors(form, exc, contact_form)
            else:
                messages.success(request, _("Customer “%(name)s” created.") % {"name": customer})
                terms_request = customer.terms_request
                if terms_request is not None and terms_request.is_pending:
                    messages.info(
                        request,
                        _(
                            "Its payment terms and credit limit wait for approval (request "
                            "#%(number)s): they apply once it is approved."
                        )
                        % {"number": terms_request.pk},
                    )
                return redirect(customer)
    return render(
        request,
        "customers/form.html",
        {"form": form, "contact_form": contact_form, "duplicates": duplicates, "creating": True},
    )


# Apps add forms above the timeline (e.g. logging an interaction) by appending a template here.
TIMELINE_FORM_TEMPLATES: list[str] = []
# Apps add panels to the customer page (orders, samples, health...): see panels.py.


def _timeline_context(request, customer) -> dict:
    kind = request.GET.get("kind", "")
    return {
        "customer": customer,
        "timeline_entries": timeline_for_customer(customer=customer, kind=kind),
        "timeline_kind": kind,
        "timeline_kinds": all_kinds(),
        "timeline_form_templates": TIMELINE_FORM_TEMPLATES,
    }


@login_required
def customer_detail(request, pk: int):
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    prefetch_related_objects([customer], "tags", "contacts")
    user = request.user
    return render(
        request,
        "customers/detail.html",
        {
            **_timeline_context(request, customer),
            "contacts": customer.contacts.all(),
            "local": local_moment(
                country=customer.country, time_zone=customer.time_zone, now=timezone.now()
            ),
            "customer_panels": CUSTOMER_PANELS,
            "customer_end_panels": CUSTOMER_END_PANELS,
            "can_delete": not user.is_rep,
            "can_claim": customer.owner_id is None,
            "can_release": customer.owner_id is not None
            and (customer.owner_id == user.pk or not user.is_rep),
            "assignable": None if user.is_rep else selectors.users_assignable_by(user=user),
        },
    )


def history_context(request, customer) -> dict:
    """The history-of-changes panel's rows (registered in apps.py)."""
    return {"audit_entries": audit_for_customer(customer=customer)}


@login_required
def customer_panel(request, pk: int, slug: str):
    """One panel of the customer page: the fragment for htmx, a page of its own otherwise.

    The same rule as the page: 404 for a customer this user may not see."""
    panel = panel_for_slug(slug)
    if panel is None:
        raise Http404("No such panel.")
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    context = {"customer": customer, "panel_entry": panel}
    if panel.context is not None:
        context.update(panel.context(request, customer))
    template = panel.template if _is_htmx(request) else "customers/panel_page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def customer_timeline(request, pk: int):
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    return render(request, "timeline/_timeline.html", _timeline_context(request, customer))


@login_required
@require_POST
def customer_claim(request, pk: int):
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    try:
        services.customer_claim(by=request.user, customer=customer)
    except services.AlreadyClaimed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You now own “%(name)s”.") % {"name": customer.name})
    return redirect(customer)


@login_required
@require_POST
def customer_release(request, pk: int):
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    try:
        services.customer_release(
            by=request.user, customer=customer, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(customer)
    messages.success(request, _("“%(name)s” is back in the pool.") % {"name": customer.name})
    return redirect("customers:list")


@login_required
@require_POST
def customer_assign(request, pk: int):
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    owner_text = request.POST.get("owner", "")
    owner = None
    if owner_text:
        owner_id = parse_id(owner_text)
        owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
        if owner is None:
            return parameter_refused(
                request, "owner", _("No active person with id %(id)s.") % {"id": owner_text}
            )
    try:
        services.customer_assign(
            by=request.user, customer=customer, owner=owner, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Ownership updated."))
    return redirect(customer)


@login_required
def customer_edit(request, pk: int):
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(
                by=request.user,
                customer=selectors.customer_get_for_user(user=request.user, pk=pk),
                fields=form.service_fields(),
                tags=form.cleaned_data["tags_text"],
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(customer)
    return render(request, "customers/form.html", {"form": form, "customer": customer})


@login_required
@require_POST
def customer_delete(request, pk: int):
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    try:
        services.customer_delete(by=request.user, customer=customer)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(customer)
    except services.CustomerInUse as exc:
        messages.error(request, str(exc))
        response = customer_detail(request, pk)
        response.status_code = 409
        return response
    messages.success(request, _("Customer “%(name)s” deleted.") % {"name": customer.name})
    return redirect("customers:list")


@login_required
def contact_create(request, pk: int):
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    form = ContactForm(request.POST or None, instance=None)
    form.instance.customer = customer
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(by=request.user, customer=customer, fields=form.cleaned_data)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("Contact added."))
            return redirect(customer)
    return render(request, "customers/contact_form.html", {"form": form, "customer": customer})


@login_required
def contact_edit(request, pk: int):
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(
                by=request.user,
                contact=selectors.contact_get_for_user(user=request.user, pk=pk),
                fields=form.cleaned_data,
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect(contact.customer)
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": contact.customer, "contact": contact},
    )


@login_required
@require_POST
def contact_delete(request, pk: int):
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)
    services.contact_delete(by=request.user, contact=contact)
    messages.success(request, _("Contact deleted."))
    return redirect(contact.customer)
