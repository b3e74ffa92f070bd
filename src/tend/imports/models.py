from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportStage(models.TextChoices):
    """Where a running import is: reading counts rows; checking and saving do not, and saving
    (the commit, all or nothing) can take minutes on a big file, so the page says so."""

    READING = "reading", _("Reading the rows")
    CHECKING = "checking", _("Checking the rows against the book")
    SAVING = "saving", _("Saving")


class ImportRun(models.Model):
    """A check or commit of a big upload, run by the worker (``tend worker``) while the page
    polls this row for its progress and, at the end, its report."""

    what = models.CharField(
        max_length=10, choices=[("customers", _("Customers")), ("orders", _("Orders"))]
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_token = models.CharField(max_length=32)
    file_kind = models.CharField(max_length=4)
    file_name = models.CharField(max_length=255, blank=True)
    mapping = models.JSONField(default=list)
    commit = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=ImportState.choices, default=ImportState.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    stage = models.CharField(max_length=10, choices=ImportStage.choices, blank=True)
    result = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Touched by the running worker; a run left "running" with an old one lost its worker and
    # is queued again (``imports.jobs``).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.what} {self.file_name} ({self.state})"

    @property
    def past_reading(self) -> str:
        """The stage once every row is read (checking, saving), when the rows read no longer
        tell the progress: the page names it rather than sit at 99%. Empty otherwise."""
        if self.state == ImportState.RUNNING and self.stage in (
            ImportStage.CHECKING,
            ImportStage.SAVING,
        ):
            return self.stage
        return ""

    @property
    def percent(self) -> int:
        if self.state == ImportState.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def finished(self) -> bool:
        return self.state in (ImportState.DONE, ImportState.FAILED)
