"""A big mbox upload is filed by the worker, not while the browser waits: kept as a file, queued,
read twice by the worker (every message checked first, so a mangled one refuses the whole file
and changes nothing, then filed batch by batch with its progress saved for the page)."""

import contextlib
import hashlib
import logging
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tend.accounts.models import User
from tend.customers.models import Customer
from tend.jobs.services import heartbeat_lapsed, task_ids_waiting

from ..models import MailUpload, Source, UploadState
from ..parsing.mail import looks_like_mbox
from .mail import BATCH, CaptureResult, mails_capture, mbox_read

logger = logging.getLogger("tend.capture")

_SEPARATOR = re.compile(rb"^From ", re.MULTILINE)


def mbox_size(data: bytes) -> int:
    """How many messages an mbox holds (its ``From `` separator lines); 0 for one message."""
    return len(_SEPARATOR.findall(data)) if looks_like_mbox(data[:1024]) else 0


def mail_upload_is_big(data: bytes) -> bool:
    return mbox_size(data) > settings.TEND_CAPTURE_INLINE_MESSAGES


def mail_upload_queue(
    *, by: User, customer: Customer | None, filename: str, data: bytes
) -> MailUpload:
    """Keep the mbox and queue it for the worker (once the upload is committed)."""
    from ..tasks import mail_upload_task

    with transaction.atomic():
        upload = MailUpload(
            uploaded_by=by, customer=customer, filename=filename[:200], total=mbox_size(data)
        )
        upload.file.save(
            f"{hashlib.sha256(data).hexdigest()[:16]}.mbox", ContentFile(data), save=False
        )
        upload.save()
        transaction.on_commit(lambda: mail_upload_task.enqueue(upload.pk))
    return upload


class _Superseded(Exception):
    """The run this worker claimed is no longer the current one (recovered as failed, or tried
    again): it stops without writing more."""


def mail_upload_execute(*, upload_id: int) -> str:
    """File a queued upload once: claimed by one conditional update, so a second delivery of the
    task does nothing. Each batch is committed on its own and counted, with a heartbeat; a
    message already in Tend is skipped, so filing the same file again adds nothing twice.

    A worker that dies part-way leaves its heartbeat to age: ``mail_uploads_recover`` then marks
    the upload failed, file kept, and its uploader may try again. Every write here is fenced by
    the claimed attempt, so a worker that was only slow stops instead of filing alongside."""
    claimed = MailUpload.objects.filter(pk=upload_id, state=UploadState.QUEUED).update(
        state=UploadState.RUNNING, heartbeat_at=timezone.now(), attempt=F("attempt") + 1
    )
    if not claimed:
        return "not queued"
    upload = MailUpload.objects.select_related("uploaded_by", "customer").get(pk=upload_id)
    mine = MailUpload.objects.filter(
        pk=upload_id, state=UploadState.RUNNING, attempt=upload.attempt
    )

    def beat(**fields) -> None:
        if not mine.update(heartbeat_at=timezone.now(), **fields):
            raise _Superseded

    result = CaptureResult()
    try:
        with _local_path(upload) as path:
            checked = 0
            for _mail in mbox_read(path):
                checked += 1
                if checked % BATCH == 0:
                    beat()
            beat(total=checked)
            for batch in _batches(mbox_read(path)):
                result += mails_capture(
                    mails=batch, by=upload.uploaded_by, source=Source.UPLOAD,
                    customer=upload.customer,
                )  # fmt: skip
                beat(done=result.added + result.skipped, **_counts(result))
    except _Superseded:
        return "superseded"
    except ValidationError as exc:
        _finish(mine, upload, UploadState.FAILED, error=" ".join(exc.messages)[:500])
        return "failed"
    except Exception:
        # A bug or a lost database, not a bad file: failed, file kept to try again.
        logger.exception("Mail upload %s failed", upload_id)
        mine.update(state=UploadState.FAILED, finished_at=timezone.now())
        raise
    _finish(mine, upload, UploadState.DONE, **_counts(result))
    return "done"


def mail_uploads_recover(*, now: datetime | None = None) -> int:
    """Mark failed, keeping their file, the uploads whose worker died: running with no
    heartbeat for ``TEND_JOB_LEASE_SECONDS``, or queued that long with no task waiting for a
    worker (a worker died between taking the task and claiming the upload). The page stops
    waiting, says how far it got and offers to try again. Conditional updates, so two workers
    recovering at once count each upload once."""
    now = now or timezone.now()
    quiet = heartbeat_lapsed(now=now)
    running = MailUpload.objects.filter(quiet, state=UploadState.RUNNING)
    queued = MailUpload.objects.filter(quiet, state=UploadState.QUEUED)
    count = 0
    if running.exists():  # read first: a quiet pass writes nothing
        count += running.update(state=UploadState.FAILED, finished_at=now)
    if queued.exists():
        from ..tasks import mail_upload_task

        count += queued.exclude(pk__in=task_ids_waiting(mail_upload_task)).update(
            state=UploadState.FAILED, finished_at=now
        )
    if count:
        logger.warning("%s mail upload(s) lost their worker; marked failed", count)
    return count


def mail_upload_retry(*, by: User, upload: MailUpload) -> MailUpload:
    """Queue again an upload that failed part-way (its file kept); only its uploader may. The
    messages it already filed are skipped, so each is filed once."""
    from ..tasks import mail_upload_task

    with transaction.atomic():
        queued = (
            MailUpload.objects.filter(pk=upload.pk, uploaded_by=by, state=UploadState.FAILED)
            .exclude(file="")
            .update(
                state=UploadState.QUEUED,
                done=0,
                added=0,
                filed=0,
                to_file=0,
                skipped=0,
                error="",
                heartbeat_at=timezone.now(),  # a fresh lease for the queued run
                finished_at=None,
            )  # fmt: skip
        )
        if not queued:
            raise ValidationError(_("Only an upload that stopped part-way can be tried again."))
        transaction.on_commit(lambda: mail_upload_task.enqueue(upload.pk))
    upload.refresh_from_db()
    return upload


def _counts(result: CaptureResult) -> dict:
    return {
        "added": result.added,
        "filed": result.filed,
        "to_file": result.to_file,
        "skipped": result.skipped,
    }


def _batches(mails) -> Iterator[list]:
    batch = []
    for mail in mails:
        batch.append(mail)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _finish(mine, upload: MailUpload, state: str, **fields) -> None:
    """The state and counts saved, if the run is still this worker's; then the kept file
    deleted (its messages are in Tend now, or it cannot be read)."""
    if mine.update(state=state, finished_at=timezone.now(), file="", **fields):
        upload.file.delete(save=False)


@contextlib.contextmanager
def _local_path(upload: MailUpload):
    """The mbox as a local file (``mailbox`` reads paths), copied out of remote storage."""
    try:
        path = upload.file.path
    except NotImplementedError:
        path = ""
    if path:
        yield path
        return
    with tempfile.NamedTemporaryFile(suffix=".mbox") as handle, upload.file.open("rb") as source:
        shutil.copyfileobj(source, handle)
        handle.flush()
        yield handle.name
