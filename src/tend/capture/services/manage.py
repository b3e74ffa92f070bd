"""A person's hand on captured mail: file a message from the "to file" list, exclude a private
one, confirm or dismiss a suggested promise; the admin's: mailboxes and purging their mail."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tend.accounts.models import User
from tend.audit.models import AuditAction
from tend.audit.services import audit_record
from tend.customers.models import Contact, Customer
from tend.engagement.models import Interaction, Promise
from tend.engagement.services import promise_make
from tend.timeline.models import TimelineEntry

from ..models import (
    CapturedAttachment,
    CapturedMessage,
    Mailbox,
    Match,
    PromiseSuggestion,
    Security,
    SuggestionStatus,
)
from .drive import messages_drive


@transaction.atomic
def message_file(
    *, by: User, message: CapturedMessage, customer: Customer, add_contact: bool = False
) -> CapturedMessage:
    """File a message from the "to file" list to a customer (the caller fetched both through
    the user's visibility). Optionally the sender becomes a contact of that customer."""
    message = CapturedMessage.objects.select_for_update().get(pk=message.pk)
    if message.customer_id is not None:
        raise ValidationError({"customer": _("This message is already filed.")})
    if message.excluded:
        raise ValidationError({"customer": _("This message was excluded.")})
    contact = None
    address = message.from_address if message.direction == "in" else ""
    if add_contact:
        if not address:
            raise ValidationError(
                {"add_contact": _("Only a sender's address can become a contact.")}
            )
        contact = Contact.objects.filter(customer=customer, email__iexact=address).first()
        if contact is None:
            contact = Contact(
                customer=customer, name=(message.from_name or address)[:150], email=address
            )
            contact.full_clean()
            contact.save()
    message.customer = customer
    message.contact = contact
    message.match = Match.CHOSEN
    message.save(update_fields=["customer", "contact", "match"])
    siblings = list(
        CapturedMessage.objects.filter(
            thread_key=message.thread_key,
            customer__isnull=True,
            excluded=False,
            mailbox=message.mailbox,
        )
        .exclude(pk=message.pk)
        .exclude(thread_key="")
    )
    for sibling in siblings:
        sibling.customer = customer
        sibling.match = Match.THREAD
    CapturedMessage.objects.bulk_update(siblings, ["customer", "match"])
    logged_by = message.mailbox.owner_id if message.mailbox and message.mailbox.owner_id else by.pk
    messages_drive(messages=[message, *siblings], logged_by_id=logged_by)
    return message


@transaction.atomic
def message_exclude(*, by: User, message: CapturedMessage) -> CapturedMessage:
    """Take a private message out of Tend: its words, attachments, interaction and timeline
    entry go; the row stays (without content) so the next fetch does not capture it again."""
    message = CapturedMessage.objects.select_for_update().get(pk=message.pk)
    if message.excluded:
        return message
    _forget([message])
    message.excluded = True
    message.excluded_by = by
    message.text = ""
    message.subject = ""
    message.save(update_fields=["excluded", "excluded_by", "text", "subject", "interaction"])
    return message


def _forget(messages: list[CapturedMessage]) -> None:
    """Remove what the messages drove: attachments, suggestions, interactions (inquiries they
    answered are open again) and timeline entries."""
    ids = [m.pk for m in messages]
    interaction_ids = {m.interaction_id for m in messages if m.interaction_id}
    for name in CapturedAttachment.objects.filter(message_id__in=ids).values_list(
        "file", flat=True
    ):
        transaction.on_commit(lambda name=name: default_storage.delete(name))
    CapturedAttachment.objects.filter(message_id__in=ids).delete()
    PromiseSuggestion.objects.filter(message_id__in=ids, status=SuggestionStatus.PENDING).delete()
    if interaction_ids:
        # A chat run's interaction is shared by its lines: only drop it with all of them.
        still_used = set(
            CapturedMessage.objects.filter(interaction_id__in=interaction_ids)
            .exclude(pk__in=ids)
            .values_list("interaction_id", flat=True)
        )
        gone = interaction_ids - still_used
        Interaction.objects.filter(answered_by_id__in=gone).update(
            answered_by=None, answered_at=None, responder=None, response_hours=None
        )
        TimelineEntry.objects.filter(
            source_type="engagement.interaction", source_id__in=gone
        ).delete()
        Promise.objects.filter(interaction_id__in=gone).update(interaction=None)
        Interaction.objects.filter(pk__in=gone).delete()
    for message in messages:
        message.interaction_id = None


@transaction.atomic
def mailbox_purge(*, by: User, mailbox: Mailbox) -> int:
    """The admin removes every message captured from a mailbox and all it drove. The mailbox
    keeps its place (last UID), so purged mail is not fetched again."""
    if not by.is_admin:
        raise PermissionDenied(_("Only an admin can purge a mailbox."))
    messages = list(CapturedMessage.objects.filter(mailbox=mailbox).only("pk", "interaction_id"))
    for start in range(0, len(messages), 1000):
        _forget(messages[start : start + 1000])
    count = (
        CapturedMessage.objects.filter(mailbox=mailbox)
        .delete()[1]
        .get(CapturedMessage._meta.label, 0)
    )
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        instance=mailbox,
        before={"captured messages": count},
        after={"captured messages": 0},
    )
    return count


@transaction.atomic
def suggestion_confirm(
    *,
    by: User,
    suggestion: PromiseSuggestion,
    due_at: datetime | None = None,
    description: str = "",
) -> Promise:
    """The rep says yes: the promise is made, in their name, from the message's interaction."""
    suggestion = (
        PromiseSuggestion.objects.select_for_update()
        .select_related("message", "customer")
        .get(pk=suggestion.pk)
    )
    if suggestion.status != SuggestionStatus.PENDING:
        raise ValidationError(_("This suggestion was already decided."))
    message = suggestion.message
    interaction = (
        Interaction.objects.filter(pk=message.interaction_id).first()
        if message.interaction_id
        else None
    )
    promise = promise_make(
        by=by,
        customer=suggestion.customer,
        kind=suggestion.kind,
        due_at=due_at or suggestion.due_at,
        description=description or suggestion.phrase,
        contact=None,
        interaction=interaction,
        made_at=message.at,
    )
    suggestion.status = SuggestionStatus.CONFIRMED
    suggestion.promise = promise
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "promise", "decided_by", "decided_at"])
    return promise


@transaction.atomic
def suggestion_dismiss(*, by: User, suggestion: PromiseSuggestion) -> PromiseSuggestion:
    updated = PromiseSuggestion.objects.filter(
        pk=suggestion.pk, status=SuggestionStatus.PENDING
    ).update(status=SuggestionStatus.DISMISSED, decided_by=by, decided_at=timezone.now())
    if not updated:
        raise ValidationError(_("This suggestion was already decided."))
    suggestion.refresh_from_db()
    return suggestion


@transaction.atomic
def mailbox_save(
    *,
    by: User,
    mailbox: Mailbox | None = None,
    name: str,
    owner: User | None,
    address: str,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str = "",
    folder: str = "INBOX",
    sent_folder: str = "",
    active: bool = True,
) -> Mailbox:
    """Create or change a mailbox (admins). An empty password keeps the stored one."""
    if not by.is_admin:
        raise PermissionDenied(_("Only an admin can set up mailboxes."))
    if security not in Security.values:
        raise ValidationError({"security": _("Choose TLS or STARTTLS.")})
    mailbox = mailbox or Mailbox(created_by=by)
    server_changed = mailbox.pk and (mailbox.host, mailbox.username, mailbox.folder) != (
        host,
        username,
        folder,
    )
    for field, value in {
        "name": name,
        "owner": owner,
        "address": address.strip().lower(),
        "host": host.strip(),
        "port": port,
        "security": security,
        "username": username,
        "folder": folder or "INBOX",
        "sent_folder": sent_folder,
        "active": active,
    }.items():
        setattr(mailbox, field, value)
    if password:
        mailbox.set_password(password)
    if not mailbox.password_encrypted:
        raise ValidationError({"password": _("Enter the mailbox password or app password.")})
    if server_changed:
        mailbox.uidvalidity, mailbox.last_uid = None, 0
        mailbox.sent_uidvalidity, mailbox.sent_last_uid = None, 0
    mailbox.full_clean(exclude=["created_by", "owner"])
    mailbox.save()
    return mailbox
