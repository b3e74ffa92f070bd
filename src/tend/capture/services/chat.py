"""Importing a WhatsApp chat export for one customer, after the rep's preview: which date order,
which zone the phone was in, which participant is which contact (or one of us).

Each chat line is kept as a captured message (so a re-import of an overlapping export adds
nothing twice: its key is the customer, the time, the sender and the text). The timeline gets
one interaction per run of lines from the same side on the same day: a chat is many short
lines, and the rep wants "they asked, we answered", not forty entries."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tend.accounts.models import User
from tend.customers.models import Customer
from tend.engagement.models import Direction

from .. import bulk
from ..models import CapturedAttachment, CapturedMessage, ChatUpload, Match, Source
from ..parsing.detect import asks_something
from ..parsing.whatsapp import Chat, ChatError, read_export
from .drive import interactions_create, promises_suggest

US = "us"


@dataclass
class ChatImportResult:
    added: int
    skipped: int
    inquiries: int


def chat_upload_create(*, by: User, customer: Customer, filename: str, data: bytes) -> ChatUpload:
    """Keep the export until the rep confirms the preview. Unreadable files are refused now,
    with the reason, and nothing is kept."""
    try:
        read_export(data, filename=filename)
    except ChatError as exc:
        raise ValidationError({"file": str(exc)}) from None
    with transaction.atomic():
        upload = ChatUpload(customer=customer, uploaded_by=by, filename=filename[:200])
        upload.file.save(
            f"{hashlib.sha256(data).hexdigest()[:16]}.bin", ContentFile(data), save=False
        )
        upload.save()
    return upload


def chat_upload_read(*, upload: ChatUpload, date_order: str | None = None) -> Chat:
    with upload.file.open("rb") as handle:
        data = handle.read()
    try:
        return read_export(data, filename=upload.filename, date_order=date_order)
    except ChatError as exc:
        raise ValidationError({"date_order": str(exc)}) from None


def chat_key(customer_id: int, at: datetime, sender: str, text: str, media: list[str]) -> str:
    raw = f"{customer_id}\x1f{at.isoformat()}\x1f{sender}\x1f{text}\x1f{'|'.join(media)}"
    return "wa:" + hashlib.sha256(raw.encode()).hexdigest()


def chat_import(
    *,
    by: User,
    customer: Customer,
    chat: Chat,
    time_zone: str,
    roles: dict[str, str],
    now: datetime | None = None,
) -> ChatImportResult:
    """Import a parsed chat. ``roles`` maps each participant to ``"us"`` or a contact id of this
    customer (as a string); a participant left out is read as the customer's side."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": _("Unknown time zone.")}) from None
    contact_ids = set(customer.contacts.values_list("pk", flat=True))
    contacts: dict[str, int | None] = {}
    ours: set[str] = set()
    for name, role in roles.items():
        if role == US:
            ours.add(name)
        elif role:
            if not str(role).isdigit() or int(role) not in contact_ids:
                raise ValidationError(
                    {"roles": _("%(name)s: not a contact of this customer.") % {"name": name}}
                )
            contacts[name] = int(role)
    if not ours:
        raise ValidationError({"roles": _("Say which participant is us.")})
    now = now or timezone.now()
    rows, media = [], []
    for message in chat.messages:
        at = message.at.replace(tzinfo=zone)
        if at > now:
            raise ValidationError({"time_zone": _("Messages would be in the future in this zone.")})
        key = chat_key(customer.pk, at, message.sender, message.text, message.media)
        direction = Direction.OUTBOUND if message.sender in ours else Direction.INBOUND
        rows.append(
            CapturedMessage(
                source=Source.WHATSAPP,
                channel="whatsapp",
                key=key,
                direction=direction,
                customer=customer,
                contact_id=contacts.get(message.sender),
                match=Match.CHOSEN,
                from_name=message.sender,
                text=message.text,
                at=at,
                asks=direction == Direction.INBOUND and asks_something(message.text),
                captured_by=by,
                captured_at=now,
            )
        )
        media.append(message.media)
    written: list[str] = []
    try:
        with transaction.atomic():
            existing = set()
            keys = [row.key for row in rows]
            for start in range(0, len(keys), 5000):
                existing.update(
                    CapturedMessage.objects.filter(
                        mailbox__isnull=True, key__in=keys[start : start + 5000]
                    ).values_list("key", flat=True)
                )
            fresh, fresh_media, seen = [], [], set(existing)
            for row, names in zip(rows, media, strict=True):
                if row.key not in seen:
                    seen.add(row.key)
                    fresh.append(row)
                    fresh_media.append(names)
            heads = _runs(fresh)
            inquiries = interactions_create(messages=heads, logged_by_id=by.pk)
            for lead in heads:
                for row in lead.run:
                    row.interaction_id = lead.interaction_id
            bulk.insert(CapturedMessage, fresh)
            for lead in heads:
                lead.pk = lead.run[0].pk
            promises_suggest(messages=heads)
            files = []
            for row, names in zip(fresh, fresh_media, strict=True):
                for name in names:
                    content = chat.media_files.get(name)
                    if content is None:
                        continue
                    stored = default_storage.save(
                        f"capture/{row.at:%Y/%m}/{name}", ContentFile(content)
                    )
                    written.append(stored)
                    files.append(
                        CapturedAttachment(
                            message=row, filename=name[:200], size=len(content), file=stored
                        )
                    )
            CapturedAttachment.objects.bulk_create(files, batch_size=500)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return ChatImportResult(added=len(fresh), skipped=len(rows) - len(fresh), inquiries=inquiries)


def _runs(rows: list[CapturedMessage]) -> list[CapturedMessage]:
    """One interaction per run of same-side lines on one day: the run's first line stands for
    it on the timeline, with the run's text; the other lines point at the same interaction."""
    runs: list[list[CapturedMessage]] = []
    for row in sorted(rows, key=lambda r: r.at):
        last = runs[-1][-1] if runs else None
        if last and last.direction == row.direction and last.at.date() == row.at.date():
            runs[-1].append(row)
        else:
            runs.append([row])
    heads = []
    for run in runs:
        first = run[0]
        lead = CapturedMessage(
            customer_id=first.customer_id,
            channel=first.channel,
            direction=first.direction,
            at=first.at,
            subject="",
            contact_id=next((r.contact_id for r in run if r.contact_id), None),
            text="\n".join(f"{r.from_name}: {r.text or '📎'}" for r in run),
            asks=any(r.asks for r in run),
            from_address="",
        )
        lead.run = run
        heads.append(lead)
    return heads
