"""Four-eyes approvals in the REST API. Thin: resolve ids through what the user may see, call the
services, shape the output. Money is a decimal string, never a float."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tend.accounts.models import User
from tend.api.schemas import Id, errors
from tend.customers.selectors import customer_get_for_user
from tend.orders.selectors import order_get_for_user

from . import selectors, services
from .models import ApprovalDecision, ApprovalRequest, Decision, RequestKind
from .views import change_lines, customer_record

router = Router(tags=["approvals"])

# Service error keys that sit inside ``proposed``; "kind" is one only for a refund (the request's
# own kind is checked by the schema first).
PROPOSED_FIELDS = {
    "amount",
    "currency",
    "description",
    "value",
    "credit_limit",
    "payment_terms",
    "promised_ship_date",
    "incoterm",
    "quantity",
    "unit_price",
    "discount_pct",
}


class RequestIn(Schema):
    kind: RequestKind
    customer_id: Id
    order_id: Id | None = Field(
        None, description="The order, for a discount or order change (optional for a refund)."
    )
    reason: str = Field(description="Why: the approver decides on it.")
    proposed: dict[str, Any] = Field(
        description=(
            'Discount / order change: {"lines": {"<line id>": {"quantity": "…", "unit_price": '
            '"…", "discount_pct": "…"}}, "promised_ship_date": "YYYY-MM-DD", "payment_terms": '
            '"…", "incoterm": "…"} (a discount changes prices only). To confirm a draft priced '
            'beyond policy: a discount of {"status": "confirmed"}; to move a confirmed order back '
            'to draft: an order change of {"status": "draft"}. Refund: {"kind": "refund" | '
            '"credit_note", "amount": "…", "currency": "EUR"}. Accommodation: {"description": '
            '"…", "value": "…", "currency": "…"}. Credit terms: {"payment_terms": "…", '
            '"credit_limit": "…"}.'
        )
    )


class DecideIn(Schema):
    decision: Decision
    comment: str = Field("", description="Required to reject.")


class DecisionOut(Schema):
    id: int
    by_id: int
    by_name: str
    decision: str
    comment: str
    at: datetime

    @staticmethod
    def resolve_by_name(obj: ApprovalDecision) -> str:
        return str(obj.by)


class ChangeOut(Schema):
    what: str
    old: str = Field(description="When the request was made.")
    new: str


class RequestOut(Schema):
    id: int
    kind: str
    kind_label: str
    state: str
    state_note: str
    customer_id: int
    customer_name: str
    order_id: int | None
    order_number: str | None
    requested_by_id: int
    requested_by_name: str
    reason: str
    proposed: dict[str, Any]
    amount_base: Decimal = Field(
        description="In the base currency; for credit terms the proposed limit (the measure the "
        "policy reads), for a channel action 0: see has_amount."
    )
    has_amount: bool = Field(description="False for requests that move no money.")
    about: str = Field(description="What is asked for, in words: the amount or the change.")
    base_currency: str
    approvals_needed: int
    admin_required: bool
    routed_to_admins: bool = Field(
        description="Fewer people could approve it than the policy needs: an admin decides it."
    )
    routing_note: str = Field(description="Why it was routed to the admins.")
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    applied_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj: ApprovalRequest) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_customer_name(obj: ApprovalRequest) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_order_number(obj: ApprovalRequest) -> str | None:
        return obj.order.number if obj.order_id else None

    @staticmethod
    def resolve_requested_by_name(obj: ApprovalRequest) -> str:
        return str(obj.requested_by)

    @staticmethod
    def resolve_about(obj: ApprovalRequest) -> str:
        return str(obj.about)

    @staticmethod
    def resolve_base_currency(obj: ApprovalRequest) -> str:
        return settings.TEND_BASE_CURRENCY


class ConcessionOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount_base: Decimal
    has_amount: bool
    about: str
    state: str
    created_at: datetime
    decided_at: datetime | None
    reason: str


class CustomerRecordOut(Schema):
    customer_value_12m: Decimal | None = Field(
        description="Orders over the last 12 months, in the base currency; null: none."
    )
    margin: Decimal | None = Field(description="Null: unknown (there is no cost data yet).")
    concessions: list[ConcessionOut] = Field(description="Every request granted, newest first.")
    concessions_total: Decimal
    refused_or_withdrawn: int = Field(description="The customer's requests rejected or withdrawn.")
    complaints: int = Field(description="Service cases on this customer (complaints), ever.")
    complaints_open: int = Field(0, description="Of which still open.")
    complaints_unsatisfied: int = Field(0, description="Closed without the customer satisfied.")


class ApproverOut(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return str(obj)


class RequestDetailOut(RequestOut):
    baseline: dict[str, Any] = Field(description="The target's values when the request was made.")
    changes: list[ChangeOut]
    decisions: list[DecisionOut]
    waiting_on: list[ApproverOut] = Field(
        description="Who may still approve it (empty once it is decided)."
    )
    may_decide: bool = Field(description="Whether you may approve or reject it now.")
    customer_record: CustomerRecordOut | None = Field(
        description="For those who may decide it: what the customer has been granted before."
    )

    @staticmethod
    def resolve_changes(obj: ApprovalRequest) -> list[dict[str, str]]:
        return [vars(change) for change in change_lines(obj)]

    @staticmethod
    def resolve_decisions(obj: ApprovalRequest) -> list[ApprovalDecision]:
        return obj.decision_list

    @staticmethod
    def resolve_waiting_on(obj: ApprovalRequest) -> list[User]:
        return obj.waiting_on

    @staticmethod
    def resolve_may_decide(obj: ApprovalRequest) -> bool:
        return obj.may_decide

    @staticmethod
    def resolve_customer_record(obj: ApprovalRequest) -> dict[str, Any] | None:
        return obj.customer_record


def _record(customer_id: int) -> dict[str, Any]:
    found = customer_record(customer_id)
    return {
        "customer_value_12m": found.value_12m,
        "margin": None,
        "concessions": [
            {
                "id": granted.pk,
                "kind": granted.kind,
                "kind_label": str(granted.get_kind_display()),
                "amount_base": granted.amount_base,
                "has_amount": granted.has_amount,
                "about": str(granted.about),
                "state": granted.state,
                "created_at": granted.created_at,
                "decided_at": granted.decided_at,
                "reason": granted.reason,
            }
            for granted in found.concessions
        ],
        "concessions_total": found.concessions_total,
        "refused_or_withdrawn": found.refused,
        "complaints": found.complaints["total"],
        "complaints_open": found.complaints["open"],
        "complaints_unsatisfied": found.complaints["unsatisfied"],
    }


def _detail(user: User, pk: int) -> ApprovalRequest:
    """The request as this user may see it, with its decisions and, for an approver, the
    customer's record."""
    request = services.request_route(request=selectors.request_get_for_user(user=user, pk=pk))
    approver = selectors.may_approve(user=user, request=request)
    request.waiting_on = selectors.approvers_eligible(request) if request.is_pending else []
    request.decision_list = list(request.decisions.select_related("by"))
    request.may_decide = (
        approver
        and request.is_pending
        and not any(decision.by_id == user.pk for decision in request.decision_list)
    )
    request.customer_record = _record(request.customer_id) if approver else None
    return request


def _renamed(exc: ValidationError, kind: str) -> ValidationError:
    """Report errors under the API's names: order_id, and proposed.<field> for the change."""
    if not hasattr(exc, "error_dict"):
        return exc
    errors = {}
    for field, messages in exc.message_dict.items():
        if field == "order":
            field = "order_id"
        elif field in PROPOSED_FIELDS or (field == "kind" and kind == RequestKind.REFUND):
            field = f"proposed.{field}"
        errors.setdefault(field, []).extend(messages)
    return ValidationError(errors)


@router.post(
    "/approval-requests",
    response={201: RequestDetailOut, **errors(400, 422)},
    summary="Ask for a guarded change",
)
def create_request(request, payload: RequestIn):
    try:
        customer = customer_get_for_user(user=request.user, pk=payload.customer_id)
    except Http404:
        raise ValidationError(
            {"customer_id": _("No customer with id %(id)s.") % {"id": payload.customer_id}}
        ) from None
    order = None
    if payload.order_id is not None:
        try:
            order = order_get_for_user(user=request.user, pk=payload.order_id)
        except Http404:
            raise ValidationError(
                {"order_id": _("No order with id %(id)s.") % {"id": payload.order_id}}
            ) from None
    try:
        created = services.request_create(
            by=request.user,
            kind=payload.kind.value,
            customer=customer,
            order=order,
            reason=payload.reason,
            proposed=payload.proposed,
        )
    except ValidationError as exc:
        raise _renamed(exc, payload.kind) from exc
    return Status(201, _detail(request.user, created.pk))


@router.get(
    "/approval-requests/mine",
    response={200: list[RequestOut], **errors()},
    summary="Requests I made, newest first",
)
def list_mine(request):
    return list(selectors.requests_mine(user=request.user).select_related("requested_by")[:500])


@router.get(
    "/approval-requests/waiting",
    response={200: list[RequestOut], **errors()},
    summary="Requests waiting for my decision, oldest first",
)
def list_waiting(request):
    return selectors.requests_waiting_for(user=request.user)


@router.get(
    "/approval-requests/{request_id}",
    response={200: RequestDetailOut, **errors(404, 422)},
    summary="A request with its decisions (and, for its approvers, the customer's concessions)",
)
def get_request(request, request_id: int):
    return _detail(request.user, request_id)


@router.post(
    "/approval-requests/{request_id}/decide",
    response={200: RequestDetailOut, **errors(400, 403, 404, 422)},
    summary="Approve or reject a request (never your own)",
)
def decide_request(request, request_id: int, payload: DecideIn):
    found = selectors.request_get_for_user(user=request.user, pk=request_id)
    services.request_decide(
        by=request.user, request=found, decision=payload.decision.value, comment=payload.comment
    )
    return _detail(request.user, request_id)


@router.post(
    "/approval-requests/{request_id}/withdraw",
    response={200: RequestDetailOut, **errors(403, 404, 422)},
    summary="Withdraw your pending request",
)
def withdraw_request(request, request_id: int):
    found = selectors.request_get_for_user(user=request.user, pk=request_id)
    services.request_withdraw(by=request.user, request=found)
    return _detail(request.user, request_id)
