"""The customer import page: upload a file, adjust the column mapping, read the dry-run report,
then import. The file waits between steps in the data directory under a random name kept in the
session; a path never comes from the browser."""

import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tend.core.exports import export_response

from . import columns
from .customers import ImportResult, import_customers
from .files import UnreadableFile, file_kind, read_headers
from .forms import MappingForm, UploadForm

SESSION_KEY = "customer_import"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
KINDS = {"csv", "xlsx"}
SHOWN_ERRORS = 1000
STALE_SECONDS = 24 * 60 * 60


def upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def _pending_path(pending: dict | None) -> Path | None:
    """The waiting file named in the session, if it is one of ours and still there."""
    if not isinstance(pending, dict):
        return None
    token, kind = str(pending.get("token", "")), str(pending.get("kind", ""))
    if not TOKEN.match(token) or kind not in KINDS:
        return None
    path = upload_dir() / f"{token}.{kind}"
    return path if path.is_file() else None


def _forget(request) -> None:
    path = _pending_path(request.session.pop(SESSION_KEY, None))
    if path is not None:
        path.unlink(missing_ok=True)


def _sweep_stale() -> None:
    """Files left behind by uploads nobody finished."""
    now = time.time()
    for path in upload_dir().glob("*.*"):
        try:
            if now - path.stat().st_mtime > STALE_SECONDS:
                path.unlink(missing_ok=True)
        except OSError:
            continue


def _store(upload) -> tuple[str, str]:
    kind = file_kind(upload.name)
    token = secrets.token_hex(16)
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep_stale()
    with (folder / f"{token}.{kind}").open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token, kind


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _render(
    request,
    *,
    upload_form,
    pending=None,
    mapping_form=None,
    result: ImportResult | None = None,
    status=200,
):
    context = {
        "upload_form": upload_form,
        "pending": pending,
        "mapping_form": mapping_form,
        "result": result,
        "shown_errors": result.errors[:SHOWN_ERRORS] if result else [],
        "hidden_errors": max(0, len(result.errors) - SHOWN_ERRORS) if result else 0,
        "can_commit": bool(
            result and result.ok and result.customers_created + result.customers_updated
        ),
    }
    template = "imports/_report.html" if _is_htmx(request) and result else "imports/customers.html"
    return render(request, template, context, status=status)


def _check(request, pending: dict, mapping: list[str | None], *, commit: bool):
    path = _pending_path(pending)
    return import_customers(
        by=request.user, path=path, mapping=mapping, commit=commit, kind=pending["kind"]
    )


@login_required
def customer_import(request):
    pending = request.session.get(SESSION_KEY)
    path = _pending_path(pending)
    if path is None and pending is not None:
        request.session.pop(SESSION_KEY, None)
        pending = None
    action = request.POST.get("action", "") if request.method == "POST" else ""

    if action == "upload":
        upload_form = UploadForm(request.POST, request.FILES)
        if not upload_form.is_valid():
            return _render(request, upload_form=upload_form, status=400)
        _forget(request)
        token, kind = _store(upload_form.cleaned_data["file"])
        pending = {"token": token, "kind": kind, "name": upload_form.cleaned_data["file"].name}
        try:
            headers = read_headers(_pending_path(pending), kind)
        except UnreadableFile as exc:
            (upload_dir() / f"{token}.{kind}").unlink(missing_ok=True)
            upload_form.add_error("file", str(exc))
            return _render(request, upload_form=upload_form, status=400)
        pending["headers"] = headers
        pending["mapping"] = columns.auto_mapping(headers)
        request.session[SESSION_KEY] = pending
        return redirect("imports:customers")

    if action == "cancel":
        _forget(request)
        return redirect("imports:customers")

    if pending is None:
        return _render(request, upload_form=UploadForm())

    headers = pending["headers"]
    if action in ("check", "commit"):
        mapping_form = MappingForm(request.POST, headers=headers, mapping=pending["mapping"])
        pending["mapping"] = mapping_form.mapping()
        request.session[SESSION_KEY] = pending
    mapping = pending["mapping"]
    try:
        result = _check(request, pending, mapping, commit=action == "commit")
    except UnreadableFile as exc:
        _forget(request)
        upload_form = UploadForm()
        messages.error(request, str(exc))
        return _render(request, upload_form=upload_form, status=400)
    if result.committed:
        _forget(request)
        messages.success(
            request,
            _(
                "Imported from %(file)s: %(created)s new customers, %(updated)s updated, "
                "%(contacts)s new contacts."
            )
            % {
                "file": pending.get("name", ""),
                "created": result.customers_created,
                "updated": result.customers_updated,
                "contacts": result.contacts_created,
            },
        )
        return redirect("customers:list")
    mapping_form = MappingForm(headers=headers, mapping=mapping)
    return _render(
        request, upload_form=UploadForm(), pending=pending, mapping_form=mapping_form, result=result
    )


@login_required
@require_GET
def customer_import_errors(request):
    """Every error of the waiting file as CSV (the page shows the first thousand)."""
    pending = request.session.get(SESSION_KEY)
    if _pending_path(pending) is None:
        return redirect("imports:customers")
    result = _check(request, pending, pending["mapping"], commit=False)
    return export_response(
        filename="import-errors",
        fmt="csv",
        headers=[_("Row"), _("Column"), _("Problem")],
        rows=([error.row, error.column, error.message] for error in result.errors),
    )
