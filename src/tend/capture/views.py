"""Capture pages: the "to file" list, a message, uploads (mail; WhatsApp with its preview),
promise suggestions, mailboxes. Each fetches through the user's visibility and calls a service."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tend.customers.models import Customer
from tend.customers.selectors import customer_get_for_user, customers_visible_to

from . import selectors, services
from .forms import ORDER_LABELS, ChatConfirmForm, ChatUploadForm, FileForm, MailUploadForm
from .models import CapturedAttachment, Mailbox, MailUpload, Source
from .services.chat import US


def _errors_into(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def to_file(request):
    """Messages no customer could be matched to (or more than one could), newest first."""
    queryset = selectors.messages_to_file(user=request.user)
    page = Paginator(queryset, settings.TEND_PAGE_SIZE).get_page(request.GET.get("page"))
    candidate_ids = {pk for message in page for pk in message.candidates}
    candidates = customers_visible_to(user=request.user).in_bulk(candidate_ids)
    rows = [
        (message, [candidates[pk] for pk in message.candidates if pk in candidates])
        for message in page
    ]
    own = Customer.objects.filter(owner=request.user).only("pk", "name").order_by("name")[:500]
    return render(
        request, "capture/to_file.html", {"page": page, "rows": rows, "own_customers": own}
    )


@login_required
def message_detail(request, pk: int):
    message = selectors.message_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "capture/message.html",
        {"message": message, "attachments": list(message.attachments.all())},
    )


@login_required
@require_POST
def message_file(request, pk: int):
    message = selectors.message_get_for_user(user=request.user, pk=pk)
    form = FileForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("capture:to_file")
    customer = customer_get_for_user(user=request.user, pk=form.cleaned_data["customer"])
    try:
        services.message_file(
            by=request.user,
            message=message,
            customer=customer,
            add_contact=form.cleaned_data["add_contact"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("capture:to_file")
    messages.success(request, _("Filed to %(customer)s.") % {"customer": customer})
    return redirect("capture:to_file")


@login_required
@require_POST
def message_exclude(request, pk: int):
    message = selectors.message_get_for_user(user=request.user, pk=pk)
    services.message_exclude(by=request.user, message=message)
    messages.success(request, _("The message was taken out of Tend."))
    if message.customer_id:
        return redirect("customers:detail", pk=message.customer_id)
    return redirect("capture:to_file")


@login_required
def attachment_download(request, pk: int):
    attachment = get_object_or_404(
        CapturedAttachment.objects.filter(
            message__in=selectors.messages_visible_to(user=request.user)
        ),
        pk=pk,
    )
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is gone.") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.filename)


@login_required
def mail_upload(request):
    """Upload .eml or .mbox; from a customer's page (``?customer=``) everything is filed there,
    otherwise each message is matched like mail from a mailbox."""
    customer = None
    customer_id = request.GET.get("customer") or request.POST.get("customer")
    if customer_id:
        if not str(customer_id).isdigit() or int(customer_id) > 2**31 - 1:
            raise Http404("No such customer.")
        customer = customer_get_for_user(user=request.user, pk=int(customer_id))
    form = MailUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            if services.mail_upload_is_big(data):
                queued = services.mail_upload_queue(
                    by=request.user, customer=customer, filename=upload.name, data=data
                )
                return redirect("capture:mail_upload_status", pk=queued.pk)
            try:
                mails = services.mail_file_read(data=data, filename=upload.name)
                result = services.mails_capture(
                    mails=mails, by=request.user, source=Source.UPLOAD, customer=customer
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "%(added)s messages added (%(filed)s filed, %(to_file)s to file), "
                        "%(skipped)s already in Tend."
                    )
                    % {
                        "added": result.added,
                        "filed": result.filed,
                        "to_file": result.to_file,
                        "skipped": result.skipped,
                    },
                )
                if customer:
                    return redirect("customers:detail", pk=customer.pk)
                return redirect("capture:to_file")
        status = 400
    return render(
        request, "capture/mail_upload.html", {"form": form, "customer": customer}, status=status
    )


@login_required
def mail_upload_status(request, pk: int):
    """A queued upload's progress, polled while the worker files it; only its uploader sees it."""
    upload = get_object_or_404(MailUpload, pk=pk, uploaded_by=request.user)
    template = (
        "capture/_mail_upload_status.html"
        if request.headers.get("HX-Request")
        else "capture/mail_upload_status.html"
    )
    return render(request, template, {"upload": upload})


@login_required
@require_POST
def mail_upload_retry(request, pk: int):
    """Try again an upload whose worker stopped part-way; only its uploader may."""
    upload = get_object_or_404(MailUpload, pk=pk, uploaded_by=request.user)
    try:
        services.mail_upload_retry(by=request.user, upload=upload)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("capture:mail_upload_status", pk=upload.pk)


@login_required
def chat_upload(request, pk: int):
    customer = customer_get_for_user(user=request.user, pk=pk)
    form = ChatUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                chat = services.chat_upload_create(
                    by=request.user, customer=customer, filename=upload.name, data=upload.read()
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                return redirect("capture:chat_preview", pk=chat.pk)
        return render(
            request, "capture/chat_upload.html", {"form": form, "customer": customer}, status=400
        )
    return render(request, "capture/chat_upload.html", {"form": form, "customer": customer})


@login_required
def chat_preview(request, pk: int):
    """What the file says under the chosen date order and zone, and who is who; importing
    adds only the lines not yet in Tend."""
    upload = selectors.chat_upload_get_for_user(user=request.user, pk=pk)
    customer = upload.customer
    contacts = list(customer.contacts.all())
    chosen_order = request.POST.get("date_order") or request.GET.get("date_order") or None
    if chosen_order not in ORDER_LABELS:
        chosen_order = None
    try:
        chat = services.chat_upload_read(upload=upload, date_order=chosen_order)
    except ValidationError:
        chat = services.chat_upload_read(upload=upload)
        chosen_order = None
    participants = chat.participants
    form = ChatConfirmForm(
        request.POST or None,
        initial={"date_order": chat.date_order, "time_zone": customer.time_zone or "UTC"},
    )
    status = 200
    if request.method == "POST":
        roles = {
            name: request.POST.get(f"role_{index}", "") for index, name in enumerate(participants)
        }
        if form.is_valid():
            try:
                chat = services.chat_upload_read(
                    upload=upload, date_order=form.cleaned_data["date_order"]
                )
                result = services.chat_import(
                    by=request.user,
                    customer=customer,
                    chat=chat,
                    time_zone=form.cleaned_data["time_zone"],
                    roles=roles,
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                upload.imported_at = timezone.now()
                upload.added, upload.skipped = result.added, result.skipped
                upload.save(update_fields=["imported_at", "added", "skipped"])
                messages.success(
                    request,
                    _("%(added)s WhatsApp messages added, %(skipped)s already in Tend.")
                    % {"added": result.added, "skipped": result.skipped},
                )
                return redirect("customers:detail", pk=customer.pk)
        status = 400
    me = (request.user.get_full_name() or request.user.username).lower()
    people = [
        {
            "index": index,
            "name": name,
            "guess": US if name.lower() in me or me in name.lower() else "",
            "chosen": request.POST.get(f"role_{index}", None),
        }
        for index, name in enumerate(participants)
    ]
    return render(
        request,
        "capture/chat_preview.html",
        {
            "upload": upload,
            "customer": customer,
            "chat": chat,
            "form": form,
            "people": people,
            "contacts": contacts,
            "sample": chat.messages[:8],
            "last": chat.messages[-3:],
            "orders": ORDER_LABELS,
            "US": US,
            "count": len(chat.messages),
        },
        status=status,
    )


@login_required
@require_POST
def suggestion_decide(request, pk: int):
    suggestion = selectors.suggestion_get_for_user(user=request.user, pk=pk)
    try:
        if request.POST.get("decision") == "confirm":
            services.suggestion_confirm(by=request.user, suggestion=suggestion)
            messages.success(request, _("Promise recorded."))
        else:
            services.suggestion_dismiss(by=request.user, suggestion=suggestion)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("customers:detail", pk=suggestion.customer_id)


@login_required
def mailboxes(request):
    boxes = selectors.mailboxes_for(user=request.user)
    return render(request, "capture/mailboxes.html", {"mailboxes": boxes})


@login_required
@require_POST
def mailbox_purge(request, pk: int):
    if not request.user.is_admin:
        raise Http404("No such mailbox.")
    mailbox = get_object_or_404(Mailbox, pk=pk)
    try:
        count = services.mailbox_purge(by=request.user, mailbox=mailbox)
    except PermissionDenied:
        raise Http404("No such mailbox.") from None
    messages.success(request, _("%(count)s captured messages purged.") % {"count": count})
    return redirect("capture:mailboxes")
