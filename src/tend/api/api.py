"""The REST API under /api/v1/: session or token auth, JSON errors with a message per field."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from tend.accounts.services import api_token_authenticate
from tend.agenda.api import router as agenda_router
from tend.core.inputs import DB_INT_MAX as MAX_ID
from tend.customers.api import router as customers_router
from tend.customers.services import AlreadyClaimed, CustomerInUse, DuplicateCustomer
from tend.engagement.api import router as engagement_router


class BearerToken(HttpBearer):
    """``Authorization: Bearer tend_...``"""

    def authenticate(self, request, token):
        user = api_token_authenticate(key=token)
        if user is not None:
            request.user = user
        return user


class HeaderToken(APIKeyHeader):
    """``X-API-Key: tend_...`` for clients that cannot set Authorization."""

    param_name = "X-API-Key"

    def authenticate(self, request, key):
        user = api_token_authenticate(key=key or "")
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Tend API",
    version="1",
    description="Customer files, contacts and more. Authenticate with a personal API token "
    "(`Authorization: Bearer <token>`, created on the API tokens page) or a browser session.",
    urls_namespace="api",
    auth=[BearerToken(), HeaderToken(), django_auth],
)
api.add_router("/", customers_router)
api.add_router("/", engagement_router)
api.add_router("/", agenda_router)
api.add_router("/", "tend.orders.api.router")
api.add_router("/", "tend.approvals.api.router")
api.add_router("/", "tend.tasks.api.router")
api.add_router("/", "tend.cases.api.router")
api.add_router("/", "tend.health.api.router")
api.add_router("/", "tend.voice.api.router")
api.add_router("/", "tend.health.api_lost.router")
api.add_router("/", "tend.market.api.router")
api.add_router("/", "tend.reports.api.router")
api.add_router("/", "tend.capture.api.router")


def _field_name(loc: list) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc):
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(list(error.get("loc", []))), []).append(error["msg"])
    return _invalid(request, errors)


def _invalid(request, errors: dict[str, list[str]]):
    return api.create_response(
        request, {"message": _("The request has invalid fields."), "errors": errors}, status=422
    )


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _invalid(request, errors)


@api.exception_handler(DuplicateCustomer)
def on_duplicate(request, exc):
    matches = [
        {
            "id": match.customer.pk if match.visible else None,
            "name": match.customer.name,
            "matched_on": match.reason,
            "owner": str(match.customer.owner) if match.customer.owner else None,
        }
        for match in exc.matches
    ]
    return api.create_response(
        request,
        {
            "message": str(exc) + " Send allow_duplicate: true to create it anyway.",
            "matches": matches,
        },
        status=409,
    )


@api.exception_handler(AlreadyClaimed)
def on_already_claimed(request, exc):
    owner = {"id": exc.owner.pk, "name": str(exc.owner)} if exc.owner else None
    return api.create_response(request, {"message": str(exc), "owner": owner}, status=409)


@api.exception_handler(CustomerInUse)
def on_customer_in_use(request, exc):
    return api.create_response(request, {"message": str(exc)}, status=409)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"message": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return api.create_response(request, {"message": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return api.create_response(
        request, {"message": "Log in or send a valid API token."}, status=401
    )


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    """Ninja's own refusals, in the API's error shape: a body it cannot parse is a 400. (Text
    the database cannot store never gets here: ``core.middleware`` refuses it by field.)"""
    if exc.status_code == 400:
        message = _("The body is not valid JSON.")
        return api.create_response(
            request, {"message": message, "errors": {"body": [message]}}, status=400
        )
    return api.create_response(request, {"message": str(exc)}, status=exc.status_code)


@api.exception_handler(ProtectedError)
@api.exception_handler(RestrictedError)
def on_still_referred_to(request, exc):
    """A delete the database's references refuse (orders of a customer): a conflict, saying
    which records still refer to it."""
    referring = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in referring})
    return api.create_response(
        request,
        {
            "message": _("It cannot be deleted: it still has %(records)s.")
            % {"records": get_text_list(kinds, _("and"))}
        },
        status=409,
    )


def _out_of_range_fields(request) -> list[str]:
    """The request's parameters holding an integer no database column can hold."""

    def too_big(value) -> bool:
        try:
            return abs(int(value)) > MAX_ID
        except (TypeError, ValueError):
            return False

    found = [
        name for name, value in (request.resolver_match.kwargs or {}).items() if too_big(value)
    ]
    found += [name for name, value in request.GET.items() if too_big(value)]
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        body = None
    if isinstance(body, dict):
        found += [name for name, value in body.items() if too_big(value)]
    return found


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request, exc):
    """A value the database cannot hold (a number beyond 64 bits, a moment past its calendar):
    a field error, named when the request shows which."""
    message = _("This value is out of range.")
    return _invalid(
        request, {name: [message] for name in _out_of_range_fields(request) or ["__all__"]}
    )
