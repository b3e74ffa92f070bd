"""Capturing email: from an IMAP mailbox, an uploaded .eml/.mbox, or the API. Each message once
(unique per mailbox and Message-ID, or per hash of its bytes), matched to a customer or left in
the "to file" list, then driven (timeline, inquiries, touches, promise suggestions)."""

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tend.accounts.models import User
from tend.customers.matching import company_domain
from tend.customers.models import Customer
from tend.engagement.models import Direction

from .. import bulk
from ..matching import Matcher, our_addresses
from ..models import CapturedAttachment, CapturedMessage, Mailbox, Match
from ..parsing.detect import asks_something
from ..parsing.mail import (
    MailError,
    ParsedMail,
    iter_mbox,
    looks_like_mbox,
    parse_message,
    quoted_removed,
)
from .drive import interactions_create, promises_suggest

BATCH = 2000
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


@dataclass
class CaptureResult:
    added: int = 0
    skipped: int = 0
    filed: int = 0
    to_file: int = 0
    inquiries: int = 0
    message_ids: list[int] = field(default_factory=list)

    def __iadd__(self, other: "CaptureResult") -> "CaptureResult":
        self.added += other.added
        self.skipped += other.skipped
        self.filed += other.filed
        self.to_file += other.to_file
        self.inquiries += other.inquiries
        self.message_ids += other.message_ids
        return self


def mails_capture(
    *,
    mails: list[ParsedMail],
    by: User,
    source: str,
    mailbox: Mailbox | None = None,
    customer: Customer | None = None,
    now: datetime | None = None,
) -> CaptureResult:
    """Capture parsed mails in batches. ``customer`` files every one to that customer (an upload
    from the customer's page, the API). Safe to repeat: what was captured is skipped."""
    result = CaptureResult()
    for start in range(0, len(mails), BATCH):
        written: list[str] = []
        try:
            result += _capture_batch(
                mails[start : start + BATCH],
                by=by,
                source=source,
                mailbox=mailbox,
                customer=customer,
                now=now or timezone.now(),
                written=written,
            )
        except BaseException:
            for name in written:
                default_storage.delete(name)
            raise
    return result


def _people() -> dict[str, int]:
    return {
        email.lower(): pk
        for email, pk in User.objects.filter(is_active=True)
        .exclude(email="")
        .values_list("email", "pk")
    }


@transaction.atomic
def _capture_batch(mails, *, by, source, mailbox, customer, now, written) -> CaptureResult:
    result = CaptureResult()
    # Each message once in Tend: the same Message-ID arriving in a second mailbox (a shared
    # address in copy) or posted again by the API is not captured twice.
    keys = [m.key for m in mails]
    ids = [m.message_id for m in mails if m.message_id]
    seen = set(
        CapturedMessage.objects.filter(mailbox=mailbox, key__in=keys).values_list("key", flat=True)
    )
    seen |= set(
        CapturedMessage.objects.filter(message_id__in=ids).values_list("message_id", flat=True)
    )
    fresh = []
    for mail in mails:
        if mail.key in seen or mail.message_id in seen:
            result.skipped += 1
            continue
        seen.add(mail.key)
        fresh.append(mail)
    if not fresh:
        return result
    ours, our_domains = our_addresses([mailbox.address if mailbox else "", by.email])

    def outbound(mail: ParsedMail) -> bool:
        return mail.from_address in ours or company_domain(mail.from_address) in our_domains

    counterparts = {}
    for mail in fresh:
        if outbound(mail):
            others = [a for a in mail.to + mail.cc if a not in ours]
            counterparts[mail.key] = [a for a in others if company_domain(a) not in our_domains]
        else:
            counterparts[mail.key] = [mail.from_address] if mail.from_address else []
    matcher = Matcher(
        addresses={a for addrs in counterparts.values() for a in addrs},
        thread_ids={i for m in fresh for i in [*m.references, m.in_reply_to] if i},
        our_domains=our_domains,
    )
    fresh.sort(key=lambda m: m.date or now)
    rows, attachments = [], []
    for mail in fresh:
        thread_ids = [*mail.references, *([mail.in_reply_to] if mail.in_reply_to else [])]
        parent = matcher.parent(thread_ids)
        thread_key = parent[1] if parent and parent[1] else mail.thread_root
        direction = Direction.OUTBOUND if outbound(mail) else Direction.INBOUND
        if customer is not None:
            customer_id, contact_id, match, candidates = customer.pk, None, Match.CHOSEN, ()
            verdict = matcher.verdict(counterparts[mail.key], [])
            if verdict.customer_id == customer.pk:
                contact_id = verdict.contact_id
        else:
            verdict = matcher.verdict(counterparts[mail.key], thread_ids)
            customer_id, contact_id = verdict.customer_id, verdict.contact_id
            match, candidates = verdict.match, verdict.candidates
        at = min(mail.date or now, now)
        row = CapturedMessage(
            mailbox=mailbox,
            source=source,
            channel="email",
            key=mail.key[:300],
            message_id=mail.message_id,
            in_reply_to=mail.in_reply_to,
            thread_key=thread_key[:250],
            direction=direction,
            customer_id=customer_id,
            contact_id=contact_id,
            match=match,
            candidates=list(candidates),
            from_address=mail.from_address[:254],
            from_name=mail.from_name,
            to_addresses=", ".join(mail.to + mail.cc)[:5000],
            subject=mail.subject,
            text=mail.text,
            at=at,
            asks=direction == Direction.INBOUND
            and asks_something(mail.subject + "\n" + quoted_removed(mail.text)),
            captured_by=by,
            captured_at=now,
        )
        matcher.remember(mail.message_id, customer_id, row.thread_key)
        rows.append(row)
        attachments.append(mail.attachments)
    filed = [row for row in rows if row.customer_id]
    logged_by = mailbox.owner_id if mailbox and mailbox.owner_id else by.pk
    result.inquiries = interactions_create(messages=filed, logged_by_id=logged_by, people=_people())
    bulk.insert(CapturedMessage, rows)
    files = []
    for row, parts in zip(rows, attachments, strict=True):
        for part in parts:
            if len(part.content) > MAX_ATTACHMENT_BYTES:
                continue
            files.append(_attachment(row, part.filename, part.content_type, part.content, written))
    CapturedAttachment.objects.bulk_create(files, batch_size=500)
    promises_suggest(messages=filed)
    result.added = len(rows)
    result.filed = len(filed)
    result.to_file = len(rows) - len(filed)
    result.message_ids = [row.pk for row in rows]
    return result


def _attachment(message, filename: str, content_type: str, content: bytes, written: list[str]):
    """Written through the storage API; if the batch's transaction fails, the caller deletes
    what was written."""
    safe = os.path.basename(filename.replace("\\", "/")) or "attachment"
    name = default_storage.save(f"capture/{message.at:%Y/%m}/{safe}", ContentFile(content))
    written.append(name)
    return CapturedAttachment(
        message=message,
        filename=safe[:200],
        content_type=content_type,
        size=len(content),
        file=name,
    )


def mail_file_read(*, data: bytes, filename: str = "") -> list[ParsedMail]:
    """An uploaded .eml (one message) or .mbox (many), every message read before anything is
    captured: one unreadable message refuses the whole file, naming it."""
    if not data.strip():
        raise ValidationError({"file": _("The file is empty.")})
    if not looks_like_mbox(data[:1024]):
        try:
            return [parse_message(data)]
        except MailError as exc:
            raise ValidationError(
                {"file": _("Not a mail message: %(reason)s") % {"reason": exc}}
            ) from None
    with tempfile.NamedTemporaryFile(suffix=".mbox") as handle:
        handle.write(data)
        handle.flush()
        mails = list(mbox_read(handle.name))
    if not mails:
        raise ValidationError({"file": _("The mbox holds no messages.")})
    return mails


def mbox_read(path: str) -> Iterator[ParsedMail]:
    """Each message of an mbox file, read one at a time; an unreadable one raises, naming it."""
    for number, raw in enumerate(iter_mbox(path), start=1):
        try:
            yield parse_message(raw)
        except MailError as exc:
            raise ValidationError(
                {
                    "file": _("Message %(number)s of the mbox cannot be read: %(reason)s")
                    % {"number": number, "reason": exc}
                }
            ) from None
