"""Interactions, inquiries and promises in the REST API. Thin: resolve ids through the user's
view of the book, call the services, shape the output."""

import zoneinfo
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tend.accounts.models import User
from tend.api.schemas import Id, Moment, PageQuery, errors
from tend.customers.models import Contact
from tend.customers.selectors import customer_get_for_user, customers_visible_to

from . import selectors, services
from .models import Channel, Direction, Interaction, Promise, PromiseKind, PromiseOutcome

router = Router(tags=["engagement"])


# ---------------------------------------------------------------------------------------------
# Schemas


class PromiseIn(Schema):
    kind: PromiseKind
    due_at: Moment = Field(description="Without a time zone: in your own time zone.")
    description: str = ""
    contact_id: Id | None = None


class InteractionIn(Schema):
    channel: Channel
    direction: Direction
    at: Moment | None = Field(None, description="Empty for now; without a time zone: yours.")
    subject: str = ""
    summary: str = ""
    contact_ids: list[Id] = []
    person_ids: list[Id] = Field([], description="Our other people in it (you are added).")
    needs_answer: bool = Field(False, description="An inbound message waiting for our answer.")
    promise: PromiseIn | None = Field(None, description="A promise made in this conversation.")


class PromiseOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    contact_id: int | None
    kind: str
    description: str
    made_by_id: int
    made_by_name: str
    made_at: datetime
    due_at: datetime
    interaction_id: int | None
    outcome: str
    outcome_at: datetime | None
    outcome_reason: str
    closed_by_id: int | None
    broken_automatically: bool
    overdue: bool

    @staticmethod
    def resolve_customer_name(obj: Promise) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_made_by_name(obj: Promise) -> str:
        return str(obj.made_by)

    @staticmethod
    def resolve_overdue(obj: Promise) -> bool:
        return obj.is_overdue()


class InteractionOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    channel: str
    direction: str
    at: datetime
    subject: str
    summary: str
    contact_ids: list[int]
    person_ids: list[int]
    logged_by_id: int
    needs_answer: bool
    answered_by_id: int | None = Field(description="The interaction that answered this inquiry.")
    answered_at: datetime | None
    responder_id: int | None
    response_hours: float | None = Field(
        description="Working hours of the customer (their zone, week and public holidays) to "
        "the answer."
    )
    promises: list[PromiseOut]

    @staticmethod
    def resolve_customer_name(obj: Interaction) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_contact_ids(obj: Interaction) -> list[int]:
        return sorted(contact.pk for contact in obj.contacts.all())

    @staticmethod
    def resolve_person_ids(obj: Interaction) -> list[int]:
        return sorted(person.pk for person in obj.people.all())

    @staticmethod
    def resolve_promises(obj: Interaction) -> list:
        return list(obj.promises.all())


class InteractionPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[InteractionOut]


class InquiryOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    owner_id: int | None
    channel: str
    at: datetime
    subject: str
    answered: bool
    answer_id: int | None = Field(description="The outbound interaction that answered it.")
    answered_at: datetime | None
    responder_id: int | None
    response_hours: float | None = Field(
        description="Working hours of the customer (their zone, week and public holidays) to "
        "the answer."
    )
    waiting_hours: float | None = Field(
        description="Open only: working hours waited so far, on the customer's clock."
    )

    @staticmethod
    def resolve_customer_name(obj: Interaction) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_owner_id(obj: Interaction) -> int | None:
        return obj.customer.owner_id

    @staticmethod
    def resolve_answered(obj: Interaction) -> bool:
        return obj.answered_at is not None

    @staticmethod
    def resolve_answer_id(obj: Interaction) -> int | None:
        return obj.answered_by_id

    @staticmethod
    def resolve_waiting_hours(obj: Interaction) -> float | None:
        return getattr(obj, "waiting_hours", None)


class InquiryPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[InquiryOut]


class InquiryQuery(PageQuery):
    status: Literal["open", "answered", "all"] = "open"
    owner: str = Field(
        "",
        pattern=r"^(me|pool|\d{1,18})?$",
        description="The customer's owner: a user id, 'me' or 'pool'.",
    )
    customer: Id | None = Field(None, description="A customer id.")
    older_than_hours: float | None = Field(
        None,
        ge=0,
        le=2000,
        description="Arrived at least this many working hours ago (the customer's: their zone, "
        "working week and public holidays); at most about a working year.",
    )


class PromisePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PromiseOut]


class PromiseQuery(PageQuery):
    status: PromiseOutcome | None = Field(None, description="The outcome.")
    made_by: str = Field("", pattern=r"^(me|\d{1,18})?$", description="A user id or 'me'.")
    customer: Id | None = Field(None, description="A customer id.")
    due_before: Moment | None = None
    due_after: Moment | None = None


class PromiseCloseIn(Schema):
    done: bool = Field(description="True: kept (late if past due). False: withdrawn.")
    reason: str = Field("", description="Required when withdrawing.")


# ---------------------------------------------------------------------------------------------
# Helpers


def _now() -> datetime:
    """The present moment (one place for tests to hold the clock)."""
    return timezone.now()


def _aware(value: datetime | None, user: User) -> datetime | None:
    """A time without a time zone is read in the user's own."""
    if value is None or timezone.is_aware(value):
        return value
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.make_aware(value, zone)


def _contacts(user: User, ids: list[int], field: str, errors: dict[str, list[str]]) -> list:
    """Contacts by id among the customers the user may see; an unknown one is a field error."""
    if not ids:
        return []
    found = {
        contact.pk: contact
        for contact in Contact.objects.filter(
            pk__in=ids, customer__in=customers_visible_to(user=user)
        )
    }
    for pk in dict.fromkeys(ids):
        if pk not in found:
            errors.setdefault(field, []).append(_("No contact with id %(id)s.") % {"id": pk})
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]


def _people(ids: list[int], errors: dict[str, list[str]]) -> list[User]:
    if not ids:
        return []
    found = {person.pk: person for person in User.objects.filter(pk__in=ids, is_active=True)}
    for pk in dict.fromkeys(ids):
        if pk not in found:
            errors.setdefault("person_ids", []).append(
                _("No active person with id %(id)s.") % {"id": pk}
            )
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]


def _renamed(exc: ValidationError, renames: dict[str, str]) -> ValidationError:
    """Report the services' errors under the API's field names."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {renames.get(field, field): messages for field, messages in exc.message_dict.items()}
    )


# The service's field names for an interaction and its promise do not overlap.
INTERACTION_RENAMES = {
    "contacts": "contact_ids",
    "people": "person_ids",
    "kind": "promise.kind",
    "due_at": "promise.due_at",
    "description": "promise.description",
    "contact": "promise.contact_id",
}
PROMISE_RENAMES = {"contact": "contact_id"}


def _promises_with_relations() -> QuerySet[Promise]:
    return Promise.objects.select_related("customer", "made_by").order_by("due_at", "id")


def _interaction_prefetches() -> list:
    return [
        "contacts",
        "people",
        Prefetch("promises", queryset=_promises_with_relations()),
    ]


def _interaction_detail(user: User, pk: int) -> Interaction:
    interaction = selectors.interaction_get_for_user(user=user, pk=pk)
    prefetch_related_objects([interaction], *_interaction_prefetches())
    return interaction


def _page(queryset: QuerySet, query: PageQuery) -> dict[str, Any]:
    offset = (query.page - 1) * query.page_size
    return {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "results": list(queryset[offset : offset + query.page_size]),
    }


# ---------------------------------------------------------------------------------------------
# Interactions


@router.get(
    "/customers/{customer_id}/interactions",
    response={200: InteractionPage, **errors(404, 422)},
    summary="A customer's interactions, newest first",
)
def list_interactions(request, customer_id: int, query: Query[PageQuery]):
    customer = customer_get_for_user(user=request.user, pk=customer_id)
    queryset = (
        Interaction.objects.filter(customer=customer)
        .select_related("customer")
        .prefetch_related(*_interaction_prefetches())
        .order_by("-at", "-id")
    )
    return _page(queryset, query)


@router.post(
    "/customers/{customer_id}/interactions",
    response={201: InteractionOut, **errors(400, 404, 422)},
    summary="Log an interaction (and a promise made in it)",
)
def create_interaction(request, customer_id: int, payload: InteractionIn):
    user = request.user
    customer = customer_get_for_user(user=user, pk=customer_id)
    errors: dict[str, list[str]] = {}
    contacts = _contacts(user, payload.contact_ids, "contact_ids", errors)
    people = _people(payload.person_ids, errors)
    promise = None
    if payload.promise is not None:
        promise_contact = None
        if payload.promise.contact_id is not None:
            found = _contacts(user, [payload.promise.contact_id], "promise.contact_id", errors)
            promise_contact = found[0] if found else None
        promise = {
            "kind": payload.promise.kind.value,
            "due_at": _aware(payload.promise.due_at, user),
            "description": payload.promise.description,
            "contact": promise_contact,
        }
    if errors:
        raise ValidationError(errors)
    try:
        interaction = services.interaction_log(
            by=user,
            customer=customer,
            channel=payload.channel.value,
            direction=payload.direction.value,
            at=_aware(payload.at, user),
            subject=payload.subject,
            summary=payload.summary,
            contacts=contacts,
            people=people,
            needs_answer=payload.needs_answer,
            promise=promise,
        )
    except ValidationError as exc:
        raise _renamed(exc, INTERACTION_RENAMES) from exc
    return Status(201, _interaction_detail(user, interaction.pk))


@router.get(
    "/interactions/{interaction_id}",
    response={200: InteractionOut, **errors(404, 422)},
    summary="Get an interaction",
)
def get_interaction(request, interaction_id: int):
    return _interaction_detail(request.user, interaction_id)


# ---------------------------------------------------------------------------------------------
# Inquiries


@router.get(
    "/inquiries",
    response={200: InquiryPage, **errors(422)},
    summary="Inquiries waiting for an answer (or answered) at customers you may see",
)
def list_inquiries(request, query: Query[InquiryQuery]):
    user = request.user
    now = _now()
    queryset = Interaction.objects.filter(
        needs_answer=True, customer__in=customers_visible_to(user=user)
    ).select_related("customer", "customer__owner")
    if query.status == "open":
        queryset = queryset.filter(answered_at__isnull=True).order_by("at", "id")
    elif query.status == "answered":
        queryset = queryset.filter(answered_at__isnull=False).order_by("-answered_at", "-id")
    else:
        queryset = queryset.order_by("-at", "-id")
    if query.owner == "me":
        queryset = queryset.filter(customer__owner=user)
    elif query.owner == "pool":
        queryset = queryset.filter(customer__owner__isnull=True)
    elif query.owner:
        queryset = queryset.filter(customer__owner_id=int(query.owner))
    if query.customer is not None:
        queryset = queryset.filter(customer_id=query.customer)
    if query.older_than_hours is not None:
        queryset = queryset.filter(
            selectors.inquiries_waited(queryset, hours=query.older_than_hours, now=now)
        )
    page = _page(queryset, query)
    for inquiry in page["results"]:
        if inquiry.answered_at is None:
            customer = inquiry.customer
            inquiry.waiting_hours = services.customer_working_hours(
                time_zone=selectors.zone_name(customer.time_zone),
                country=customer.country,
                start=inquiry.at,
                end=now,
            )
    return page


# ---------------------------------------------------------------------------------------------
# Promises


@router.get(
    "/promises",
    response={200: PromisePage, **errors(422)},
    summary="Promises at customers you may see",
)
def list_promises(request, query: Query[PromiseQuery]):
    user = request.user
    queryset = _promises_with_relations().filter(customer__in=customers_visible_to(user=user))
    if query.status is not None:
        queryset = queryset.filter(outcome=query.status.value)
    if query.made_by == "me":
        queryset = queryset.filter(made_by=user)
    elif query.made_by:
        queryset = queryset.filter(made_by_id=int(query.made_by))
    if query.customer is not None:
        queryset = queryset.filter(customer_id=query.customer)
    if query.due_before is not None:
        queryset = queryset.filter(due_at__lt=_aware(query.due_before, user))
    if query.due_after is not None:
        queryset = queryset.filter(due_at__gte=_aware(query.due_after, user))
    return _page(queryset, query)


@router.post(
    "/customers/{customer_id}/promises",
    response={201: PromiseOut, **errors(400, 404, 422)},
    summary="Make a promise",
)
def create_promise(request, customer_id: int, payload: PromiseIn):
    user = request.user
    customer = customer_get_for_user(user=user, pk=customer_id)
    errors: dict[str, list[str]] = {}
    contact = None
    if payload.contact_id is not None:
        found = _contacts(user, [payload.contact_id], "contact_id", errors)
        contact = found[0] if found else None
    if errors:
        raise ValidationError(errors)
    try:
        promise = services.promise_make(
            by=user,
            customer=customer,
            kind=payload.kind.value,
            due_at=_aware(payload.due_at, user),
            description=payload.description,
            contact=contact,
        )
    except ValidationError as exc:
        raise _renamed(exc, PROMISE_RENAMES) from exc
    return Status(201, selectors.promise_get_for_user(user=user, pk=promise.pk))


@router.get(
    "/promises/{promise_id}",
    response={200: PromiseOut, **errors(404, 422)},
    summary="Get a promise",
)
def get_promise(request, promise_id: int):
    return selectors.promise_get_for_user(user=request.user, pk=promise_id)


@router.post(
    "/promises/{promise_id}/close",
    response={200: PromiseOut, **errors(400, 404, 422)},
    summary="Close a promise: done (kept or kept late) or withdrawn",
)
def close_promise(request, promise_id: int, payload: PromiseCloseIn):
    promise = selectors.promise_get_for_user(user=request.user, pk=promise_id)
    try:
        services.promise_close(
            by=request.user, promise=promise, done=payload.done, reason=payload.reason
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        # Not about a field: the promise itself cannot be closed (already closed).
        return Status(422, {"message": " ".join(exc.messages), "errors": {"__all__": exc.messages}})
    return selectors.promise_get_for_user(user=request.user, pk=promise_id)
