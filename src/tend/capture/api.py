"""Captured conversations in the REST API: other systems post raw mail for a customer; anyone
lists what they may see. Thin: visibility through the selectors, writes through the services."""

import base64
import binascii
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status

from tend.api.schemas import Id, PageQuery, errors
from tend.customers.selectors import customer_get_for_user

from . import selectors, services
from .models import CapturedMessage, Source

router = Router(tags=["capture"])
MAX_RAW = 25 * 1024 * 1024


class RawMessageIn(Schema):
    raw: str = Field(
        max_length=MAX_RAW * 2,
        description="The whole RFC 822 message: as text, or base64 when `base64` is true "
        "(for 8-bit bodies such as GBK mail).",
    )
    base64: bool = False


class CapturedAttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class CapturedMessageOut(Schema):
    id: int
    customer_id: int | None
    channel: str
    source: str
    direction: str = Field(description="in: from the customer; out: from us.")
    at: datetime
    subject: str
    from_address: str
    from_name: str
    to_addresses: str
    text: str
    message_id: str
    thread_key: str
    match: str = Field(description="How the customer was found (contact, domain, thread...).")
    asks: bool = Field(description="An inbound message that asks something: an inquiry.")
    interaction_id: int | None
    attachments: list[CapturedAttachmentOut]

    @staticmethod
    def resolve_attachments(obj: CapturedMessage) -> list:
        return list(obj.attachments.all())


class CapturedPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CapturedMessageOut]


class CapturedQuery(PageQuery):
    customer_id: Id | None = Field(None, description="Only this customer's messages.")
    to_file: bool = Field(False, description="Only messages waiting to be filed.")


@router.post(
    "/customers/{customer_id}/messages",
    response={201: CapturedMessageOut, 200: CapturedMessageOut, **errors(400, 404, 422)},
    summary="Capture a raw RFC 822 message for a customer (200 when it was already captured)",
)
def post_message(request, customer_id: Id, payload: RawMessageIn):
    customer = customer_get_for_user(user=request.user, pk=customer_id)
    if payload.base64:
        try:
            data = base64.b64decode(payload.raw, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({"raw": ["This is not base64."]}) from None
    else:
        data = payload.raw.encode("utf-8", errors="surrogateescape")
    if len(data) > MAX_RAW:
        raise ValidationError({"raw": ["The message is larger than 25 MB."]})
    try:
        mails = services.mail_file_read(data=data)
    except ValidationError as exc:
        raise ValidationError({"raw": exc.message_dict.get("file", exc.messages)}) from None
    if len(mails) != 1:
        raise ValidationError({"raw": ["Post one message at a time."]})
    result = services.mails_capture(
        mails=mails, by=request.user, source=Source.API, customer=customer
    )
    visible = selectors.messages_visible_to(user=request.user).prefetch_related("attachments")
    if result.message_ids:
        return Status(201, visible.get(pk=result.message_ids[0]))
    existing = visible.filter(mailbox__isnull=True, key=mails[0].key[:300]).first()
    if existing is None:
        raise ValidationError({"raw": ["This message was captured before and excluded."]})
    return Status(200, existing)


@router.get(
    "/captured-messages",
    response={200: CapturedPage, **errors(404, 422)},
    summary="Captured mail and chat messages you may see, newest first",
)
def list_messages(request, query: Query[CapturedQuery]) -> dict[str, Any]:
    queryset = selectors.messages_visible_to(user=request.user)
    if query.customer_id is not None:
        customer = customer_get_for_user(user=request.user, pk=query.customer_id)
        queryset = queryset.filter(customer=customer)
    if query.to_file:
        queryset = queryset.filter(customer__isnull=True)
    queryset = queryset.prefetch_related("attachments").order_by("-at", "-id")
    offset = (query.page - 1) * query.page_size
    return {
        "count": queryset.count(),
        "page": query.page,
        "page_size": query.page_size,
        "results": list(queryset[offset : offset + query.page_size]),
    }
