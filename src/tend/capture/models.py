from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.engagement.models import Direction, PromiseKind
from tend.imports.models import ImportState as UploadState

from . import vault


class Security(models.TextChoices):
    TLS = "tls", _("TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")


class Mailbox(models.Model):
    """An IMAP mailbox Tend reads: one person's, or shared (a sales@ address). Fetched by UID:
    ``last_uid`` is valid only under the ``uidvalidity`` the server gave with it."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mailboxes",
        help_text=_("Leave empty for a shared mailbox."),
    )
    address = models.EmailField(_("our address"), help_text=_("Mail from it is ours (outbound)."))
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.TLS
    )
    username = models.CharField(_("user name"), max_length=255)
    password_encrypted = models.TextField(editable=False, default="")
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    sent_folder = models.CharField(_("sent folder"), max_length=200, blank=True)
    active = models.BooleanField(_("fetch"), default=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    sent_uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    sent_last_uid = models.BigIntegerField(default=0, editable=False)
    last_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A worker holds the mailbox until then: two workers never fetch the same mailbox at once.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.name

    @property
    def password(self) -> str:
        return vault.decrypt(self.password_encrypted)

    def set_password(self, plain: str) -> None:
        self.password_encrypted = vault.encrypt(plain)


class Source(models.TextChoices):
    IMAP = "imap", _("Mailbox")
    UPLOAD = "upload", _("Upload")
    API = "api", _("API")
    WHATSAPP = "whatsapp", _("WhatsApp export")


class Match(models.TextChoices):
    CONTACT = "contact", _("Contact's address")
    DOMAIN = "domain", _("Company domain")
    THREAD = "thread", _("Same thread")
    CHOSEN = "chosen", _("Filed by hand")
    AMBIGUOUS = "ambiguous", _("More than one customer")
    NONE = "none", _("No customer")


class CapturedMessageQuerySet(models.QuerySet):
    def shown(self):
        return self.filter(excluded=False)

    def to_file(self):
        return self.filter(customer__isnull=True, excluded=False)


class CapturedMessage(models.Model):
    """One message said between us and a customer, captured once: an email (from a mailbox,
    an upload or the API) or one WhatsApp chat line."""

    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    channel = models.CharField(_("channel"), max_length=12, default="email")
    key = models.CharField(max_length=300)
    message_id = models.CharField(max_length=250, blank=True)
    in_reply_to = models.CharField(max_length=250, blank=True)
    thread_key = models.CharField(max_length=250, blank=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="captured_messages",
    )
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match = models.CharField(_("matched by"), max_length=10, choices=Match.choices)
    candidates = models.JSONField(default=list, blank=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    from_name = models.CharField(max_length=150, blank=True)
    to_addresses = models.TextField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    at = models.DateTimeField(_("when"))
    asks = models.BooleanField(_("asks something"), default=False)
    interaction = models.ForeignKey(
        "engagement.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="captured_messages",
    )
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    captured_at = models.DateTimeField(default=timezone.now)
    excluded = models.BooleanField(_("excluded"), default=False)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CapturedMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("captured message")
        verbose_name_plural = _("captured messages")
        indexes = [
            models.Index(fields=["customer", "-at"]),
            models.Index(fields=["thread_key"]),
            models.Index(fields=["message_id"]),
            models.Index(
                fields=["mailbox", "-at"],
                condition=Q(customer__isnull=True, excluded=False),
                name="capture_to_file_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "key"],
                condition=Q(mailbox__isnull=False),
                name="capture_once_per_mailbox",
            ),
            models.UniqueConstraint(
                fields=["key"], condition=Q(mailbox__isnull=True), name="capture_once_unboxed"
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.text[:60] or self.key

    @property
    def counterpart(self) -> str:
        return self.from_address if self.direction == Direction.INBOUND else self.to_addresses


class CapturedAttachment(models.Model):
    message = models.ForeignKey(
        CapturedMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="capture/%Y/%m/", max_length=300)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the rep")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class PromiseSuggestion(models.Model):
    """A promise phrase found in our own mail ("we will send the quote by Friday"). Only a
    person confirming it makes a promise: a guess must not count against anyone's reliability."""

    message = models.OneToOneField(
        CapturedMessage, on_delete=models.CASCADE, related_name="promise_suggestion"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="promise_suggestions"
    )
    kind = models.CharField(_("promise"), max_length=12, choices=PromiseKind.choices)
    phrase = models.CharField(_("what was written"), max_length=300)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    promise = models.ForeignKey(
        "engagement.Promise", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("promise suggestion")
        verbose_name_plural = _("promise suggestions")
        indexes = [models.Index(fields=["customer", "status"])]

    def __str__(self) -> str:
        return self.phrase


class ChatUpload(models.Model):
    """A WhatsApp export waiting on its preview: kept until the rep confirms the date order,
    the phone's zone and who is who."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="chat_uploads"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=200)
    file = models.FileField(upload_to="capture/chats/", max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    imported_at = models.DateTimeField(null=True, blank=True)
    added = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("WhatsApp upload")
        verbose_name_plural = _("WhatsApp uploads")

    def __str__(self) -> str:
        return self.filename


class MailUpload(models.Model):
    """An uploaded mbox too big to file while the browser waits: kept until the worker has
    filed it, with its progress for the page that follows it."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=200)
    file = models.FileField(upload_to="capture/uploads/", max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=UploadState.choices, default="queued")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    filed = models.PositiveIntegerField(default=0)
    to_file = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Touched by the worker filing it; a run left "running" with an old one lost its worker and
    # is marked failed, its file kept to try again (``services.uploads.mail_uploads_recover``).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Counts the runs; a worker writes only while the run it claimed is still the current one.
    attempt = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mail upload")
        verbose_name_plural = _("mail uploads")

    def __str__(self) -> str:
        return self.filename

    @property
    def finished(self) -> bool:  # the same states as the import pages' background runs
        return self.state in (UploadState.DONE, UploadState.FAILED)

    @property
    def percent(self) -> int:
        if self.state == UploadState.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    @property
    def can_retry(self) -> bool:
        """Failed with its file kept: the worker stopped (or broke) part-way, not a bad file."""
        return self.state == UploadState.FAILED and bool(self.file)
