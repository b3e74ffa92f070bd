"""Lost customers in the REST API: mark one lost, list them, read the reasons. Thin: resolve the
customer through the user's view of the book, call the service, shape the output."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from tend.api.schemas import Day, Id, PageQuery, errors
from tend.customers.selectors import customer_get_for_user

from .causes import LostReason
from .models import LostRecord
from .selectors import lost as selectors
from .services import lost as services

router = Router(tags=["lost customers"])


class LostIn(Schema):
    reason: LostReason = Field(description="One of GET /lost/reasons.")
    competitor: str = Field("", max_length=200, description="Who they went to, if known.")
    note: str = ""
    win_back_on: Day | None = Field(
        None, description="After today: a win-back task for the owner, 09:00 their time."
    )


class LostOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    country: str
    owner_id: int | None
    owner_name: str | None
    reason: str
    reason_label: str
    competitor: str
    note: str
    win_back_on: date | None
    annual_value: Decimal = Field(description="Base-currency revenue of the 12 months before.")
    previous_status: str
    marked_by_id: int
    marked_at: datetime
    won_back_at: datetime | None
    won_back_order_id: int | None
    won_back_order_number: str | None

    @staticmethod
    def resolve_customer_name(obj: LostRecord) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_country(obj: LostRecord) -> str:
        return obj.customer.country

    @staticmethod
    def resolve_owner_id(obj: LostRecord) -> int | None:
        return obj.customer.owner_id

    @staticmethod
    def resolve_owner_name(obj: LostRecord) -> str | None:
        return str(obj.customer.owner) if obj.customer.owner else None

    @staticmethod
    def resolve_reason_label(obj: LostRecord) -> str:
        return str(obj.get_reason_display())

    @staticmethod
    def resolve_won_back_order_number(obj: LostRecord) -> str | None:
        return obj.won_back_order.number if obj.won_back_order else None


class LostPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[LostOut]


class LostQuery(PageQuery):
    lost_from: Day | None = Field(None, description="Marked lost on or after this day.")
    lost_to: Day | None = Field(None, description="Marked lost on or before this day.")
    reason: LostReason | None = None
    team_id: Id | None = Field(None, description="The owner's team.")
    owner_id: Id | None = None
    pool: bool = Field(False, description="Only customers with no owner.")
    country: str = Field("", description="ISO 3166 alpha-2 code.")
    won_back: bool | None = Field(None, description="True: won back since; false: still lost.")


class LostReasonOut(Schema):
    value: str
    label: str


@router.post(
    "/customers/{customer_id}/lost",
    response={201: LostOut, **errors(400, 403, 404, 409, 422)},
    summary="Mark a customer lost, with the reason and a win-back date",
)
def mark_lost(request, customer_id: int, payload: LostIn):
    customer = customer_get_for_user(user=request.user, pk=customer_id)
    try:
        record = services.mark_lost(
            customer,
            by=request.user,
            reason=payload.reason.value,
            competitor=payload.competitor,
            note=payload.note,
            win_back_on=payload.win_back_on,
        )
    except services.AlreadyLost as exc:
        return Status(409, {"message": " ".join(exc.messages)})
    # ValidationError -> 422 and PermissionDenied -> 403 by the API's handlers.
    return Status(201, _get(request.user, record.pk))


@router.get(
    "/lost",
    response={200: LostPage, **errors(422)},
    summary="Lost customers you may see, newest first",
)
def list_lost(request, query: Query[LostQuery]):
    filters = selectors.LostFilters(
        start=query.lost_from,
        end=query.lost_to,
        team=query.team_id,
        owner="pool" if query.pool else str(query.owner_id or ""),
        reason=query.reason.value if query.reason else "",
        country=query.country,
        won_back=query.won_back,
    )
    queryset = selectors.lost_list(user=request.user, filters=filters)
    offset = (query.page - 1) * query.page_size
    page: dict[str, Any] = {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "results": list(queryset[offset : offset + query.page_size]),
    }
    return page


@router.get(
    "/lost/reasons",
    response={200: list[LostReasonOut], **errors()},
    summary="Why customers are lost: the taxonomy",
)
def lost_reasons(request):
    return [{"value": value, "label": str(label)} for value, label in LostReason.choices]


def _get(user, pk: int) -> LostRecord:
    return selectors.lost_list(user=user, filters=selectors.LostFilters()).get(pk=pk)
