"""Customers and contacts in the REST API. Thin: resolve ids through the user's view of the
book, call the services, shape the output."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from tend.accounts.models import User
from tend.api.schemas import ErrorOut, Id, PageQuery, errors
from tend.core.decimals import MoneyIn

from . import selectors, services
from .models import Customer, Territory

router = Router(tags=["customers"])


class ContactIn(Schema):
    name: str
    title: str = ""
    email: str = ""
    phone: str = ""
    mobile: str = ""
    whatsapp: str = ""
    wechat: str = ""
    language: str = "en"
    role: str = ""
    is_primary: bool = False


class ContactPatch(Schema):
    name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    whatsapp: str | None = None
    wechat: str | None = None
    language: str | None = None
    role: str | None = None
    is_primary: bool | None = None


class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    title: str
    email: str
    phone: str
    mobile: str
    whatsapp: str
    wechat: str
    language: str
    role: str
    is_primary: bool


class CustomerPatch(Schema):
    name: str | None = None
    external_id: str | None = None
    local_name: str | None = None
    country: str | None = None
    city: str | None = None
    time_zone: str | None = Field(None, description="Empty to derive it from country and city.")
    type: str | None = None
    territory: str | None = Field(None, description="Territory name.")
    tier: str | None = None
    status: str | None = None
    lost_reason: str | None = Field(
        None,
        description="Required with status “lost” (one of the lost reasons): the customer is "
        "marked lost with it, as on its page. A lost customer's status changes only by an "
        "order (won back).",
    )
    owner_id: Id | None = Field(None, description="Null puts the customer in the pool.")
    backup_owner_id: Id | None = None
    source: str | None = None
    referred_by_id: Id | None = None
    currency: str | None = None
    incoterm: str | None = None
    payment_terms: str | None = Field(
        None,
        description="Set and changed only by an approved request: given at creation, it is "
        "asked for (applied at once within policy, else once approved).",
    )
    tags: list[str] | None = None
    notes: str | None = None
    cadence_days: int | None = Field(None, ge=1, le=365, description="Empty: the tier's.")
    credit_limit: MoneyIn | None = Field(
        None,
        description="Like payment terms: given at creation, it is asked for by an approved "
        "request (applied at once within policy, else once approved).",
    )


class CustomerIn(CustomerPatch):
    name: str
    country: str
    contacts: list[ContactIn] = []
    allow_duplicate: bool = False


class CustomerOut(Schema):
    id: int
    name: str
    external_id: str
    local_name: str
    country: str
    city: str
    time_zone: str
    type: str
    territory: str | None
    tier: str
    status: str
    owner_id: int | None
    owner: str | None
    backup_owner_id: int | None
    source: str
    referred_by_id: int | None
    currency: str
    incoterm: str
    payment_terms: str
    tags: list[str]
    notes: str
    cadence_days: int | None
    credit_limit: Decimal | None
    last_outbound_at: datetime | None
    touch_due_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_referred_by_id(obj: Customer) -> int | None:
        from django.core.exceptions import ObjectDoesNotExist

        try:
            return obj.referral_received.referrer_id
        except ObjectDoesNotExist:
            return None

    @staticmethod
    def resolve_territory(obj: Customer) -> str | None:
        return obj.territory.name if obj.territory_id else None

    @staticmethod
    def resolve_owner(obj: Customer) -> str | None:
        return str(obj.owner) if obj.owner_id else None

    @staticmethod
    def resolve_tags(obj: Customer) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class CustomerDetailOut(CustomerOut):
    contacts: list[ContactOut]

    @staticmethod
    def resolve_contacts(obj: Customer) -> list:
        return list(obj.contacts.all())


class CustomerPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CustomerOut]


class CustomerQuery(PageQuery):
    q: str = ""
    country: str = ""
    tier: str = ""
    status: str = ""
    type: str = ""
    owner: str = Field(
        "", pattern=r"^(me|pool|\d{1,18})?$", description="A user id, 'me' or 'pool'."
    )
    tag: str = ""
    sort: str = selectors.DEFAULT_SORT


class DuplicateMatchOut(Schema):
    id: int | None = Field(description="Empty when you may not see it.")
    name: str
    matched_on: str
    owner: str | None


class DuplicateOut(ErrorOut):
    matches: list[DuplicateMatchOut]


class PersonRef(Schema):
    id: int
    name: str


class ClaimedOut(ErrorOut):
    owner: PersonRef | None = Field(description="Who has it now.")


def _resolve_customer_fields(user: User, data: dict[str, Any]) -> dict[str, Any]:
    """Turn ids and names from the request into records, each looked up through what the user
    may see; an unknown one is a field error."""
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in data.items():
        if key in ("owner_id", "backup_owner_id"):
            name = key.removesuffix("_id")
            if value is None:
                fields[name] = None
            else:
                person = User.objects.filter(pk=value, is_active=True).first()
                if person is None:
                    errors[key] = _("No active person with id %(id)s.") % {"id": value}
                fields[name] = person
        elif key == "territory":
            if not value:
                fields["territory"] = None
            else:
                territory = Territory.objects.filter(name=value).first()
                if territory is None:
                    errors[key] = _("Unknown territory “%(name)s”.") % {"name": value}
                fields["territory"] = territory
        elif key == "referred_by_id":
            if value is None:
                fields["referred_by"] = None
            else:
                try:
                    fields["referred_by"] = selectors.customer_get_for_user(user=user, pk=value)
                except Http404:
                    errors[key] = _("No customer with id %(id)s.") % {"id": value}
        else:
            fields[key] = value
    if errors:
        raise ValidationError(errors)
    return fields


def _rename_errors(exc: ValidationError) -> ValidationError:
    """Report errors under the API's field names (owner_id, not owner)."""
    renames = {
        "owner": "owner_id",
        "backup_owner": "backup_owner_id",
        "referred_by": "referred_by_id",
    }
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {renames.get(field, field): messages for field, messages in exc.message_dict.items()}
    )


def _detail(user: User, pk: int) -> Customer:
    customer = selectors.customer_get_for_user(user=user, pk=pk)
    prefetch_related_objects([customer], "tags", "contacts")
    return customer


@router.get(
    "/customers", response={200: CustomerPage, **errors(422)}, summary="List customers you may see"
)
def list_customers(request, query: Query[CustomerQuery]):
    filters = selectors.CustomerFilters(**query.dict(exclude={"page", "page_size"}))
    queryset = selectors.customer_list(user=request.user, filters=filters)
    offset = (query.page - 1) * query.page_size
    return {
        "count": selectors.customer_list_count(user=request.user, filters=filters),
        "page": query.page,
        "page_size": query.page_size,
        "results": list(queryset[offset : offset + query.page_size]),
    }


@router.post(
    "/customers",
    response={201: CustomerDetailOut, **errors(400, 403, 422), 409: DuplicateOut},
    summary="Create a customer",
)
def create_customer(request, payload: CustomerIn):
    data = payload.dict(exclude_unset=True)
    contacts = data.pop("contacts", [])
    tags = data.pop("tags", None) or []
    allow_duplicate = data.pop("allow_duplicate", False)
    try:
        customer = services.customer_create(
            by=request.user,
            fields=_resolve_customer_fields(request.user, data),
            tags=tags,
            contacts=contacts,
            allow_duplicate=allow_duplicate,
        )
    except ValidationError as exc:
        raise _rename_errors(exc) from exc
    return Status(201, _detail(request.user, customer.pk))


@router.get(
    "/customers/{customer_id}",
    response={200: CustomerDetailOut, **errors(404, 422)},
    summary="Get a customer",
)
def get_customer(request, customer_id: int):
    return _detail(request.user, customer_id)


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerDetailOut, **errors(400, 403, 404, 422)},
    summary="Change a customer",
)
def update_customer(request, customer_id: int, payload: CustomerPatch):
    customer = selectors.customer_get_for_user(user=request.user, pk=customer_id)
    data = payload.dict(exclude_unset=True)
    tags = data.pop("tags", None)
    try:
        services.customer_update(
            by=request.user,
            customer=customer,
            fields=_resolve_customer_fields(request.user, data),
            tags=tags,
        )
    except ValidationError as exc:
        raise _rename_errors(exc) from exc
    return _detail(request.user, customer_id)


@router.delete(
    "/customers/{customer_id}",
    response={204: None, **errors(403, 404, 409, 422)},
    summary="Delete a customer",
)
def delete_customer(request, customer_id: int):
    customer = selectors.customer_get_for_user(user=request.user, pk=customer_id)
    services.customer_delete(by=request.user, customer=customer)
    return Status(204, None)


@router.get(
    "/customers/{customer_id}/contacts",
    response={200: list[ContactOut], **errors(404, 422)},
    summary="A customer's contacts",
)
def list_contacts(request, customer_id: int):
    customer = selectors.customer_get_for_user(user=request.user, pk=customer_id)
    return list(customer.contacts.all())


@router.post(
    "/customers/{customer_id}/contacts",
    response={201: ContactOut, **errors(400, 404, 422)},
    summary="Add a contact",
)
def create_contact(request, customer_id: int, payload: ContactIn):
    customer = selectors.customer_get_for_user(user=request.user, pk=customer_id)
    contact = services.contact_create(by=request.user, customer=customer, fields=payload.dict())
    return Status(201, contact)


@router.get(
    "/contacts/{contact_id}",
    response={200: ContactOut, **errors(404, 422)},
    summary="Get a contact",
)
def get_contact(request, contact_id: int):
    return selectors.contact_get_for_user(user=request.user, pk=contact_id)


@router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, **errors(400, 404, 422)},
    summary="Change a contact",
)
def update_contact(request, contact_id: int, payload: ContactPatch):
    contact = selectors.contact_get_for_user(user=request.user, pk=contact_id)
    return services.contact_update(
        by=request.user, contact=contact, fields=payload.dict(exclude_unset=True)
    )


@router.delete(
    "/contacts/{contact_id}",
    response={204: None, **errors(404, 422)},
    summary="Delete a contact",
)
def delete_contact(request, contact_id: int):
    contact = selectors.contact_get_for_user(user=request.user, pk=contact_id)
    services.contact_delete(by=request.user, contact=contact)
    return Status(204, None)


class ReleaseIn(Schema):
    reason: str


class AssignIn(Schema):
    owner_id: Id | None = Field(None, description="Null puts the customer in the pool.")
    reason: str = ""


@router.post(
    "/customers/{customer_id}/claim",
    response={200: CustomerOut, **errors(404, 422), 409: ClaimedOut},
    summary="Claim from the pool",
)
def claim_customer(request, customer_id: int):
    customer = selectors.customer_get_for_user(user=request.user, pk=customer_id)
    return services.customer_claim(by=request.user, customer=customer)


@router.post(
    "/customers/{customer_id}/release",
    response={200: CustomerOut, **errors(400, 403, 404, 422)},
    summary="Release to the pool",
)
def release_customer(request, customer_id: int, payload: ReleaseIn):
    customer = selectors.customer_get_for_user(user=request.user, pk=customer_id)
    return services.customer_release(by=request.user, customer=customer, reason=payload.reason)


@router.post(
    "/customers/{customer_id}/assign",
    response={200: CustomerOut, **errors(400, 403, 404, 422)},
    summary="Assign an owner",
)
def assign_customer(request, customer_id: int, payload: AssignIn):
    customer = selectors.customer_get_for_user(user=request.user, pk=customer_id)
    owner = None
    if payload.owner_id is not None:
        owner = User.objects.filter(pk=payload.owner_id, is_active=True).first()
        if owner is None:
            raise ValidationError(
                {"owner_id": _("No active person with id %(id)s.") % {"id": payload.owner_id}}
            )
    try:
        return services.customer_assign(
            by=request.user, customer=customer, owner=owner, reason=payload.reason
        )
    except ValidationError as exc:
        raise _rename_errors(exc) from exc
