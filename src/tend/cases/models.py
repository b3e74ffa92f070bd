"""Service cases: a complaint or service request with one accountable owner at every moment,
its event log (the source of its SLA clock), attachments, SLA policies and lot alerts."""

import contextvars
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.customers.models import Tier


class Category(models.TextChoices):
    QUALITY = "quality", _("Quality")
    DELIVERY = "delivery", _("Delivery")
    DOCUMENTS = "documents", _("Documents")
    SERVICE = "service", _("Service")
    PRICE = "price", _("Price")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    CALL = "call", _("Call")
    WHATSAPP = "whatsapp", _("WhatsApp")
    VISIT = "visit", _("Visit")


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on the customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


# The clock pauses while we wait on the customer and stops at resolution.
PAUSE_STATUSES = frozenset({CaseStatus.WAITING_CUSTOMER.value})
END_STATUSES = frozenset({CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value})
OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER)

# Where a case may go from each status (a closed case stays closed).
TRANSITIONS = {
    CaseStatus.NEW: {CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED},
    CaseStatus.IN_PROGRESS: {CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED},
    CaseStatus.WAITING_CUSTOMER: {CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED},
    CaseStatus.RESOLVED: {CaseStatus.IN_PROGRESS, CaseStatus.CLOSED},
    CaseStatus.CLOSED: set(),
}


class Resolution(models.TextChoices):
    REPLACEMENT = "replacement", _("Replacement")
    CREDIT_NOTE = "credit_note", _("Credit note")
    REFUND = "refund", _("Refund")
    REPAIR = "repair", _("Repair")
    EXPLANATION = "explanation", _("Explanation")


# Resolutions that give money back: only through an approved request.
MONEY_RESOLUTIONS = frozenset({Resolution.REFUND.value, Resolution.CREDIT_NOTE.value})

_handing_off = contextvars.ContextVar("cases_handing_off", default=False)


@contextmanager
def handing_off():
    """The one context in which a case's owner may change: ``case_hand_off`` and the handover."""
    token = _handing_off.set(True)
    try:
        yield
    finally:
        _handing_off.reset(token)


class OwnerChangeRefused(ValidationError):
    pass


def _refuse_owner_change() -> None:
    raise OwnerChangeRefused(
        {"owner": _("A case changes owner only by a hand-off, which records who, to whom, why.")}
    )


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def update(self, **kwargs):
        if ("owner" in kwargs or "owner_id" in kwargs) and not _handing_off.get():
            _refuse_owner_change()
        if kwargs.get("status") == CaseStatus.CLOSED:
            raise ValidationError(
                {"status": _("A case is closed one by one, with its root cause and answer.")}
            )
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if ("owner" in fields or "owner_id" in fields) and not _handing_off.get():
            _refuse_owner_change()
        objs = list(objs)
        if "status" in fields and any(obj.status == CaseStatus.CLOSED for obj in objs):
            raise ValidationError(
                {"status": _("A case is closed one by one, with its root cause and answer.")}
            )
        return super().bulk_update(objs, fields, *args, **kwargs)


class Case(models.Model):
    """A complaint or service request. ``owner`` is never empty: whoever is accountable now.

    The SLA figures (``sla_*``) are derived from the event log by ``clock.sla_clock`` and stored
    so lists can sort and count by them; every event and the periodic check recompute them."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="cases"
    )
    title = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    raised_by = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    channel = models.CharField(_("raised by"), max_length=10, choices=Channel.choices)
    orders = models.ManyToManyField("orders.Order", blank=True, related_name="cases")
    order_lines = models.ManyToManyField("orders.OrderLine", blank=True, related_name="cases")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="cases_owned",
    )
    handoffs = models.PositiveIntegerField(_("hand-offs"), default=0)
    handbacks = models.PositiveIntegerField(
        _("passed back"), default=0, help_text=_("Hand-offs to someone who had held it before.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    resolution = models.CharField(
        _("resolution"), max_length=12, choices=Resolution.choices, blank=True
    )
    resolution_note = models.TextField(_("what was done"), blank=True)
    approval_request = models.ForeignKey(
        "approvals.ApprovalRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    customer_satisfied = models.BooleanField(_("customer satisfied"), null=True, blank=True)

    sla_response_hours = models.DecimalField(max_digits=7, decimal_places=2)
    sla_resolution_hours = models.DecimalField(max_digits=7, decimal_places=2)
    sla_response_due_at = models.DateTimeField(null=True, blank=True)
    sla_resolution_due_at = models.DateTimeField(
        _("resolve by"), null=True, blank=True, help_text=_("Empty while the clock is paused.")
    )
    sla_used_pct = models.PositiveSmallIntegerField(default=0)
    sla_response_met = models.BooleanField(null=True, blank=True)
    sla_resolution_met = models.BooleanField(null=True, blank=True)
    sla_resolution_working_hours = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    sla_breached_at = models.DateTimeField(null=True, blank=True)
    # When the SLA watch must look at the case again (``sla.next_check_at``): set to now by
    # every change (and by the database for a row written any other way), to the next level
    # the clock can cross by the watch, empty while only a new event can change anything.
    sla_check_at = models.DateTimeField(
        null=True, blank=True, default=timezone.now, db_default=Now()
    )
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The customer's territory, copied so the case load groups cases without a join to the
    # customers (story S8 on a 200,000-case book). Kept by database triggers (``region.py``)
    # on every path that writes a case or moves a customer to another territory — services,
    # bulk, import, admin, raw SQL — so no Python code sets it; an instance in memory may hold
    # a stale value, the row never does.
    region = models.ForeignKey(
        "customers.Territory",
        verbose_name=_("region"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("service case")
        verbose_name_plural = _("service cases")
        indexes = [
            models.Index(fields=["owner", "status", "sla_resolution_due_at"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["status", "sla_resolution_due_at"]),
            models.Index(fields=["status", "opened_at"]),
            models.Index(
                fields=["status", "-sla_used_pct", "opened_at", "id"], name="case_queue_order"
            ),
            # The case load's two aggregates, index-only: open cases by owner and region, and
            # the last five weeks' cases by owner and region.
            models.Index(
                fields=["status", "owner", "region", "opened_at", "sla_breached_at"],
                name="case_load_open",
            ),
            models.Index(fields=["opened_at", "owner", "region"], name="case_load_recent"),
            models.Index(
                fields=["sla_check_at"],
                name="case_sla_watch",
                condition=Q(sla_check_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (~Q(root_cause="") & Q(customer_satisfied__isnull=False) & ~Q(resolution="")),
                name="case_closed_needs_cause_and_answer",
            ),
            models.CheckConstraint(
                condition=~Q(resolution__in=sorted(MONEY_RESOLUTIONS))
                | Q(approval_request__isnull=False),
                name="case_money_resolution_has_request",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def save(self, *args, **kwargs):
        """Two rules on every path that saves a case (service, admin, import): the owner moves
        only by a hand-off, and a refund or credit is closed only once approved."""
        loaded = getattr(self, "_loaded_owner_id", None)
        if self.pk and loaded is not None and loaded != self.owner_id and not _handing_off.get():
            _refuse_owner_change()
        if self.status == CaseStatus.CLOSED and self.resolution in MONEY_RESOLUTIONS:
            self.check_money_approved()
        super().save(*args, **kwargs)
        self._loaded_owner_id = self.owner_id

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_owner_id = instance.__dict__.get("owner_id")
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._loaded_owner_id = self.owner_id

    def check_money_approved(self) -> None:
        from tend.approvals.models import ApprovalRequest, RequestState

        approved = ApprovalRequest.objects.filter(
            pk=self.approval_request_id, state__in=[RequestState.APPROVED, RequestState.APPLIED]
        ).exists()
        if not approved:
            raise ValidationError(
                {
                    "status": _(
                        "A refund or credit note is closed only after its approval request "
                        "is approved."
                    )
                }
            )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status in PAUSE_STATUSES


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STATUS = "status", _("Status changed")
    HANDOFF = "handoff", _("Hand-off")
    RESPONSE = "response", _("Response to the customer")
    NOTE = "note", _("Note")
    CORRECTION = "correction", _("Correction")
    RESOLUTION = "resolution", _("Resolution")
    ATTACHMENT = "attachment", _("Attachment")
    WARNING = "warning", _("SLA warning")
    ESCALATION = "escalation", _("Escalation")


class CaseEvent(models.Model):
    """One entry of a case's history. ``at`` is when it happened (the clock reads it);
    ``recorded_at`` is when it was written. A correction names the event it corrects and the
    right time; the clock applies it, the history keeps both."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"


def _attachment_path(instance, filename: str) -> str:
    return f"cases/{instance.case_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class CaseAttachment(models.Model):
    """A photo or document, kept through Django's storage (the name shown is the uploaded one)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """Time to first response and to resolution, in working hours of the customer's country,
    by customer tier and severity. Admins edit them; a new case copies its targets."""

    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    response_hours = models.DecimalField(
        _("first response (working hours)"), max_digits=6, decimal_places=1
    )
    resolution_hours = models.DecimalField(
        _("resolution (working hours)"), max_digits=6, decimal_places=1
    )

    class Meta:
        ordering = ["tier", "severity"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["tier", "severity"], name="sla_policy_one_per_cell"),
            models.CheckConstraint(
                condition=Q(response_hours__gt=0)
                & Q(resolution_hours__gte=models.F("response_hours")),
                name="sla_policy_positive_and_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier} / {self.get_severity_display()}"


class SlaAlert(models.Model):
    """A warning (50, 75) or escalation (100) sent once per case, clock and level."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_alerts")
    clock = models.CharField(max_length=10)  # "response" or "resolution"
    level = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "clock", "level"], name="sla_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.clock} {self.level}% on case {self.case_id}"


class CaseLot(models.Model):
    """A lot a case is about: a product and its batch/lot code as the order lines carry it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lots")
    product = models.ForeignKey("orders.Product", on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(_("batch / lot"), max_length=60)

    class Meta:
        indexes = [models.Index(fields=["product", "lot"])]
        constraints = [
            models.UniqueConstraint(fields=["case", "product", "lot"], name="case_lot_once")
        ]

    def __str__(self) -> str:
        return self.lot


class LotAlert(models.Model):
    """A lot whose complaint rate is unlikely under its product's normal rate."""

    product = models.ForeignKey("orders.Product", on_delete=models.PROTECT, related_name="+")
    lot = models.CharField(max_length=60)
    complaints = models.PositiveIntegerField()
    units = models.DecimalField(max_digits=18, decimal_places=3)
    customers = models.PositiveIntegerField(default=0)
    normal_rate = models.FloatField()
    p_value = models.FloatField()
    raised_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    follow_up_tasks = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["p_value", "-complaints"]
        constraints = [models.UniqueConstraint(fields=["product", "lot"], name="lot_alert_once")]

    def __str__(self) -> str:
        return f"{self.lot} ({self.product_id})"

    @property
    def rate(self) -> float:
        return float(self.complaints) / float(self.units) if self.units else 0.0

    @property
    def rate_per_1000(self) -> float:
        return float(f"{self.rate * 1000:.3g}")

    @property
    def normal_per_1000(self) -> float:
        return float(f"{self.normal_rate * 1000:.3g}")

    @property
    def p_text(self) -> str:
        """The chance of so many complaints at the normal rate, readable when tiny."""
        return f"{self.p_value:.1e}" if self.p_value < 0.001 else f"{self.p_value:.3f}"


def _connect_region_triggers() -> None:
    """Put the ``Case.region`` triggers back after every migrate (see ``region.py``); here, not
    in ``apps.py``, so it is connected wherever the models load."""
    from django.db.models.signals import post_migrate

    from .region import region_triggers_after_migrate

    post_migrate.connect(region_triggers_after_migrate, dispatch_uid="cases.region_triggers")


_connect_region_triggers()
