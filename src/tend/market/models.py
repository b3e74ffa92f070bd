"""The market: tiers from value and their service floor, dealer territories and their rights,
market checks that trace lots back to the dealer who received them, price and policy notices
acknowledged by personal link, referrals, business passed, and public mentions."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.core.decimals import PERCENT, UNIT_PRICE, column_kwargs, money_column
from tend.core.personal_links import PersonalLink
from tend.customers.models import Tier
from tend.customers.validators import validate_country, validate_currency

MONEY = money_column()


# --- Tiers and their service floor ------------------------------------------------------------


class TierPolicy(models.Model):
    """The service floor of one tier: what every customer of the tier is owed whatever its size.

    The touch cadence lives here (``TEND_CADENCE_DAYS`` gives the defaults). Case SLAs and the
    survey rhythm are keyed by the same tier value in their own apps (cases, voice)."""

    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices, unique=True)
    cadence_days = models.PositiveSmallIntegerField(
        _("touch every (days)"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tier"]
        verbose_name = _("tier service floor")
        verbose_name_plural = _("tier service floors")

    def __str__(self) -> str:
        return f"{self.tier}: {self.cadence_days}"


class MarketProfile(models.Model):
    """What the nightly job computed about one customer's value, and the tier it proposes."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="market_profile"
    )
    potential = models.DecimalField(
        _("potential (yearly revenue, base currency)"), **MONEY, null=True, blank=True
    )
    revenue_12m = models.DecimalField(**MONEY, default=Decimal("0"))
    margin_12m = models.DecimalField(**MONEY, null=True, blank=True)
    abc_revenue = models.CharField(max_length=1, choices=Tier.choices, blank=True)
    abc_margin = models.CharField(max_length=1, choices=Tier.choices, blank=True)
    recency = models.PositiveSmallIntegerField(default=0)  # RFM scores 1..5, 0 without orders
    frequency = models.PositiveSmallIntegerField(default=0)
    monetary = models.PositiveSmallIntegerField(default=0)
    proposed_tier = models.CharField(max_length=1, choices=Tier.choices, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("market profile")
        indexes = [models.Index(fields=["proposed_tier"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.proposed_tier}"

    @property
    def rfm(self) -> str:
        return f"{self.recency}{self.frequency}{self.monetary}" if self.recency else ""


# --- Territories ------------------------------------------------------------------------------


class TerritoryArea(models.Model):
    """One piece of a territory (``customers.Territory``): a country, a province or state in it,
    or a city. A territory covers a place when one of its areas does."""

    territory = models.ForeignKey(
        "customers.Territory", on_delete=models.CASCADE, related_name="areas"
    )
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    province = models.CharField(_("province / state"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    class Meta:
        ordering = ["territory", "country", "province", "city"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "country", "province", "city"], name="territory_area_unique"
            )
        ]

    def __str__(self) -> str:
        return " / ".join(part for part in (self.country, self.province, self.city) if part)

    def covers(self, *, country: str, province: str = "", city: str = "") -> bool:
        if self.country != country.upper():
            return False
        if self.province and self.province.casefold() != (province or "").casefold():
            return False
        return not self.city or self.city.casefold() == (city or "").casefold()


class TerritoryRight(models.Model):
    """A dealer's right to sell a product line (blank: every line) in a territory, exclusive or
    not, from one day to another (open-ended without an end)."""

    dealer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="territory_rights"
    )
    territory = models.ForeignKey(
        "customers.Territory", on_delete=models.PROTECT, related_name="rights"
    )
    product_line = models.CharField(
        _("product line"), max_length=100, blank=True, help_text=_("Empty: every line.")
    )
    exclusive = models.BooleanField(_("exclusive"), default=False)
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["territory", "dealer", "product_line"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="territory_right_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dealer_id} @ {self.territory_id} {self.product_line or '*'}"

    def in_force(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def covers_line(self, line: str) -> bool:
        return not self.product_line or self.product_line.casefold() == (line or "").casefold()


# --- Market checks and transshipment ----------------------------------------------------------


class MarketCheck(models.Model):
    """Goods seen in a shop: where, what, which lot, at what price, by whom, with a photo."""

    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    province = models.CharField(_("province / state"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100)
    shop = models.CharField(_("shop"), max_length=200)
    product = models.ForeignKey(
        "orders.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    lot_code = models.CharField(_("lot code"), max_length=60)
    price = models.DecimalField(
        _("shelf price"), **column_kwargs(UNIT_PRICE), null=True, blank=True
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[validate_currency]
    )
    photo = models.FileField(_("photo"), upload_to="market_checks/%Y/%m/", blank=True)
    checked_on = models.DateField(_("seen on"))
    notes = models.TextField(_("notes"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="market_checks"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-checked_on", "-id"]
        verbose_name = _("market check")
        indexes = [models.Index(fields=["lot_code"])]

    def __str__(self) -> str:
        return f"{self.lot_code} @ {self.shop}, {self.city}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("market:check", args=[self.pk])


class SaleKind(models.TextChoices):
    UNKNOWN = "", _("Not yet classified")
    ACTIVE = "active", _("Active sale (the dealer sought these buyers)")
    PASSIVE = "passive", _("Passive sale (unsolicited buyers came to the dealer)")


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    CLASSIFIED = "classified", _("Classified")
    ACTION_REQUESTED = "action_requested", _("Action awaiting approval")
    ACTION_APPROVED = "action_approved", _("Action approved")
    DISMISSED = "dismissed", _("Dismissed")


class TransshipmentAlert(models.Model):
    """A lot found outside the territory of the dealer who received it: the evidence (the check
    and the order line that shipped the lot), the source dealer, the dealer harmed (holding
    exclusive rights where it was found, if any) and the reviewer's classification."""

    market_check = models.ForeignKey(MarketCheck, on_delete=models.CASCADE, related_name="alerts")
    order_line = models.ForeignKey(
        "orders.OrderLine", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_dealer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="transshipments_out"
    )
    harmed_dealer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transshipments_in",
    )
    state = models.CharField(max_length=20, choices=AlertState.choices, default=AlertState.OPEN)
    sale_kind = models.CharField(max_length=10, choices=SaleKind.choices, blank=True)
    review_note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    action_request = models.ForeignKey(
        "approvals.ApprovalRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["market_check", "source_dealer"], name="alert_once_per_dealer"
            )
        ]
        indexes = [models.Index(fields=["harmed_dealer", "created_at"])]

    def __str__(self) -> str:
        return f"{self.source_dealer_id} -> {self.harmed_dealer_id} ({self.market_check_id})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("market:alert", args=[self.pk])


class ChannelAction(models.TextChoices):
    """What may be done to a dealer who sold outside its territory: each goes through approval."""

    WARNING = "warning", _("Formal warning")
    SUPPLY_HOLD = "supply_hold", _("Hold supply of the line")
    REVOKE_EXCLUSIVITY = "revoke_exclusivity", _("Revoke exclusivity")
    TERMINATE = "terminate", _("Terminate the dealer agreement")


# --- Notices ----------------------------------------------------------------------------------


class NoticeKind(models.TextChoices):
    PRICE = "price", _("Price change")
    POLICY = "policy", _("Policy change")


class Notice(models.Model):
    """A price change (a product line by a percentage) or a policy change, told early: sent at
    least the contractual notice period before it takes effect."""

    kind = models.CharField(_("kind"), max_length=10, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what changes"))
    product_line = models.CharField(_("product line"), max_length=100, blank=True)
    change_pct = models.DecimalField(
        _("price change %"), **column_kwargs(PERCENT), null=True, blank=True
    )
    effective_date = models.DateField(_("takes effect on"))
    notice_days = models.PositiveSmallIntegerField(
        _("contractual notice (days)"), default=30, validators=[MaxValueValidator(730)]
    )
    acknowledge_by = models.DateField(_("acknowledge by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-effective_date", "-id"]
        verbose_name = _("notice")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("market:notice", args=[self.pk])


class NoticePrice(models.Model):
    """A product's list price before and after a price notice, fixed when the notice is made:
    an order after the effective date below the new price was placed at the old one."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey("orders.Product", on_delete=models.CASCADE, related_name="+")
    old_price = models.DecimalField(**MONEY)
    new_price = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "product"], name="notice_price_once")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.old_price} -> {self.new_price}"


class NoticeRecipient(PersonalLink):
    """One contact told of a notice. The row is the send's claim (unique per notice and
    contact); ``used_at`` is the acknowledgement (a button press), ``read_at`` only that the
    page was opened (weaker: scanners open links too)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="notices_received"
    )
    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "contact"], name="notice_once_per_contact")
        ]
        indexes = [models.Index(fields=["notice", "customer"])]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.email}"

    @property
    def acknowledged_at(self):
        return self.used_at


# --- Referrals, business passed, mentions -----------------------------------------------------


class Referral(models.Model):
    """The ledger: who referred whom, when. A customer is referred once (by one referrer)."""

    referrer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="referrals_made"
    )
    referred = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="referral_received"
    )
    on = models.DateField(_("referred on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(referrer=models.F("referred")), name="referral_not_self"
            )
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.referred_id}"


class LeadOutcome(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won by the customer")
    LOST = "lost", _("Lost")
    DECLINED = "declined", _("Declined by the customer")


class BusinessPassed(models.Model):
    """A lead we gave to a customer (a buyer sent to a dealer): seed 001, find business for
    your business customers."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="business_passed"
    )
    lead = models.CharField(_("lead (who)"), max_length=200)
    description = models.TextField(_("what"), blank=True)
    value = models.DecimalField(_("estimated value (base currency)"), **MONEY, null=True)
    passed_on = models.DateField(_("passed on"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=LeadOutcome.choices, default=LeadOutcome.OPEN
    )
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-passed_on", "-id"]
        verbose_name = _("business passed")
        verbose_name_plural = _("business passed")

    def __str__(self) -> str:
        return f"{self.lead} → {self.customer_id}"


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Mention(models.Model):
    """A public review or mention of us by or about a customer (reviews travel far: seed 001)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="mentions"
    )
    url = models.URLField(_("link"), max_length=500)
    where = models.CharField(_("where"), max_length=100, blank=True)
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices)
    summary = models.CharField(_("summary"), max_length=300)
    seen_on = models.DateField(_("seen on"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-seen_on", "-id"]

    def __str__(self) -> str:
        return self.summary
