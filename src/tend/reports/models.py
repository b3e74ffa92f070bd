from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MonthlyReportSent(models.Model):
    """One manager's monthly report for one month. The row is the claim: inserted before the
    email goes (after commit), so a second run or worker sends nothing; removed again if sending
    fails, so a later run retries."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="monthly_reports_sent"
    )
    month = models.DateField(_("report month"))  # the first day of the month reported on
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "user_id"]
        verbose_name = _("monthly report sent")
        verbose_name_plural = _("monthly reports sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="reports_one_monthly_report")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.month:%Y-%m}"


class CustomerMonthRevenue(models.Model):
    """What one customer ordered in one month (cancelled orders left out), in cents of the base
    currency: the stored figure the cohorts and revenue retention add up, instead of every order.

    Kept by database triggers on the orders table (see the ``0002`` migration), so every path
    that writes an order (service, page, API, import, admin, bulk, raw SQL) keeps it current in
    the same transaction: it is never stale. ``revenue_months_mismatches`` checks it."""

    # Backups' portable dump leaves it out: the triggers refill it as the orders load.
    DERIVED_BY_TRIGGERS = True

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    month = models.IntegerField()  # months since year 0 (scope.month_number)
    revenue_cents = models.BigIntegerField(default=0)
    orders = models.IntegerField(default=0)  # non-cancelled orders; the row goes at zero

    class Meta:
        verbose_name = _("customer month revenue")
        verbose_name_plural = _("customer month revenues")
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="reports_one_customer_month")
        ]
        indexes = [models.Index(fields=["month", "customer"], name="reports_month_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month}: {self.revenue_cents}"


class CustomerYearRevenue(models.Model):
    """One customer's revenue retention inputs at one month-end, in cents: what they ordered in
    the 12 months before the last 12 (``start_cents``) and in the last 12 (``since_cents``).
    A row exists while the starting year holds an order (``start_months`` of them): only
    customers of a year ago count in revenue retention.

    Kept by database triggers on ``CustomerMonthRevenue`` (see ``revenue_years.py``), hence on
    every order write; ``revenue_years_mismatches`` checks it."""

    DERIVED_BY_TRIGGERS = True

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    month = models.IntegerField()  # the month-end's month number (scope.month_number)
    start_cents = models.BigIntegerField(default=0)
    start_months = models.IntegerField(default=0)  # months ordered in; the row goes at zero
    since_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("customer year revenue")
        verbose_name_plural = _("customer year revenues")
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="reports_one_customer_year")
        ]
        indexes = [
            # The report reads 12 month-ends of every customer from the index alone.
            models.Index(
                fields=["month", "customer", "start_cents", "since_cents"],
                name="reports_year_month_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month}: {self.start_cents} → {self.since_cents}"


class CadenceMonth(models.Model):
    """One person's "touched in cadence" in one month: of the customers they owned, how many
    had their next touch not yet due. Recorded by a periodic job (``reports.cadence``), each
    run overwriting the month's row, so a past month holds its last day's figure; rows stay
    when the person leaves, so the history and the team figure do not change with them."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cadence_months"
    )
    month = models.IntegerField()  # month number (scope.month_number)
    customers = models.IntegerField(default=0)
    touched = models.IntegerField(default=0)
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["month", "person_id"]
        verbose_name = _("touched in cadence, monthly")
        verbose_name_plural = _("touched in cadence, monthly")
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="reports_one_cadence_month")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.month}: {self.touched}/{self.customers}"
