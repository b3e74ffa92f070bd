"""Attachments: photos and documents of a complaint, kept through Django's storage API.

Only the kinds a complaint needs (photos, PDF, office documents, plain text), recognised by their
first bytes as well as their name, and at most ``MAX_BYTES`` each: a bigger file is refused as too
large (413), another kind as unsupported (415), nothing is written."""

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tend.accounts.models import User

from ..models import Case, CaseAttachment, CaseStatus, EventKind
from ..selectors import cases_visible_to
from . import clock

MAX_BYTES = 10 * 1024 * 1024
NAME_MAX = CaseAttachment._meta.get_field("name").max_length

# extension -> (content type, accepted leading bytes; empty: any text without NUL bytes)
KINDS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),
    ".heic": ("image/heic", (b"\x00\x00\x00",)),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".txt": ("text/plain", ()),
    ".csv": ("text/csv", ()),
}


class FileTooLarge(ValidationError):
    status = 413


class FileKindRefused(ValidationError):
    status = 415


def _safe_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"/\\|?*')
    return base[-NAME_MAX:] or "file"


def check_upload(upload) -> tuple[str, str]:
    """(safe name, content type) of an acceptable upload; refuses with the reason otherwise."""
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")})
    size = getattr(upload, "size", None) or 0
    if size > MAX_BYTES:
        raise FileTooLarge(
            {
                "file": _("The file is %(size)s MB; at most %(max)s MB.")
                % {"size": round(size / 1048576, 1), "max": MAX_BYTES // 1048576}
            }
        )
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    name = _safe_name(getattr(upload, "name", ""))
    extension = os.path.splitext(name)[1].lower()
    kind = KINDS.get(extension)
    if kind is None:
        raise FileKindRefused(
            {
                "file": _(
                    "Attach photos (JPEG, PNG, GIF, WebP, HEIC), PDF, Word, Excel or text files."
                )
            }
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    content_type, magics = kind
    ok = head.startswith(magics) if magics else b"\x00" not in head
    if not ok:
        raise FileKindRefused(
            {"file": _("The file's content is not a %(ext)s file.") % {"ext": extension[1:]}}
        )
    return name, content_type


@transaction.atomic
def case_attach(*, case: Case, by: User, upload) -> CaseAttachment:
    """Keep a photo or document on a case anyone who can see it may add to."""
    from .cases import _event

    name, content_type = check_upload(upload)
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    if not cases_visible_to(user=by).filter(pk=case.pk).exists():
        raise PermissionDenied(_("You cannot see this case."))
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"file": _("This case is closed.")})
    attachment = CaseAttachment(
        case=case, name=name, content_type=content_type, size=upload.size, uploaded_by=by
    )
    attachment.file.save(name, upload, save=False)
    path = attachment.file.name
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(path)
        raise
    _event(
        case,
        EventKind.ATTACHMENT,
        by=by,
        at=clock.now(),
        text=name,
        data={"attachment": attachment.pk, "size": upload.size},
    )
    return attachment
