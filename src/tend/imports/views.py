"""The import pages (customers, orders): upload a file, adjust the column mapping, read the
dry-run report, then import. The file waits between steps in the data directory under a random
name kept in the session; a path never comes from the browser."""

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from tend.core.exports import export_response

from . import columns
from . import orders as order_columns
from .customers import import_customers
from .files import UnreadableFile, file_kind, read_headers
from .forms import MappingForm, UploadForm, order_target_choices, target_choices
from .models import ImportRun, ImportState
from .orders import import_orders
from .runs import StoredResult, import_run_start, runs_in_background

SESSION_KEY = "customer_import"


@dataclass(frozen=True)
class ImportFlow:
    """What differs between the import pages: the importer, its columns, what it reports."""

    session_key: str
    url_name: str
    errors_url_name: str
    template: str
    counts_template: str
    what: str
    importer: Callable
    auto_mapping: Callable[[list[str]], list[str | None]]
    choices: Callable[[], list]
    keys: object
    writes: Callable[[object], int]  # how many records the commit would create or update
    done: Callable[[object, str], str]  # the message after a commit
    done_url: str
    held: Callable[[object], str]  # what the commit left waiting for an approver ("": nothing)


CUSTOMERS = ImportFlow(
    session_key=SESSION_KEY,
    url_name="imports:customers",
    errors_url_name="imports:customer_errors",
    template="imports/customers.html",
    counts_template="imports/_customer_counts.html",
    what="customers",
    importer=import_customers,
    auto_mapping=columns.auto_mapping,
    choices=target_choices,
    keys=columns.TARGETS,
    writes=lambda result: result.customers_created + result.customers_updated,
    done=lambda result, name: (
        _(
            "Imported from %(file)s: %(created)s new customers, %(updated)s updated, "
            "%(contacts)s new contacts."
        )
        % {
            "file": name,
            "created": result.customers_created,
            "updated": result.customers_updated,
            "contacts": result.contacts_created,
        }
    ),
    done_url="customers:list",
    held=lambda result: (
        _(
            "The payment terms or credit limits of %(count)s new customers wait for "
            "approval: they apply once approved (see Approvals)."
        )
        % {"count": result.terms_held_for_approval}
        if result.terms_held_for_approval
        else ""
    ),
)
ORDERS = ImportFlow(
    session_key="order_import",
    url_name="imports:orders",
    errors_url_name="imports:order_errors",
    template="imports/orders.html",
    counts_template="imports/_order_counts.html",
    what="orders",
    importer=import_orders,
    auto_mapping=order_columns.auto_mapping,
    choices=order_target_choices,
    keys=order_columns.ORDER_TARGET_KEYS,
    writes=lambda result: result.orders_created + result.orders_updated,
    done=lambda result, name: (
        _("Imported from %(file)s: %(created)s new orders (%(lines)s lines), %(updated)s updated.")
        % {
            "file": name,
            "created": result.orders_created,
            "lines": result.lines_created,
            "updated": result.orders_updated,
        }
    ),
    done_url="orders:list",
    held=lambda result: (
        ngettext(
            "%(count)s new order is priced beyond the discount policy: it is a draft until "
            "approved (see Approvals).",
            "%(count)s new orders are priced beyond the discount policy: they are drafts "
            "until approved (see Approvals).",
            result.orders_held_for_approval,
        )
        % {"count": result.orders_held_for_approval}
        if result.orders_held_for_approval
        else ""
    ),
)
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


def _forget(request, flow: ImportFlow) -> None:
    path = _pending_path(request.session.pop(flow.session_key, None))
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
    flow: ImportFlow,
    *,
    upload_form,
    pending=None,
    mapping_form=None,
    result=None,
    run: ImportRun | None = None,
    status=200,
):
    if run is not None and run.state == ImportState.DONE:
        result = StoredResult.of(run)
    context = {
        "run": run,
        "flow": flow,
        "import_url": reverse(flow.url_name),
        "errors_url": reverse(flow.errors_url_name),
        "upload_form": upload_form,
        "pending": pending,
        "mapping_form": mapping_form,
        "result": result,
        "shown_errors": result.errors[:SHOWN_ERRORS] if result else [],
        "error_total": _error_total(result),
        "hidden_errors": max(0, _error_total(result) - SHOWN_ERRORS),
        "writes": flow.writes(result) if result else 0,
        "can_commit": bool(result and result.ok and flow.writes(result)),
    }
    template = flow.template
    if _is_htmx(request) and run is not None:
        template = "imports/_run.html"
    elif _is_htmx(request) and result:
        template = "imports/_report.html"
    return render(request, template, context, status=status)


def _error_total(result) -> int:
    if result is None:
        return 0
    return getattr(result, "error_count", None) or len(result.errors)


def _check(request, flow: ImportFlow, pending: dict, mapping: list[str | None], *, commit: bool):
    path = _pending_path(pending)
    return flow.importer(
        by=request.user, path=path, mapping=mapping, commit=commit, kind=pending["kind"]
    )


def _mapping_form(flow: ImportFlow, *args, headers, mapping) -> MappingForm:
    return MappingForm(
        *args, headers=headers, mapping=mapping, choices=flow.choices(), keys=flow.keys
    )


def _import_page(request, flow: ImportFlow):
    pending = request.session.get(flow.session_key)
    path = _pending_path(pending)
    if path is None and pending is not None:
        request.session.pop(flow.session_key, None)
        pending = None
    action = request.POST.get("action", "") if request.method == "POST" else ""

    if action == "upload":
        upload_form = UploadForm(request.POST, request.FILES)
        if not upload_form.is_valid():
            return _render(request, flow, upload_form=upload_form, status=400)
        _forget(request, flow)
        token, kind = _store(upload_form.cleaned_data["file"])
        pending = {"token": token, "kind": kind, "name": upload_form.cleaned_data["file"].name}
        try:
            headers = read_headers(_pending_path(pending), kind)
        except UnreadableFile as exc:
            (upload_dir() / f"{token}.{kind}").unlink(missing_ok=True)
            upload_form.add_error("file", str(exc))
            return _render(request, flow, upload_form=upload_form, status=400)
        pending["headers"] = headers
        pending["mapping"] = flow.auto_mapping(headers)
        request.session[flow.session_key] = pending
        return redirect(flow.url_name)

    if action == "cancel":
        _forget(request, flow)
        return redirect(flow.url_name)

    if pending is None:
        return _render(request, flow, upload_form=UploadForm())

    headers = pending["headers"]
    if action in ("check", "commit"):
        mapping_form = _mapping_form(
            flow, request.POST, headers=headers, mapping=pending["mapping"]
        )
        pending["mapping"] = mapping_form.mapping()
        request.session[flow.session_key] = pending
    mapping = pending["mapping"]
    if runs_in_background(path):
        return _background(request, flow, pending, action)
    try:
        result = _check(request, flow, pending, mapping, commit=action == "commit")
    except UnreadableFile as exc:
        _forget(request, flow)
        messages.error(request, str(exc))
        return _render(request, flow, upload_form=UploadForm(), status=400)
    if result.committed:
        _forget(request, flow)
        messages.success(request, flow.done(result, pending.get("name", "")))
        if held := flow.held(result):
            messages.info(request, held)
        return redirect(flow.done_url)
    mapping_form = _mapping_form(flow, headers=headers, mapping=mapping)
    return _render(
        request,
        flow,
        upload_form=UploadForm(),
        pending=pending,
        mapping_form=mapping_form,
        result=result,
    )


def _background(request, flow: ImportFlow, pending: dict, action: str):
    """A big file: the worker checks (or imports) it; the page shows the run's progress. A
    reload shows the same run; a new mapping or the import button starts another."""
    run = ImportRun.objects.filter(pk=pending.get("run") or 0, by=request.user).first()
    if run is None or action in ("check", "commit"):
        run = import_run_start(
            by=request.user,
            what=flow.what,
            pending=pending,
            mapping=pending["mapping"],
            commit=action == "commit",
        )
        pending["run"] = run.pk
        request.session[flow.session_key] = pending
    return _run_page(request, flow, pending, run)


def _run_page(request, flow: ImportFlow, pending: dict, run: ImportRun):
    if run.state == ImportState.DONE and run.result.get("counts", {}).get("committed"):
        _forget(request, flow)
        stored = StoredResult.of(run)
        messages.success(request, flow.done(stored, run.file_name))
        if held := flow.held(stored):
            messages.info(request, held)
        response = redirect(flow.done_url)
        if _is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse(flow.done_url)
        return response
    mapping_form = _mapping_form(flow, headers=pending["headers"], mapping=run.mapping)
    return _render(
        request,
        flow,
        upload_form=UploadForm(),
        pending=pending,
        mapping_form=mapping_form,
        run=run,
    )


@login_required
@require_GET
def import_run_progress(request, pk: int):
    """What the page polls: the run's progress bar, then its report (only its starter's)."""
    run = ImportRun.objects.filter(pk=pk, by=request.user).first()
    if run is None:
        raise Http404("No such import.")
    flow = CUSTOMERS if run.what == "customers" else ORDERS
    pending = request.session.get(flow.session_key)
    if not isinstance(pending, dict) or pending.get("run") != run.pk:
        raise Http404("No such import.")
    return _run_page(request, flow, pending, run)


@login_required
def customer_import(request):
    return _import_page(request, CUSTOMERS)


@login_required
def order_import(request):
    return _import_page(request, ORDERS)


def _errors_csv(request, flow: ImportFlow):
    """Every error of the waiting file as CSV (the page shows the first thousand)."""
    pending = request.session.get(flow.session_key)
    if _pending_path(pending) is None:
        return redirect(flow.url_name)
    run = ImportRun.objects.filter(
        pk=pending.get("run") or 0, by=request.user, state=ImportState.DONE
    ).first()
    if run is not None:  # a big file: the worker's report, not another read of the file
        result = StoredResult.of(run)
    else:
        result = _check(request, flow, pending, pending["mapping"], commit=False)
    return export_response(
        filename="import-errors",
        fmt="csv",
        headers=[_("Row"), _("Column"), _("Problem")],
        rows=([error.row, error.column, error.message] for error in result.errors),
    )


@login_required
@require_GET
def customer_import_errors(request):
    return _errors_csv(request, CUSTOMERS)


@login_required
@require_GET
def order_import_errors(request):
    return _errors_csv(request, ORDERS)
