from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.accounts.models import User
from tend.core import reference
from tend.core.decimals import money_column
from tend.core.guard import GuardedModel, GuardedQuerySet

from .validators import normalize_phone, validate_country, validate_currency, validate_timezone


class Territory(models.Model):
    """A sales territory (a region, a country group, a dealer's exclusive area)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(
        _("name"),
        max_length=50,
        unique=True,
        validators=[RegexValidator(r"^[^,]+$", _("A tag cannot contain a comma."))],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class CustomerType(models.TextChoices):
    IMPORTER = "importer", _("Importer")
    DISTRIBUTOR = "distributor", _("Distributor")
    DEALER = "dealer", _("Dealer")
    RETAILER = "retailer", _("Retailer")
    BRAND = "brand", _("Brand / OEM")


class Tier(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")
    WON_BACK = "won_back", _("Won back")


class CustomerSource(models.TextChoices):
    TRADE_FAIR = "trade_fair", _("Trade fair")
    WEBSITE = "website", _("Website")
    MARKETPLACE = "marketplace", _("B2B marketplace")
    REFERRAL = "referral", _("Referral")
    OUTREACH = "outreach", _("Outreach")
    AGENT = "agent", _("Agent")
    OTHER = "other", _("Other")


def visibility(user) -> Q | None:
    """The one visibility rule, as a condition on ``owner`` and ``backup_owner`` (customers, and
    rows that record them, such as the day totals of value at risk); None: everything.

    Admin: all. Manager: their team's customers and the pool. Rep: customers they own or back
    up, and the pool. Anyone else: nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_admin:
        return None
    if user.is_manager:
        if user.team_id is None:
            return Q(owner__isnull=True) | Q(owner=user) | Q(backup_owner=user)
        # Subqueries, not joins: the count over a large book stays an index-only scan.
        team = User.objects.filter(team_id=user.team_id).values("pk")
        return Q(owner__isnull=True) | Q(owner__in=team) | Q(backup_owner__in=team) | Q(owner=user)
    return Q(owner__isnull=True) | Q(owner=user) | Q(backup_owner=user)


class CustomerQuerySet(GuardedQuerySet):
    def pool(self):
        return self.filter(owner__isnull=True)

    # The one definition of "lost" and "won back" (a stock: where the customer stands now).
    # The customer list's status filter, the lost report, the churn report and the API all read
    # these; the dated events behind them are ``health.LostRecord`` rows.
    # ``LOST`` and ``WON_BACK`` are the same rules as conditions, for aggregates that count
    # several figures in one query.
    LOST = Q(status=CustomerStatus.LOST)
    WON_BACK = Q(status=CustomerStatus.WON_BACK)

    def lost(self):
        return self.filter(self.LOST)

    def won_back(self):
        return self.filter(self.WON_BACK)

    def with_status(self, status: str):
        """The list's status filter: lost and won back through their one definition."""
        if status == CustomerStatus.LOST:
            return self.lost()
        if status == CustomerStatus.WON_BACK:
            return self.won_back()
        return self.filter(status=status)

    def visible_to(self, user):
        """The one visibility rule (``visibility``) applied to customers."""
        rule = visibility(user)
        return self.all() if rule is None else self.filter(rule)


class Customer(GuardedModel):
    """A customer file. It belongs to the company; its owner only looks after it.

    Payment terms and credit limit are guarded from creation on: they are set and changed only
    by an approved request (``customer_create`` makes it for terms given to a new customer)."""

    GUARDED_FIELDS = ("payment_terms", "credit_limit")
    GUARD_ON_CREATE = True

    name = models.CharField(_("company name"), max_length=200)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_("The customer's id in your ERP; re-imports update by it."),
    )
    local_name = models.CharField(_("local-language name"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    city = models.CharField(_("city"), max_length=100, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text=_("Derived from country and city unless you set it."),
    )
    time_zone_overridden = models.BooleanField(default=False, editable=False)
    type = models.CharField(
        _("type"), max_length=20, choices=CustomerType.choices, default=CustomerType.IMPORTER
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    tier = models.CharField(_("tier"), max_length=1, choices=Tier.choices, default=Tier.C)
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    backup_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("backup owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="backed_up_customers",
    )
    source = models.CharField(
        _("source"), max_length=20, choices=CustomerSource.choices, blank=True
    )
    currency = models.CharField(
        _("default currency"), max_length=3, default="USD", validators=[validate_currency]
    )
    incoterm = models.CharField(
        _("default Incoterm"), max_length=3, choices=reference.INCOTERMS_2020, blank=True
    )
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    credit_limit = models.DecimalField(
        _("credit limit (base currency)"), **money_column(null=True, blank=True)
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    notes = models.TextField(_("notes"), blank=True)
    cadence_days = models.PositiveSmallIntegerField(
        _("contact every (days)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the tier's cadence."),
    )
    last_outbound_at = models.DateTimeField(
        _("last outbound touch"), null=True, blank=True, editable=False
    )
    owned_since = models.DateTimeField(null=True, blank=True, editable=False)
    touch_due_at = models.DateTimeField(_("next touch due"), null=True, blank=True, editable=False)
    pool_return_at = models.DateTimeField(null=True, blank=True, editable=False)
    name_key = models.CharField(max_length=200, editable=False, default="", db_index=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    AUDITED_FIELDS = (
        "name",
        "external_id",
        "local_name",
        "country",
        "city",
        "time_zone",
        "type",
        "territory",
        "tier",
        "status",
        "owner",
        "backup_owner",
        "source",
        "currency",
        "incoterm",
        "payment_terms",
        "credit_limit",
        "tags",
        "notes",
        "cadence_days",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["country", "name"]),
            models.Index(fields=["owner", "name"]),
            models.Index(fields=["backup_owner"]),
            # Every "visible to" subquery (owner, backup owner or the pool) and its "not lost"
            # test, read from this index alone on PostgreSQL (the id included) instead of the
            # 80 MB table: the at-risk summary's customers 72 ms -> 14 ms at 100k.
            models.Index(
                fields=["owner", "backup_owner", "status"],
                include=["id"],
                name="customer_visible_idx",
            ),
            models.Index(fields=["tier", "name"]),
            models.Index(fields=["status"]),
            models.Index(fields=["-created_at"]),
            models.Index(fields=["owner", "touch_due_at"]),
            # Today's "overdue for a touch": one rep's overdue customers in the section's order
            # (tier, then most overdue), so the first page is read in order and the scan stops,
            # instead of sorting all of them (6,400 for a rep of the 100k book).
            models.Index(
                fields=["owner", "tier", "touch_due_at", "id"], name="customer_touch_order_idx"
            ),
            models.Index(fields=["pool_return_at"]),
            # Today's "about to return to the pool": one rep's customers, by that date.
            models.Index(fields=["owner", "pool_return_at"], name="customer_owner_pool_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="customer_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(owner__isnull=True)
                | Q(backup_owner__isnull=True)
                | ~Q(owner=models.F("backup_owner")),
                name="customer_backup_differs_from_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("customers:detail", args=[self.pk])

    @property
    def in_pool(self) -> bool:
        return self.owner_id is None

    @property
    def country_name(self) -> str:
        return reference.country_names().get(self.country, self.country)

    @property
    def referred_by(self):
        """Who referred this customer, from the referral ledger (``market.Referral``, the one
        record of it). Select ``referral_received__referrer`` to read it without a query."""
        from django.core.exceptions import ObjectDoesNotExist

        try:
            return self.referral_received.referrer
        except ObjectDoesNotExist:
            return None

    @property
    def cadence(self) -> int:
        """Days between touches: the customer's own, else its tier's service floor (read once
        per process and cached, so a list of customers costs no query per row)."""
        if self.cadence_days:
            return self.cadence_days
        from tend.market.floor import tier_cadence

        return tier_cadence(self.tier)

    @property
    def pool_return_days(self) -> int:
        return settings.TEND_POOL_RETURN_DAYS.get(self.tier) or 3 * self.cadence

    def refresh_touch_dates(self) -> None:
        """Derive when the next touch is due and when an untouched customer returns to the pool.

        Due = last outbound touch (else creation) + cadence. Pool return = the later of the last
        outbound touch and the day the owner got it, + the tier's pool days; none in the pool.
        """
        basis = self.last_outbound_at or self.created_at
        self.touch_due_at = basis + timedelta(days=self.cadence)
        if self.owner_id is None:
            self.pool_return_at = None
        else:
            held_since = self.owned_since or self.created_at
            start = max(held_since, self.last_outbound_at or held_since)
            self.pool_return_at = start + timedelta(days=self.pool_return_days)

    def clean(self) -> None:
        self.name = " ".join(self.name.split())
        self.currency = (self.currency or "").upper()
        self.country = (self.country or "").upper()
        if self.owner_id and self.owner_id == self.backup_owner_id:
            raise ValidationError(
                {"backup_owner": _("The backup owner must be someone other than the owner.")}
            )
        if not self.time_zone_overridden or not self.time_zone:
            self.time_zone = reference.timezone_for(self.country, self.city)
            self.time_zone_overridden = False


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    BUYER = "buyer", _("Buyer / purchasing")
    INFLUENCER = "influencer", _("Influencer")
    TECHNICAL = "technical", _("Technical / quality")
    FINANCE = "finance", _("Finance")
    LOGISTICS = "logistics", _("Logistics")
    OTHER = "other", _("Other")


class Contact(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    whatsapp = models.CharField(_("WhatsApp"), max_length=20, blank=True)
    wechat = models.CharField(_("WeChat ID"), max_length=64, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=reference.LANGUAGES, default="en"
    )
    role = models.CharField(
        _("role in buying"), max_length=20, choices=BuyingRole.choices, blank=True
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    email_domain = models.CharField(max_length=100, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    AUDITED_FIELDS = (
        "name",
        "title",
        "email",
        "phone",
        "mobile",
        "whatsapp",
        "wechat",
        "language",
        "role",
        "is_primary",
    )
    PHONE_FIELDS = ("phone", "mobile", "whatsapp")

    class Meta:
        ordering = ["-is_primary", "name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [models.Index(fields=["email"])]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_primary=True),
                name="contact_one_primary_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.email = (self.email or "").strip().lower()
        self.email_domain = self.email.rpartition("@")[2]
        errors = {}
        has_customer = Contact._meta.get_field("customer").is_cached(self) or self.customer_id
        region = self.customer.country if has_customer else None
        for field in self.PHONE_FIELDS:
            try:
                setattr(self, field, normalize_phone(getattr(self, field), region))
            except ValidationError as exc:
                errors[field] = exc.messages
        if errors:
            raise ValidationError(errors)


class OwnershipMove(models.TextChoices):
    CREATE = "create", _("created")
    EDIT = "edit", _("edited")
    CLAIM = "claim", _("claimed from the pool")
    RELEASE = "release", _("released to the pool")
    ASSIGN = "assign", _("assigned")
    HANDOVER = "handover", _("handed over")
    POOL_RETURN = "pool_return", _("returned to the pool")
    IMPORT = "import", _("imported")


class OwnershipEvent(models.Model):
    """Every change of a customer's owner or backup owner: who held it, who holds it now, who
    decided and why. It answers "who has ever looked after this customer"."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="ownership_events"
    )
    at = models.DateTimeField(default=timezone.now)
    role = models.CharField(
        max_length=10, choices=[("owner", _("owner")), ("backup", _("backup owner"))]
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    move = models.CharField(max_length=12, choices=OwnershipMove.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "at"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.role}: {self.from_user_id} -> {self.to_user_id}"
