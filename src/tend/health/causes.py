"""The causes of customer loss (seed 004), the words every risk reason and lost reason use.

Seed 004 names six: unstable quality, no innovation, weak service, channel conflict
(transshipment), people leaving with their customers, and competitors' temptations. Tend adds
"buying rhythm" for a break in a customer's own ordering pattern whose cause is not yet known."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Cause(models.TextChoices):
    QUALITY = "quality", _("Quality")
    INNOVATION = "innovation", _("Innovation")
    SERVICE = "service", _("Service")
    CHANNEL_CONFLICT = "channel", _("Channel conflict")
    PEOPLE = "people", _("People")
    COMPETITION = "competition", _("Competition")
    RHYTHM = "rhythm", _("Buying rhythm")


class LostReason(models.TextChoices):
    QUALITY = "quality", _("Quality problems")
    INNOVATION = "innovation", _("Our products fell behind")
    SERVICE = "service", _("Poor service")
    CHANNEL_CONFLICT = "channel", _("Channel conflict / transshipment")
    PEOPLE = "people", _("Left with a departing employee")
    COMPETITION = "competition", _("Went to a competitor")
    CLOSED_DOWN = "closed_down", _("Closed down")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
