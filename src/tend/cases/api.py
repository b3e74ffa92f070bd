"""Service cases in the REST API, with the visibility of customers: create, list, get, hand off,
change status, resolve, close, the case load and the lot alerts. Thin: every operation resolves
ids through the user's view and calls the services."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from tend.accounts.models import Team, User
from tend.api.schemas import Id, PageQuery, errors
from tend.core.decimals import MONEY
from tend.customers.models import Contact
from tend.customers.selectors import customer_get_for_user
from tend.orders.models import OrderLine

from . import load, selectors, services
from .models import Case, CaseStatus, Category, Channel, LotAlert, Resolution, Severity

router = Router(tags=["cases"])


class CaseIn(Schema):
    customer_id: Id
    title: str = Field(max_length=200)
    description: str = Field(max_length=20000)
    category: Category
    severity: Severity = Severity.MEDIUM
    channel: Channel
    raised_by_id: Id | None = Field(None, description="One of the customer's contacts.")
    owner_id: Id | None = Field(None, description="Empty: you own it.")
    order_line_ids: list[Id] = Field([], max_length=200, description="Lines (and their lots).")


class CaseOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    title: str
    description: str
    category: str
    severity: str
    channel: str
    raised_by_id: int | None
    owner_id: int
    owner_name: str
    handoffs: int
    handbacks: int = Field(description="Hand-offs back to someone who had held the case.")
    status: str
    opened_at: datetime
    first_response_at: datetime | None
    sla_response_hours: Decimal
    sla_resolution_hours: Decimal
    sla_resolution_working_hours: Decimal
    sla_used_pct: int
    sla_resolution_due_at: datetime | None
    sla_breached_at: datetime | None
    sla_response_met: bool | None
    sla_resolution_met: bool | None
    escalated_to_id: int | None
    resolution: str
    resolution_note: str
    approval_request_id: int | None
    root_cause: str
    customer_satisfied: bool | None

    @staticmethod
    def resolve_customer_name(obj: Case) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_owner_name(obj: Case) -> str:
        return str(obj.owner)


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CaseOut]


class CaseQuery(PageQuery):
    status: str = Field("open", description="open, all, or one status.")
    mine: bool = False
    category: Category | None = None
    severity: Severity | None = None
    breached: bool = False
    customer_id: Id | None = None


class HandOffIn(Schema):
    to_id: Id
    reason: str = Field(max_length=500)


class CaseStatusIn(Schema):
    status: CaseStatus = Field(description="in_progress or waiting_customer.")
    note: str = Field("", max_length=20000)


class ResolveIn(Schema):
    resolution: Resolution
    note: str = Field(max_length=20000)
    amount: Decimal | None = Field(None, description="Refund or credit note only.")
    currency: str = Field("", max_length=3)
    root_cause: str = Field("", max_length=20000)


class CloseIn(Schema):
    root_cause: str = Field(max_length=20000)
    customer_satisfied: bool


class LoadRowOut(Schema):
    label: str
    open: int
    breached: int
    over_7d: int
    over_30d: int
    new_7d: int
    weekly_before: float
    surge: bool


class LoadOut(Schema):
    total_open: int
    teams: list[LoadRowOut]
    regions: list[LoadRowOut]
    people: list[LoadRowOut]


class ReassignIn(Schema):
    case_ids: list[Id] = Field(max_length=500)
    to_id: Id | None = None
    team_id: Id | None = None
    reason: str = Field(max_length=500)


class ReassignOut(Schema):
    moved: int


class LotAlertOut(Schema):
    id: int
    product_id: int
    product_sku: str
    product_name: str
    lot: str
    complaints: int
    units: Decimal
    customers: int
    rate_per_1000: float
    normal_per_1000: float
    p_value: float
    raised_at: datetime
    followed_up_at: datetime | None

    @staticmethod
    def resolve_product_sku(obj: LotAlert) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_product_name(obj: LotAlert) -> str:
        return obj.product.name


class CaseAttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime


class FollowUpOut(Schema):
    tasks_opened: int


def _get(request, case_id: int) -> Case:
    return selectors.case_get_for_user(user=request.user, pk=case_id)


def _page(queryset: QuerySet, query: PageQuery) -> dict[str, Any]:
    offset = (query.page - 1) * query.page_size
    return {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "results": list(queryset[offset : offset + query.page_size]),
    }


def _person(pk: int, field: str) -> User:
    person = User.objects.filter(pk=pk, is_active=True).first()
    if person is None:
        raise ValidationError({field: _("No active person with id %(id)s.") % {"id": pk}})
    return person


@router.get("/cases", response={200: CasePage, **errors(422)}, summary="Cases you may see")
def list_cases(request, query: Query[CaseQuery]):
    if query.status not in ("open", "all", *CaseStatus.values):
        raise ValidationError({"status": _("open, all, or a status.")})
    filters = selectors.CaseFilters(
        status=query.status,
        mine=query.mine,
        category=query.category.value if query.category else "",
        severity=query.severity.value if query.severity else "",
        breached=query.breached,
        customer_id=query.customer_id,
    )
    return _page(selectors.case_queue(user=request.user, filters=filters), query)


@router.post("/cases", response={201: CaseOut, **errors(400, 404, 422)}, summary="Open a case")
def create_case(request, payload: CaseIn):
    user = request.user
    customer = customer_get_for_user(user=user, pk=payload.customer_id)
    contact = None
    if payload.raised_by_id is not None:
        contact = Contact.objects.filter(pk=payload.raised_by_id, customer=customer).first()
        if contact is None:
            raise ValidationError({"raised_by_id": _("Not a contact of this customer.")})
    owner = _person(payload.owner_id, "owner_id") if payload.owner_id else None
    lines = list(
        OrderLine.objects.filter(
            pk__in=payload.order_line_ids, order__customer=customer
        ).select_related("order")
    )
    if len(lines) != len(set(payload.order_line_ids)):
        raise ValidationError(
            {"order_line_ids": _("Every line must be on this customer's orders.")}
        )
    case = services.case_open(
        by=user,
        customer=customer,
        title=payload.title,
        description=payload.description,
        category=payload.category.value,
        severity=payload.severity.value,
        channel=payload.channel.value,
        raised_by=contact,
        owner=owner,
        order_lines=lines,
    )
    return Status(201, _get(request, case.pk))


@router.get("/cases/load", response={200: LoadOut, **errors(403)}, summary="Case load")
def case_load(request):
    if request.user.is_rep:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("The case load is for managers and admins."))
    figures = load.case_load(user=request.user, now=timezone.now())
    return {
        "total_open": figures.total_open,
        "teams": figures.teams,
        "regions": figures.regions,
        "people": figures.people,
    }


@router.post(
    "/cases/reassign",
    response={200: ReassignOut, **errors(400, 403, 422)},
    summary="Hand off selected cases to a person or a team, each a recorded hand-off",
)
def reassign(request, payload: ReassignIn):
    to = _person(payload.to_id, "to_id") if payload.to_id else None
    team = None
    if payload.team_id:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise ValidationError({"team_id": _("No such team.")})
    moved = services.cases_reassign(
        case_ids=payload.case_ids, by=request.user, to=to, team=team, reason=payload.reason
    )
    return {"moved": moved}


@router.get("/cases/{case_id}", response={200: CaseOut, **errors(404, 422)}, summary="Get a case")
def get_case(request, case_id: int):
    return _get(request, case_id)


@router.post(
    "/cases/{case_id}/hand-off",
    response={200: CaseOut, **errors(400, 403, 404, 422)},
    summary="Hand the case to another accountable owner, saying why",
)
def hand_off(request, case_id: int, payload: HandOffIn):
    case = _get(request, case_id)
    services.case_hand_off(
        case=case, to=_person(payload.to_id, "to_id"), by=request.user, reason=payload.reason
    )
    return _get(request, case_id)


@router.post(
    "/cases/{case_id}/status",
    response={200: CaseOut, **errors(400, 403, 404, 422)},
    summary="Move the case (in progress, waiting on the customer)",
)
def set_status(request, case_id: int, payload: CaseStatusIn):
    case = _get(request, case_id)
    services.case_set_status(
        case=case, by=request.user, status=payload.status.value, note=payload.note
    )
    return _get(request, case_id)


@router.post(
    "/cases/{case_id}/resolve",
    response={200: CaseOut, **errors(400, 403, 404, 422)},
    summary="Resolve; a refund or credit note becomes an approval request",
)
def resolve(request, case_id: int, payload: ResolveIn):
    case = _get(request, case_id)
    amount = None if payload.amount is None else MONEY.check(payload.amount, field="amount")
    services.case_resolve(
        case=case,
        by=request.user,
        resolution=payload.resolution.value,
        note=payload.note,
        amount=amount,
        currency=payload.currency,
        root_cause=payload.root_cause,
    )
    return _get(request, case_id)


@router.post(
    "/cases/{case_id}/close",
    response={200: CaseOut, **errors(400, 403, 404, 422)},
    summary="Close a resolved case with root cause and the customer's answer",
)
def close(request, case_id: int, payload: CloseIn):
    case = _get(request, case_id)
    services.case_close(
        case=case,
        by=request.user,
        root_cause=payload.root_cause,
        customer_satisfied=payload.customer_satisfied,
    )
    return _get(request, case_id)


@router.post(
    "/cases/{case_id}/attachments",
    response={201: CaseAttachmentOut, **errors(400, 403, 404, 413, 415, 422)},
    summary="Attach a photo or document (JPEG, PNG, GIF, WebP, HEIC, PDF, DOCX, XLSX, TXT, CSV; "
    "at most 10 MB)",
)
def attach(request, case_id: int, file: File[UploadedFile]):
    case = _get(request, case_id)
    try:
        attachment = services.case_attach(case=case, by=request.user, upload=file)
    except (services.FileTooLarge, services.FileKindRefused) as exc:
        messages = exc.message_dict
        return Status(exc.status, {"message": " ".join(messages["file"]), "errors": messages})
    return Status(201, attachment)


@router.get("/lot-alerts", response={200: list[LotAlertOut], **errors()}, summary="Unstable lots")
def list_lot_alerts(request):
    return list(LotAlert.objects.select_related("product").order_by("p_value", "-complaints")[:500])


@router.post(
    "/lot-alerts/{alert_id}/follow-up",
    response={200: FollowUpOut, **errors(403, 404, 422)},
    summary="Open a follow-up task for the owner of every customer who received the lot",
)
def follow_up(request, alert_id: int):
    alert = LotAlert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return {"tasks_opened": services.lot_alert_follow_up(alert=alert, by=request.user)}
