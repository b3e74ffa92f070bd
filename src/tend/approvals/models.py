from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.core.decimals import money_column
from tend.core.i18n import TranslatableText
from tend.core.templatetags.money import money

MONEY = money_column()


class RequestKind(models.TextChoices):
    DISCOUNT = "discount", _("Discount or price below list")
    ORDER_CHANGE = "order_change", _("Change to a confirmed order")
    REFUND = "refund", _("Refund or credit note")
    ACCOMMODATION = "accommodation", _("Special accommodation")
    CREDIT_TERMS = "credit_terms", _("Payment terms or credit limit")
    CHANNEL_ACTION = "channel_action", _("Action against a dealer selling outside its territory")


# Kinds of request that move no money: shown by what they change, never by an amount.
AMOUNTLESS_KINDS = (RequestKind.CREDIT_TERMS, RequestKind.CHANNEL_ACTION)


class RequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    APPLIED = "applied", _("Applied")
    STALE = "stale", _("Stale (the target changed)")


class ApprovalPolicy(models.Model):
    """Per kind: how long a request waits, and its thresholds (``ApprovalThreshold``)."""

    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices, unique=True)
    expiry_days = models.PositiveSmallIntegerField(_("expires after (days)"), default=7)
    measure = models.CharField(
        _("measured by"),
        max_length=10,
        choices=[("amount", _("amount in base currency")), ("percent", _("discount %"))],
        default="amount",
    )

    class Meta:
        verbose_name = _("approval policy")
        verbose_name_plural = _("approval policies")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class ApprovalThreshold(models.Model):
    """From ``above`` (exclusive) upwards, a request needs ``approvers`` distinct people of the
    allowed roles, one of them an admin if ``admin_required``. The highest matching row wins."""

    policy = models.ForeignKey(ApprovalPolicy, on_delete=models.CASCADE, related_name="thresholds")
    above = models.DecimalField(_("above"), **MONEY, default=Decimal("0"))
    approvers = models.PositiveSmallIntegerField(_("approvers needed"), default=1)
    admin_required = models.BooleanField(_("one must be an admin"), default=False)
    managers_may_approve = models.BooleanField(_("managers may approve"), default=True)
    same_team_only = models.BooleanField(
        _("managers only for their team's customers"), default=True
    )

    class Meta:
        ordering = ["policy", "above"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "above"], name="threshold_unique_step")
        ]

    def __str__(self) -> str:
        return f"{self.policy}: above {self.above} → {self.approvers}"


class ApprovalRequest(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="approval_requests"
    )
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approval_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_requests"
    )
    reason = models.TextField(_("why"))
    proposed = models.JSONField(_("proposed change"), default=dict)
    baseline = models.JSONField(default=dict)
    amount_base = models.DecimalField(_("amount (base currency)"), **MONEY, default=Decimal("0"))
    measure_value = models.DecimalField(**MONEY, default=Decimal("0"))
    approvals_needed = models.PositiveSmallIntegerField(default=1)
    admin_required = models.BooleanField(default=False)
    managers_may_approve = models.BooleanField(default=True)
    same_team_only = models.BooleanField(default=True)
    routed_to_admins = models.BooleanField(
        _("routed to the admins"),
        default=False,
        help_text=_("Fewer people could approve it than the policy needs: an admin decides it."),
    )
    routing_note = models.CharField(_("why it was routed"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=RequestState.choices, default=RequestState.PENDING
    )
    state_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        indexes = [
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["customer", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("approvals:detail", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.state == RequestState.PENDING

    @property
    def has_amount(self) -> bool:
        """Whether the request moves money. Payment terms and a credit limit do not (their
        ``amount_base`` is only the measure the policy reads), nor does an action against a
        dealer: neither is ever shown or totalled as an amount."""
        return self.kind not in AMOUNTLESS_KINDS

    @property
    def about(self) -> TranslatableText:
        """What the request asks for, in a few words for a list or a timeline entry: its amount
        in the base currency, or what it would change when it moves no money."""
        proposed = self.proposed or {}
        base = settings.TEND_BASE_CURRENCY
        if self.kind == RequestKind.CREDIT_TERMS:
            parts = []
            if "payment_terms" in proposed:
                parts.append(
                    TranslatableText(
                        _("payment terms: %(terms)s"), {"terms": proposed["payment_terms"] or "—"}
                    )
                )
            if "credit_limit" in proposed:
                limit = proposed["credit_limit"]
                parts.append(
                    TranslatableText(_("no credit limit"))
                    if limit is None
                    else TranslatableText(
                        _("credit limit: %(amount)s %(base)s"),
                        {"amount": money(limit), "base": base},
                    )
                )
            if len(parts) == 2:
                return TranslatableText(
                    "%(first)s · %(second)s", {"first": parts[0], "second": parts[1]}
                )
            return parts[0] if parts else TranslatableText(RequestKind(self.kind).label)
        if self.kind == RequestKind.CHANNEL_ACTION:
            from tend.market.models import ChannelAction

            action = proposed.get("action")
            if action in ChannelAction.values:
                return TranslatableText(ChannelAction(action).label)
            return TranslatableText(RequestKind(self.kind).label)
        return TranslatableText(
            "%(amount)s %(base)s", {"amount": money(self.amount_base), "base": base}
        )


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class ApprovalDecision(models.Model):
    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="decisions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "by"], name="one_decision_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.by} {self.decision} #{self.request_id}"


class CreditNote(models.Model):
    """A refund or credit granted to a customer: written only by applying an approved request,
    once (the request is unique)."""

    request = models.OneToOneField(ApprovalRequest, on_delete=models.PROTECT, related_name="credit")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        max_length=12, choices=[("refund", _("Refund")), ("credit_note", _("Credit note"))]
    )
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    amount_base = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class Concession(models.Model):
    """A special accommodation granted (free freight, extended warranty, exclusive territory…)."""

    request = models.OneToOneField(
        ApprovalRequest, on_delete=models.PROTECT, related_name="concession"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    description = models.TextField()
    value_base = models.DecimalField(**MONEY)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.description[:60]


class Notification(models.Model):
    """An in-app message (e.g. your request was decided)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="unread_idx")
        ]

    def __str__(self) -> str:
        return self.text
