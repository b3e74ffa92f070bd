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
