from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    CALL = "call", _("Call")
    VIDEO = "video", _("Video call")
    MEETING = "meeting", _("Meeting")
    VISIT = "visit", _("Visit")
    TRADE_FAIR = "trade_fair", _("Trade fair")
    WHATSAPP = "whatsapp", _("WhatsApp")
    WECHAT = "wechat", _("WeChat")
    OTHER = "other", _("Other")


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class InteractionQuerySet(models.QuerySet):
    def open_inquiries(self):
        return self.filter(needs_answer=True, answered_at__isnull=True)


class Interaction(models.Model):
    """Something said between us and a customer, on any channel."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="interactions"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    contacts = models.ManyToManyField(
        "customers.Contact", verbose_name=_("contacts"), blank=True, related_name="interactions"
    )
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("our people"), blank=True, related_name="+"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="logged_interactions"
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    needs_answer = models.BooleanField(_("needs an answer"), default=False)
    answered_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="answered"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    response_hours = models.DecimalField(
        _("response time (working hours)"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    objects = InteractionQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["customer", "-at"]),
            models.Index(
                fields=["customer", "at"],
                condition=Q(needs_answer=True, answered_at__isnull=True),
                name="engagement_open_inquiry_idx",
            ),
            # The open inquiries in age order, whoever's: Today's "unanswered inquiries" walks
            # them oldest first and keeps the user's (a manager's OR with the pool otherwise
            # makes PostgreSQL probe each of the 8,000 visible customers: 257 ms -> 8 ms).
            # With the customer in the index the walk reads no interaction row: without it
            # PostgreSQL costed the walk's scattered row reads above the probes and went back
            # to probing (manager's Today, 100k book: 65-110 ms).
            models.Index(
                fields=["at", "id", "customer"],
                condition=Q(needs_answer=True, answered_at__isnull=True),
                name="engagement_open_inquiry_at_idx",
            ),
            # Only answered inquiries: an index holding the unanswered ones too lets SQLite's
            # planner pick it for "answered_at IS NULL" (it expects a handful of rows and reads
            # millions) instead of the open inquiries' partial index above. It carries the
            # response time so the reports' monthly median reads the index alone, not 200,000
            # scattered table rows (2 s → 0.02 s on SQLite at 100,000 customers).
            models.Index(
                fields=["responder", "answered_at", "response_hours"],
                condition=Q(answered_at__isnull=False),
                name="engagement_answered_idx",
            ),
            # The imbalance report's response time per tier: SQLite walks the visible customers
            # and reads each one's inquiries answered in the period from this index alone (at
            # 20,000 customers it read every interaction's row of every customer).
            models.Index(
                fields=["customer", "answered_at", "response_hours", "needs_answer"],
                condition=Q(answered_at__isnull=False),
                name="engagement_answer_time_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(needs_answer=False) | Q(direction="in"),
                name="interaction_only_inbound_needs_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.get_channel_display()} {self.at:%Y-%m-%d}"

    @property
    def is_open_inquiry(self) -> bool:
        return self.needs_answer and self.answered_at is None


class PromiseKind(models.TextChoices):
    QUOTE = "quote", _("Send a quote")
    SAMPLE = "sample", _("Send a sample")
    INFORMATION = "information", _("Send information")
    PRICE = "price", _("Send a price")
    CALL_BACK = "call_back", _("Call back")
    SHIP_DATE = "ship_date", _("Ship by a date")
    OTHER = "other", _("Other")


class PromiseOutcome(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    KEPT_LATE = "kept_late", _("Kept late")
    BROKEN = "broken", _("Broken")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PromiseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(outcome=PromiseOutcome.OPEN)


class Promise(models.Model):
    """Something we told a customer we would do by a date. Kept, kept late, broken or
    withdrawn: reliability is measured on these (seed 002)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="promises"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="promises",
        verbose_name=_("contact"),
    )
    kind = models.CharField(_("promise"), max_length=12, choices=PromiseKind.choices)
    description = models.CharField(_("what exactly"), max_length=300, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="promises",
        verbose_name=_("made by"),
    )
    made_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="promises"
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=PromiseOutcome.choices, default=PromiseOutcome.OPEN
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_reason = models.CharField(_("reason"), max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    broken_automatically = models.BooleanField(default=False)

    objects = PromiseQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("promise")
        verbose_name_plural = _("promises")
        indexes = [
            models.Index(fields=["made_by", "outcome", "due_at"]),
            # With the outcome, the imbalance report's promises kept per tier read the index
            # alone, customer by customer, not each promise's row.
            models.Index(fields=["customer", "due_at", "outcome"], name="promise_customer_due_idx"),
            models.Index(fields=["outcome", "due_at"]),
        ]

    def __str__(self) -> str:
        return self.description or self.get_kind_display()

    @property
    def is_open(self) -> bool:
        return self.outcome == PromiseOutcome.OPEN

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())


class ThreadKind(models.IntegerChoices):
    INTERACTIONS = 0, _("interactions")
    PERSON = 1, _("one of our people")
    CONTACT = 2, _("one of their contacts")


class ContactThread(models.Model):
    """How many of a customer's interactions one of our people (``PERSON``, ``ref_id`` the
    user) or one of their contacts (``CONTACT``, the contact) took part in, and how many
    interactions the customer has at all (``INTERACTIONS``, ``ref_id`` 0): what the
    single-threading rule (``customers.selectors.contact_threads``) counts, stored instead of
    joined from millions of interactions and their links at every read.

    One table with a kind, not one per kind: the rule reads all three per customer, and one
    table is one index walk grouped by customer instead of a join of two aggregates; the
    interactions row keeps a customer whose interactions name nobody in the rule's rows, as
    the join did. Kept by database triggers on the interactions and their two link tables
    (``contact_threads.py``), so every path that writes them (services, API, capture, admin,
    bulk, raw SQL) keeps it current in the same transaction; ``contact_threads_mismatches``
    checks it. A row goes when its count reaches zero."""

    # Backups' portable dump leaves it out: the restore rebuilds it from the interactions.
    DERIVED_BY_TRIGGERS = True

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the unique constraint's index starts with it
    )
    kind = models.PositiveSmallIntegerField(choices=ThreadKind.choices)
    ref_id = models.BigIntegerField()  # the user or the contact; 0 for INTERACTIONS
    interactions = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("contact thread")
        verbose_name_plural = _("contact threads")
        constraints = [
            # Also the rule's index: every figure it reads is in it (an index-only walk).
            models.UniqueConstraint(
                fields=["customer", "kind", "ref_id"], name="engagement_one_contact_thread"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.ref_id}: {self.interactions}"
