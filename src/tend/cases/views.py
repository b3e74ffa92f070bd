"""Case pages: the queue, a case with its history and actions (htmx-friendly forms that post
back to the case), opening a case from a customer, the case load with bulk reassignment, and the
lot alerts. Every page fetches through the user's view of the book and calls the services."""

from decimal import InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tend.accounts.models import Team, User
from tend.core.decimals import MONEY
from tend.core.inputs import parse_id, parse_ids
from tend.customers.selectors import customer_get_for_user
from tend.orders.models import OrderLine

from . import load, selectors, services
from .models import (
    CaseAttachment,
    CaseStatus,
    Category,
    Channel,
    EventKind,
    LotAlert,
    Resolution,
    Severity,
)

PAGE_SIZE = 50
STATUS_LABELS = dict(CaseStatus.choices)
CATEGORY_LABELS = dict(Category.choices)
SEVERITY_LABELS = dict(Severity.choices)


def _labelled(cases):
    """Labels looked up once per page, not per row (``get_FOO_display`` flattens the choices
    on every call)."""
    for case in cases:
        case.status_label = STATUS_LABELS.get(case.status, case.status)
        case.category_label = CATEGORY_LABELS.get(case.category, case.category)
        case.severity_label = SEVERITY_LABELS.get(case.severity, case.severity)
    return cases


def _messages(exc) -> dict:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": list(getattr(exc, "messages", [str(exc)]))}


@login_required
def queue(request):
    status = request.GET.get("status", "open")
    if status not in ("open", "all", *CaseStatus.values):
        status = "open"
    filters = selectors.CaseFilters(
        status=status,
        mine=request.GET.get("mine") == "1",
        category=request.GET.get("category", "")
        if request.GET.get("category") in Category.values
        else "",
        severity=request.GET.get("severity", "")
        if request.GET.get("severity") in Severity.values
        else "",
        breached=request.GET.get("breached") == "1",
    )
    queryset = selectors.case_queue(user=request.user, filters=filters)
    page = selectors.case_page(queryset, request.GET.get("page"), PAGE_SIZE)
    page.object_list = _labelled(page.object_list)
    return render(
        request,
        "cases/queue.html",
        {
            "page": page,
            "filters": filters,
            "statuses": CaseStatus.choices,
            "categories": Category.choices,
            "severities": Severity.choices,
        },
    )


def _form_choices() -> dict:
    return {
        "categories": Category.choices,
        "severities": Severity.choices,
        "channels": Channel.choices,
    }


@login_required
def case_new(request, pk: int):
    """Open a case on a customer: subject, what happened, category, severity, who raised it and
    how, the order lines (their lots) it is about."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    lines = list(
        OrderLine.objects.filter(order__customer=customer)
        .select_related("order", "product")
        .order_by("-order__order_date", "-id")[:60]
    )
    contacts = list(customer.contacts.all()[:50])
    errors: dict = {}
    if request.method == "POST":
        data = request.POST
        line_ids, bad = parse_ids(data.getlist("lines"))
        chosen = [line for line in lines if line.pk in set(line_ids)]
        contact_id = parse_id(data.get("raised_by"))
        contact = next((c for c in contacts if c.pk == contact_id), None)
        if bad or len(chosen) != len(set(line_ids)):
            errors["lines"] = [_("Choose order lines of this customer.")]
        elif data.get("raised_by") and contact is None:
            errors["raised_by"] = [_("Choose one of the customer's contacts.")]
        else:
            try:
                case = services.case_open(
                    by=request.user,
                    customer=customer,
                    title=data.get("title", ""),
                    description=data.get("description", ""),
                    category=data.get("category", ""),
                    severity=data.get("severity", ""),
                    channel=data.get("channel", ""),
                    raised_by=contact,
                    order_lines=chosen,
                )
            except ValidationError as exc:
                errors = _messages(exc)
            else:
                return redirect(case.get_absolute_url())
    return render(
        request,
        "cases/new.html",
        {
            "customer": customer,
            "lines": lines,
            "contacts": contacts,
            "errors": errors,
            "data": request.POST,
            **_form_choices(),
        },
        status=422 if errors else 200,
    )


def _detail(request, case, *, errors=None, status=200):
    history = selectors.case_history(case=case)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "history": history,
            "attachments": list(case.attachments.select_related("uploaded_by")),
            "lots": list(case.lots.select_related("product")),
            "can_act": selectors.may_act(case=case, user=request.user),
            "correctable": [
                e
                for e in history
                if e.kind in (EventKind.OPENED, EventKind.RESPONSE, EventKind.STATUS)
            ],
            "people": User.objects.filter(is_active=True)
            .select_related("team")
            .order_by("team__name", "first_name"),
            "statuses": [
                (s, label)
                for s, label in CaseStatus.choices
                if s in (CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER)
            ],
            "resolutions": Resolution.choices,
            "errors": errors or {},
            "now": timezone.now(),
            "max_upload_mb": services.files.MAX_BYTES // 1048576,
        },
        status=status,
    )


@login_required
def case_detail(request, pk: int):
    return _detail(request, selectors.case_get_for_user(user=request.user, pk=pk))


def _bool(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    """One endpoint per action on a case; a refusal re-renders the case with the reason."""
    user = request.user
    case = selectors.case_get_for_user(user=user, pk=pk)
    data = request.POST
    try:
        if action == "respond":
            services.case_respond(case=case, by=user, text=data.get("text", ""))
        elif action == "status":
            services.case_set_status(
                case=case, by=user, status=data.get("status", ""), note=data.get("note", "")
            )
        elif action == "handoff":
            to = User.objects.filter(pk=parse_id(data.get("to")), is_active=True).first()
            if to is None:
                raise ValidationError({"to": _("Choose an active person.")})
            services.case_hand_off(case=case, to=to, by=user, reason=data.get("reason", ""))
        elif action == "note":
            services.case_note(case=case, by=user, text=data.get("text", ""))
        elif action == "resolve":
            amount = None
            if data.get("amount"):
                amount = MONEY.check(data.get("amount"), field="amount")
            services.case_resolve(
                case=case,
                by=user,
                resolution=data.get("resolution", ""),
                note=data.get("note", ""),
                amount=amount,
                currency=data.get("currency", ""),
                root_cause=data.get("root_cause", ""),
            )
        elif action == "close":
            services.case_close(
                case=case,
                by=user,
                root_cause=data.get("root_cause", ""),
                customer_satisfied=_bool(data.get("customer_satisfied")),
            )
        elif action == "reopen":
            services.case_reopen(case=case, by=user, reason=data.get("reason", ""))
        elif action == "correct":
            event = case.events.filter(pk=parse_id(data.get("event"))).first()
            if event is None:
                raise ValidationError({"event": _("Choose an event of this case.")})
            at = None
            if data.get("at"):
                from django.utils.dateparse import parse_datetime

                at = parse_datetime(data["at"])
                if at is None:
                    raise ValidationError({"at": _("Enter a date and time.")})
            services.case_correct(
                case=case,
                by=user,
                event=event,
                at=at,
                void=data.get("void") == "1",
                reason=data.get("reason", ""),
            )
        elif action == "attach":
            try:
                services.case_attach(case=case, by=user, upload=request.FILES.get("file"))
            except (services.FileTooLarge, services.FileKindRefused) as exc:
                case = selectors.case_get_for_user(user=user, pk=pk)
                return _detail(request, case, errors=_messages(exc), status=exc.status)
        else:
            raise Http404("No such action.")
    except (ValidationError, PermissionDenied, InvalidOperation) as exc:
        case = selectors.case_get_for_user(user=user, pk=pk)
        status = 403 if isinstance(exc, PermissionDenied) else 422
        return _detail(request, case, errors=_messages(exc), status=status)
    return redirect(case.get_absolute_url())


@login_required
def attachment_download(request, pk: int):
    """A case's file, to those who can see the case."""
    try:
        attachment = CaseAttachment.objects.select_related("case").get(pk=pk)
    except (CaseAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such file.") from None
    if not selectors.cases_visible_to(user=request.user).filter(pk=attachment.case_id).exists():
        raise Http404("No such file.")
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.content_type.startswith("image/"),
        filename=attachment.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def case_load(request):
    """Managers and admins: where the open cases are, and moving them."""
    if request.user.is_rep:
        raise Http404("No such page.")
    now = timezone.now()
    figures = load.case_load(user=request.user, now=now)
    filters = selectors.CaseFilters(status="open")
    queryset = selectors.case_queue(user=request.user, filters=filters)
    region = request.GET.get("region", "")
    if region:
        queryset = queryset.filter(customer__territory__name=region)
    team = parse_id(request.GET.get("team"))
    if team:
        queryset = queryset.filter(owner__team_id=team)
    page = selectors.case_page(queryset, request.GET.get("page"), PAGE_SIZE)
    page.object_list = _labelled(page.object_list)
    errors = {}
    if request.method == "POST":
        ids, bad = parse_ids(request.POST.getlist("cases"))
        to = (
            User.objects.filter(pk=parse_id(request.POST.get("to"))).first()
            if request.POST.get("to")
            else None
        )
        to_team = (
            Team.objects.filter(pk=parse_id(request.POST.get("team"))).first()
            if request.POST.get("team")
            else None
        )
        try:
            if bad:
                raise ValidationError({"cases": [bad]})
            moved = services.cases_reassign(
                case_ids=ids,
                by=request.user,
                to=to,
                team=to_team,
                reason=request.POST.get("reason", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            errors = _messages(exc)
        else:
            messages.success(request, _("%(n)d cases handed off.") % {"n": moved})
            return redirect(request.get_full_path())
    return render(
        request,
        "cases/load.html",
        {
            "load": figures,
            "now": now,
            "page": page,
            "teams": list(Team.objects.order_by("name")),
            "people": User.objects.filter(is_active=True)
            .select_related("team")
            .order_by("team__name", "first_name"),
            "region": region,
            "errors": errors,
        },
        status=422 if errors else 200,
    )


@login_required
def lot_alerts(request):
    alerts = LotAlert.objects.select_related("product", "followed_up_by").order_by(
        "followed_up_at", "p_value", "-complaints"
    )[:200]
    return render(request, "cases/lots.html", {"alerts": alerts})


@login_required
@require_POST
def lot_follow_up(request, pk: int):
    try:
        alert = LotAlert.objects.get(pk=pk)
    except LotAlert.DoesNotExist:
        raise Http404("No such alert.") from None
    opened = services.lot_alert_follow_up(alert=alert, by=request.user)
    messages.success(request, _("%(n)d follow-up tasks opened.") % {"n": opened})
    return redirect("cases:lots")
