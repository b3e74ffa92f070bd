"""A big mbox upload is filed by the worker, not while the browser waits: kept as a file, queued,
read twice by the worker (every message checked first, so a mangled one refuses the whole file
and changes nothing, then filed batch by batch with its progress saved for the page)."""

import contextlib
import hashlib
import re
import shutil
import tempfile
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tend.accounts.models import User
from tend.customers.models import Customer

from ..models import MailUpload, Source, UploadState
from ..parsing.mail import looks_like_mbox
from .mail import BATCH, CaptureResult, mails_capture, mbox_read

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


def mail_upload_execute(*, upload_id: int) -> str:
    """File a queued upload once: claimed by one conditional update, so a second delivery of the
    task does nothing. Each batch is committed on its own and counted; a message already in
    Tend is skipped, so filing the same file again adds nothing twice."""
    claimed = MailUpload.objects.filter(pk=upload_id, state=UploadState.QUEUED).update(
        state=UploadState.RUNNING
    )
    if not claimed:
        return "not queued"
    upload = MailUpload.objects.select_related("uploaded_by", "customer").get(pk=upload_id)
    result = CaptureResult()
    try:
        with _local_path(upload) as path:
            checked = sum(1 for _ in mbox_read(path))
            MailUpload.objects.filter(pk=upload_id).update(total=checked)
            for batch in _batches(mbox_read(path)):
                result += mails_capture(
                    mails=batch, by=upload.uploaded_by, source=Source.UPLOAD,
                    customer=upload.customer,
                )  # fmt: skip
                MailUpload.objects.filter(pk=upload_id).update(
                    done=result.added + result.skipped, **_counts(result)
                )
    except ValidationError as exc:
        _finish(upload, UploadState.FAILED, error=" ".join(exc.messages)[:500])
        return "failed"
    _finish(upload, UploadState.DONE, **_counts(result))
    return "done"


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


def _finish(upload: MailUpload, state: str, **fields) -> None:
    """The state and counts saved; the kept file deleted (the messages are in Tend now)."""
    upload.file.delete(save=False)
    MailUpload.objects.filter(pk=upload.pk).update(
        state=state, finished_at=timezone.now(), file="", **fields
    )


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
