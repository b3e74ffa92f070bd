from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.core.i18n import render_stored

from .kinds import get_kind

# Where an entry keeps its title as a message and values, to be read in the reader's language.
TITLE_KEY = "title_i18n"


class TimelineEntry(models.Model):
    """One thing that happened with a customer. Every app writes its entries through
    ``timeline.services.timeline_add`` so the customer page reads one table, newest first."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="timeline_entries"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("details"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [
            models.Index(fields=["customer", "-at", "-id"]),
            models.Index(fields=["customer", "kind", "-at"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.title}"

    @property
    def display_title(self) -> str:
        """The title in the reader's language, when it was written as a translatable text."""
        return render_stored(self.data.get(TITLE_KEY) if self.data else None, self.title)

    @property
    def kind_info(self):
        return get_kind(self.kind)
