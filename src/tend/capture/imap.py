"""Fetching IMAP mailboxes with ``imap-tools``, incrementally by UID, over TLS only.

A mailbox remembers the last UID it captured under the folder's UIDVALIDITY; when the server
renumbers (UIDVALIDITY changes) the folder is read again and the Message-ID keeps each message
once. Each batch commits with its new last UID, so a worker stopped halfway resumes there."""

import logging
import socket
import ssl
from datetime import datetime, timedelta
from imaplib import IMAP4

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from imap_tools import AND, MailBox, MailBoxStartTls, U
from imap_tools.errors import MailboxLoginError, UnexpectedCommandStatusError

from .models import Mailbox, Security, Source
from .parsing.mail import MailError, parse_message
from .services.mail import CaptureResult, mails_capture

log = logging.getLogger(__name__)
BATCH = 200
LEASE = timedelta(minutes=30)
TIMEOUT = 60
NETWORK_ERRORS = (
    OSError,
    socket.timeout,
    ssl.SSLError,
    IMAP4.error,
    IMAP4.abort,
    MailboxLoginError,
    UnexpectedCommandStatusError,
)


def _ssl_context() -> ssl.SSLContext:
    """The system's trusted authorities, plus ``TEND_CAPTURE_CA_FILE`` for a company server
    with its own certificate. Certificates and host names are always checked."""
    context = ssl.create_default_context()
    extra = getattr(settings, "TEND_CAPTURE_CA_FILE", "")
    if extra:
        context.load_verify_locations(cafile=extra)
    return context


def _connect(mailbox: Mailbox):
    if mailbox.security == Security.STARTTLS:
        return MailBoxStartTls(
            mailbox.host, mailbox.port, timeout=TIMEOUT, ssl_context=_ssl_context()
        )
    return MailBox(mailbox.host, mailbox.port, timeout=TIMEOUT, ssl_context=_ssl_context())


def _claim(mailbox_id: int, now: datetime) -> bool:
    return bool(
        Mailbox.objects.filter(pk=mailbox_id)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )


def mailbox_fetch(*, mailbox: Mailbox, now: datetime | None = None) -> CaptureResult:
    """Capture what arrived in the mailbox (and its sent folder) since the last fetch."""
    now = now or timezone.now()
    result = CaptureResult()
    if not _claim(mailbox.pk, now):
        return result
    try:
        mailbox.refresh_from_db()
        with _connect(mailbox).login(
            mailbox.username, mailbox.password, initial_folder=None
        ) as box:
            result += _fetch_folder(box, mailbox, sent=False, now=now)
            if mailbox.sent_folder:
                result += _fetch_folder(box, mailbox, sent=True, now=now)
        Mailbox.objects.filter(pk=mailbox.pk).update(last_fetched_at=now, last_error="")
    except NETWORK_ERRORS as exc:
        log.warning("Mailbox %s: %s", mailbox.pk, exc)
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_error=str(exc)[:500] or type(exc).__name__
        )
    finally:
        Mailbox.objects.filter(pk=mailbox.pk).update(lease_until=None)
    return result


def _fetch_folder(box, mailbox: Mailbox, *, sent: bool, now: datetime) -> CaptureResult:
    folder = mailbox.sent_folder if sent else mailbox.folder
    validity_field, uid_field = (
        ("sent_uidvalidity", "sent_last_uid") if sent else ("uidvalidity", "last_uid")
    )
    box.folder.set(folder, readonly=True)
    status = box.folder.status(folder, ["UIDVALIDITY", "UIDNEXT"])
    validity = status.get("UIDVALIDITY")
    last_uid = getattr(mailbox, uid_field)
    if validity != getattr(mailbox, validity_field):
        last_uid = 0
    uids = sorted(
        int(uid) for uid in box.uids(AND(uid=U(last_uid + 1, "*"))) if int(uid) > last_uid
    )
    result = CaptureResult()
    for start in range(0, len(uids), BATCH):
        chunk = [str(uid) for uid in uids[start : start + BATCH]]
        mails = []
        for message in box.fetch(uid_list=chunk, mark_seen=False, bulk=True):
            try:
                mails.append(parse_message(message.obj.as_bytes()))
            except (MailError, UnicodeError, LookupError, ValueError) as exc:
                log.warning("Mailbox %s UID %s unreadable: %s", mailbox.pk, message.uid, exc)
        with transaction.atomic():
            owner = mailbox.owner or mailbox.created_by
            result += mails_capture(
                mails=mails, by=owner, source=Source.IMAP, mailbox=mailbox, now=now
            )
            Mailbox.objects.filter(pk=mailbox.pk).update(
                **{validity_field: validity, uid_field: int(chunk[-1])}
            )
        setattr(mailbox, uid_field, int(chunk[-1]))
    if not uids:
        Mailbox.objects.filter(pk=mailbox.pk).update(**{validity_field: validity})
    setattr(mailbox, validity_field, validity)
    return result


def mailboxes_fetch(*, now: datetime | None = None) -> int:
    """The periodic job: each active mailbox, claimed by one worker. Returns messages added."""
    added = 0
    for mailbox in Mailbox.objects.filter(active=True).select_related("owner", "created_by"):
        added += mailbox_fetch(mailbox=mailbox, now=now).added
    return added
