from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.tasks.models import TaskKind

from .causes import Cause, LostReason, RiskLevel

MONEY = {"max_digits": 18, "decimal_places": 2}


class ScoreRun(models.Model):
    """One scoring of the whole book: when, how many, the fitted model parameters and where the
    time went (read, fit, predict, write)."""

    day = models.DateField(db_index=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    customers = models.PositiveIntegerField(default=0)
    parameters = models.JSONField(default=dict)
    timings = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Scoring of {self.day} ({self.customers} customers)"


class HealthSnapshot(models.Model):
    """A customer's health on one day. One per customer per day; history is kept, so the
    customer page can show the trend. ``reasons`` holds the signals that fired, strongest first:
    ``[{"code", "cause", "weight", "text"}]``."""

    # No index of its own: the one-a-day constraint's (customer, day) serves a customer's
    # snapshots, and each index is written again for 100,000 rows every scoring.
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="health_snapshots",
        db_index=False,
    )
    day = models.DateField()
    risk = models.FloatField(_("risk"))
    level = models.CharField(_("risk level"), max_length=6, choices=RiskLevel.choices)
    cause = models.CharField(_("main cause"), max_length=12, choices=Cause.choices, blank=True)
    value_at_risk = models.DecimalField(_("value at risk"), **MONEY)
    annual_value = models.DecimalField(_("annual value"), **MONEY)
    p_alive = models.FloatField(_("probability still buying"), null=True)
    expected_orders_12m = models.FloatField(_("expected orders, 12 months"), null=True)
    expected_value_12m = models.DecimalField(_("expected value, 12 months"), null=True, **MONEY)
    clv_36m = models.DecimalField(_("customer value, 36 months"), null=True, **MONEY)
    days_since_last_order = models.IntegerField(null=True)
    usual_gap_days = models.FloatField(null=True)
    revenue_12m = models.DecimalField(**MONEY, default=0)
    revenue_prev_12m = models.DecimalField(**MONEY, default=0)
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "day"], name="health_one_snapshot_a_day")
        ]
        indexes = [
            models.Index(fields=["day", "value_at_risk"]),
            # Today's "customers at high risk" and the at-risk list's levels: one level of the
            # day in value order, not the whole day's book filtered row by row.
            # The customer included: Today's count of one person's customers at high risk
            # joins it to their customers from the index alone (66 ms -> 17 ms at 100k).
            models.Index(
                fields=["day", "level", "value_at_risk"],
                include=["customer"],
                name="health_day_level_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} on {self.day}: {self.level}"


class RiskDayTotal(models.Model):
    """Value at risk of one scoring day, summed by who owned and backed up the customers then,
    their tier, country and main cause: what the reports' "value at risk over time" reads (a
    few thousand rows a day where the snapshots are one per customer). Written with the day's
    snapshots, in the same transaction (``health.services.day_totals``); customers with no
    value at risk are not counted."""

    day = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    backup_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    tier = models.CharField(max_length=1)
    country = models.CharField(max_length=2)
    cause = models.CharField(max_length=12, choices=Cause.choices, blank=True)
    customers = models.PositiveIntegerField()
    value_at_risk = models.DecimalField(**MONEY)

    class Meta:
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.cause or '-'}: {self.value_at_risk} ({self.customers})"


class PlaybookRule(models.Model):
    """Turns a risk into tasks: when a scored customer shows ``cause`` (or one exact signal) at
    ``min_level`` or above, in one of ``tiers``, each step opens a task. Admins edit these."""

    name = models.CharField(_("name"), max_length=120)
    cause = models.CharField(_("cause"), max_length=12, choices=Cause.choices)
    signal = models.CharField(
        _("only this signal"),
        max_length=40,
        blank=True,
        help_text=_("A signal code such as rhythm_break; empty means any signal of the cause."),
    )
    min_level = models.CharField(
        _("from risk level"), max_length=6, choices=RiskLevel.choices, default=RiskLevel.HIGH
    )
    tiers = models.CharField(
        _("tiers"), max_length=10, blank=True, help_text=_("e.g. A or A,B; empty means all.")
    )
    cooldown_days = models.PositiveSmallIntegerField(_("not again within (days)"), default=30)
    per_owner = models.BooleanField(
        _("one task per owner"),
        default=False,
        help_text=_(
            "Open each step once for all of an owner's matching customers (e.g. everyone a "
            "departed rep left behind), on the one with the most value at risk."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["cause", "name"]
        verbose_name = _("playbook rule")
        verbose_name_plural = _("playbook rules")

    def __str__(self) -> str:
        return self.name


class AssigneeRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Owner's manager")
    BACKUP = "backup", _("Backup owner")


class PlaybookStep(models.Model):
    rule = models.ForeignKey(PlaybookRule, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("task"), max_length=12, choices=TaskKind.choices)
    assignee = models.CharField(
        _("for"), max_length=8, choices=AssigneeRole.choices, default=AssigneeRole.OWNER
    )
    due_in_days = models.PositiveSmallIntegerField(_("due in (days)"), default=2)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["due_in_days", "id"]

    def __str__(self) -> str:
        return self.title


class PlaybookFiring(models.Model):
    """A rule fired for a customer; the cooldown counts from here."""

    rule = models.ForeignKey(PlaybookRule, on_delete=models.CASCADE, related_name="firings")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    tasks_created = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["rule", "customer", "at"])]

    def __str__(self) -> str:
        return f"{self.rule_id} for {self.customer_id} at {self.at:%Y-%m-%d}"


class LostRecord(models.Model):
    """A customer marked lost: why, to whom, when to try again, and whether they came back."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="lost_records"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=LostReason.choices)
    competitor = models.CharField(_("competitor"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    win_back_on = models.DateField(_("try to win back on"), null=True, blank=True)
    annual_value = models.DecimalField(_("annual value lost"), **MONEY, default=0)
    previous_status = models.CharField(max_length=10)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)
    won_back_at = models.DateTimeField(null=True, blank=True)
    won_back_order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-marked_at"]
        verbose_name = _("lost customer record")
        indexes = [models.Index(fields=["customer", "won_back_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id} lost ({self.reason})"


class AtRiskToken(models.Model):
    """One row: a number the database changes by triggers whenever who sees which customer
    could change (``health.summary_token``); the at-risk summary is cached under it."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    token = models.BigIntegerField()
    txid = models.BigIntegerField(null=True)  # PostgreSQL: the transaction that last changed it

    def __str__(self) -> str:
        return str(self.token)
