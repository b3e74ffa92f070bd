"""Surveys (NPS or CSAT plus one open question), the personal link each contact gets, the
answer given on it, and the contacts who asked not to be surveyed again."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.core.personal_links import PersonalLink


class SurveyKind(models.TextChoices):
    NPS = "nps", _("NPS (0–10: would you recommend us)")
    CSAT = "csat", _("CSAT (1–5: how satisfied)")


# The scale of each kind, and the answers that call for a follow-up.
SCALES = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5)}
NPS_DETRACTOR_MAX = 6
NPS_PROMOTER_MIN = 9
CSAT_UNHAPPY_MAX = 2


class Trigger(models.TextChoices):
    ORDER_DELIVERED = "order_delivered", _("after an order was delivered")
    CASE_CLOSED = "case_closed", _("after a case was closed")
    RELATIONSHIP = "relationship", _("periodic relationship survey")
    MANUAL = "manual", _("sent by hand")


class Survey(models.Model):
    """A question in English and Simplified Chinese, its scale, and one open question. The
    active survey of a kind is the one sent."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=4, choices=SurveyKind.choices)
    question_en = models.CharField(_("question (English)"), max_length=300)
    question_zh_hans = models.CharField(_("question (Simplified Chinese)"), max_length=300)
    open_question_en = models.CharField(_("open question (English)"), max_length=300)
    open_question_zh_hans = models.CharField(
        _("open question (Simplified Chinese)"), max_length=300
    )
    thanks_en = models.CharField(
        _("thank-you (English)"), max_length=300, default="Thank you for your answer."
    )
    thanks_zh_hans = models.CharField(
        _("thank-you (Simplified Chinese)"), max_length=300, default="感谢您的回答。"
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self) -> range:
        low, high = SCALES[self.kind]
        return range(low, high + 1)

    def question(self, language: str) -> str:
        return self.question_zh_hans if language == "zh-hans" else self.question_en

    def open_question(self, language: str) -> str:
        return self.open_question_zh_hans if language == "zh-hans" else self.open_question_en

    def thanks(self, language: str) -> str:
        """Said in the contact's language whatever the translation catalogue holds."""
        return self.thanks_zh_hans if language == "zh-hans" else self.thanks_en


class SurveySend(PersonalLink):
    """One survey sent to one contact: the claim row of the send (made before the email goes,
    removed if sending fails) and the personal link the contact answers on."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="sends")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="survey_sends"
    )
    # A removed contact leaves the send and its answer in the customer's history.
    contact = models.ForeignKey(
        "customers.Contact",
        null=True,
        on_delete=models.SET_NULL,
        related_name="survey_sends",
    )
    contact_name = models.CharField(_("contact"), max_length=150, default="")
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    subject_label = models.CharField(_("about"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=7, default="en")
    idempotency_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey sent")
        verbose_name_plural = _("surveys sent")
        indexes = [
            models.Index(fields=["contact", "created_at"]),
            models.Index(fields=["customer", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.contact_name}"


class SurveyAnswer(models.Model):
    """The answer pressed on the link: one per send."""

    send = models.OneToOneField(SurveySend, on_delete=models.CASCADE, related_name="answer")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="survey_answers"
    )
    kind = models.CharField(_("kind"), max_length=4, choices=SurveyKind.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [
            models.Index(fields=["customer", "answered_at"]),
            models.Index(fields=["kind", "answered_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="nps", score__lte=10) | Q(kind="csat", score__gte=1, score__lte=5),
                name="voice_answer_score_on_scale",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.score}"

    @property
    def unhappy(self) -> bool:
        """A detractor (NPS 0–6) or an unhappy CSAT (1–2): the owner follows up."""
        if self.kind == SurveyKind.NPS:
            return self.score <= NPS_DETRACTOR_MAX
        return self.score <= CSAT_UNHAPPY_MAX


class SurveyOptOut(models.Model):
    """A contact who asked (one click on the survey page) not to be surveyed again."""

    contact = models.OneToOneField(
        "customers.Contact", on_delete=models.CASCADE, related_name="survey_opt_out"
    )
    at = models.DateTimeField(default=timezone.now)
    send = models.ForeignKey(
        SurveySend, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("survey opt-out")
        verbose_name_plural = _("survey opt-outs")

    def __str__(self) -> str:
        return str(self.contact)
