from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tend.core import reference
from tend.core.decimals import PERCENT, QUANTITY, RATE, UNIT_PRICE, column_kwargs, money_column
from tend.core.guard import GuardedChange, GuardedModel, GuardedQuerySet, guard_open
from tend.core.planner import RARE, Likelihood, Written
from tend.customers.validators import validate_currency

MONEY = money_column()


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    local_name = models.CharField(_("local name"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    launch_date = models.DateField(_("launch date"), null=True, blank=True)
    list_price = models.DecimalField(
        _("list price (base currency)"), **MONEY, null=True, blank=True
    )
    cost = models.DecimalField(
        _("unit cost (base currency)"),
        **MONEY,
        null=True,
        blank=True,
        help_text=_("What one unit costs us; with it, margins are known."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class ExchangeRate(models.Model):
    """One unit of ``currency`` is worth ``rate`` units of the base currency from ``valid_from``
    until the next rate of that currency."""

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(
        _("rate to base currency"),
        **column_kwargs(RATE, validators=[MinValueValidator(Decimal("0.0000000001"))]),
    )

    class Meta:
        ordering = ["currency", "-valid_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="rate_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.valid_from}: {self.rate}"


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    IN_PRODUCTION = "in_production", _("In production")
    READY = "ready", _("Ready")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (
    OrderStatus.DRAFT,
    OrderStatus.CONFIRMED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.READY,
)


class OrderQuerySet(GuardedQuerySet):
    def open(self):
        # Open orders are a few percent of the book: say so to SQLite's planner.
        return self.filter(Likelihood(Q(status__in=OPEN_STATUSES), RARE))

    @staticmethod
    def late_condition(*, today) -> Q:
        """Late: the estimate is past the promise, or the promise has passed unshipped."""
        return (
            Q(estimated_ship_date__gt=F("promised_ship_date")) | Q(promised_ship_date__lt=today)
        ) & Q(promised_ship_date__isnull=False)

    def late(self, *, today):
        return self.open().filter(self.late_condition(today=today))

    def needing_update(self, *, today, now, every_days: int):
        """Late orders whose customer has not been told in the last ``every_days`` days. Open
        as ``orders_late_walk_idx`` says it, word for word (``Written``, not ``open``'s hint):
        SQLite then walks that partial index in Today's order, as PostgreSQL does."""
        since = now - timedelta(days=every_days)
        return (
            self.filter(Written(Q(status__in=OPEN_STATUSES)))
            .filter(self.late_condition(today=today))
            .filter(Q(last_delay_update_at__isnull=True) | Q(last_delay_update_at__lte=since))
        )


class Order(GuardedModel):
    """Once confirmed, an order's agreed terms change only by an approved request.

    Its status moves only along ``transitions.TRANSITIONS``; leaving draft agrees the terms, so
    the approval policy is consulted then (lines priced below list beyond policy need an
    approved request), and moving back to draft needs an approved request too."""

    GUARDED_FIELDS = ("currency", "incoterm", "payment_terms", "promised_ship_date")
    TRANSITION_FIELDS = ("status",)

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("customer"),
    )
    number = models.CharField(_("order number"), max_length=60, unique=True)
    order_date = models.DateField(_("order date"))
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    rate_to_base = models.DecimalField(max_digits=20, decimal_places=10, editable=False)
    amount = models.DecimalField(_("amount"), **MONEY, default=Decimal("0"), editable=False)
    amount_base = models.DecimalField(
        _("amount in base currency"), **MONEY, default=Decimal("0"), editable=False
    )
    incoterm = models.CharField(
        _("Incoterm"), max_length=3, choices=reference.INCOTERMS_2020, blank=True
    )
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    port = models.CharField(_("port of loading"), max_length=100, blank=True)
    promised_ship_date = models.DateField(_("promised ship date"), null=True, blank=True)
    estimated_ship_date = models.DateField(_("estimated ship date"), null=True, blank=True)
    actual_ship_date = models.DateField(_("actual ship date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=OrderStatus.choices, default=OrderStatus.CONFIRMED
    )
    essential = models.BooleanField(_("essential"), default=False)
    time_sensitive = models.BooleanField(_("time-sensitive"), default=False)
    quality_standard = models.CharField(_("quality standard"), max_length=300, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    last_delay_update_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-order_date", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["customer", "-order_date"]),
            # Late orders, and their order on Today, are found from this index alone (no row
            # read per open order); the customer is checked after, for the rows that are late.
            models.Index(
                fields=[
                    "status",
                    "promised_ship_date",
                    "estimated_ship_date",
                    "last_delay_update_at",
                    "customer",
                    "essential",
                    "time_sensitive",
                    "id",
                ],
                name="orders_open_late_idx",
            ),  # fmt: skip
            # Today's late orders in its order (essential, time-sensitive, oldest promise
            # first), among the open orders with a promise only: walked in that order, each
            # order's customer read by its key, it stops at the page's last row (100k book, a
            # rep's 20,000 customers: 18 ms -> 0.5 ms, SQLite 55 ms -> 3 ms). Before, all the
            # late orders were joined to the person's customers, then sorted.
            models.Index(
                fields=[
                    "-essential",
                    "-time_sensitive",
                    "promised_ship_date",
                    "id",
                    "customer",
                    "estimated_ship_date",
                    "last_delay_update_at",
                    "status",
                ],
                condition=Q(status__in=OPEN_STATUSES) & Q(promised_ship_date__isnull=False),
                name="orders_late_walk_idx",
            ),  # fmt: skip
            # The same orders by customer: a manager's late orders (a few hundred customers
            # of their own) from their customers, not from the walk above (14 ms -> 1 ms on
            # PostgreSQL; SQLite keeps the walk, 5 ms).
            models.Index(
                fields=["customer"],
                condition=Q(status__in=OPEN_STATUSES) & Q(promised_ship_date__isnull=False),
                name="orders_late_by_customer_idx",
            ),
            models.Index(fields=["order_date"]),
            # The nightly scoring reads every order's customer, day and base amount in this
            # order, from the index alone (both databases; PostgreSQL had hashed 1.1 million
            # groups to disk at 100,000 customers: 3.3 s -> 1.5 s); on SQLite its year of orders
            # for the products signal too (the rate).
            models.Index(
                fields=["customer", "order_date", "status", "amount_base", "rate_to_base"],
                name="orders_scoring_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("orders:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def guard_active(self) -> bool:
        return getattr(self, "_loaded_status", self.status) != OrderStatus.DRAFT

    @classmethod
    def guard_applies_to_queryset(cls, queryset) -> bool:
        return queryset.exclude(status=OrderStatus.DRAFT).exists()

    def guard_check(self, fields=None) -> None:
        super().guard_check(fields)
        if fields is None or "status" in fields:
            self.status_check()

    def status_check(self) -> None:
        """A stored order moves only along the declared transitions, and leaving draft is
        checked against the approval policy and the customer's approved payment terms
        (``order_create`` places an order as a draft and walks it to its status, so a new order
        meets the same checks)."""
        from tend.approvals.policy import order_terms_check

        from . import transitions
        from .services.orders import agreed_payment_terms_check

        old = getattr(self, "_loaded_status", None)
        if self.pk is None or old is None or old == self.status:
            return
        transitions.check_move(number=self.number, old=old, new=self.status)
        if transitions.agrees_terms(old, self.status) and not guard_open():
            order_terms_check(order=self, lines=list(self.lines.select_related("product")))
            agreed_payment_terms_check(self)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_late(self, today) -> bool:
        if not self.is_open or self.promised_ship_date is None:
            return False
        estimate = self.estimated_ship_date
        return (estimate is not None and estimate > self.promised_ship_date) or (
            self.promised_ship_date < today
        )

    def days_late(self, today) -> int:
        if not self.is_late(today):
            return 0
        expected = max(self.estimated_ship_date or today, today)
        return (expected - self.promised_ship_date).days


class OrderLineQuerySet(GuardedQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Lines join a draft only: a confirmed order's lines change by an approved request."""
        objs = list(objs)
        if not guard_open():
            orders = {obj.order_id for obj in objs}
            if Order.objects.filter(pk__in=orders).exclude(status=OrderStatus.DRAFT).exists():
                raise GuardedChange("OrderLine", ["a new line"])
        return super().bulk_create(objs, *args, **kwargs)


class OrderLine(GuardedModel):
    """A confirmed order's lines (what, how many, at what price) change only by approval."""

    GUARDED_FIELDS = ("product_id", "quantity", "unit_price", "discount_pct")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.DecimalField(
        _("quantity"), **column_kwargs(QUANTITY, validators=[MinValueValidator(0)])
    )
    unit_price = models.DecimalField(
        _("unit price"), **column_kwargs(UNIT_PRICE, validators=[MinValueValidator(0)])
    )
    discount_pct = models.DecimalField(
        _("discount %"),
        **column_kwargs(PERCENT, validators=[MinValueValidator(0)]),
        default=Decimal("0"),
    )
    batch_number = models.CharField(_("batch / lot"), max_length=60, blank=True, db_index=True)

    objects = OrderLineQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        indexes = [models.Index(fields=["product", "order"])]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product.sku}"

    def guard_active(self) -> bool:
        return Order.objects.filter(pk=self.order_id).exclude(status=OrderStatus.DRAFT).exists()

    @classmethod
    def guard_applies_to_queryset(cls, queryset) -> bool:
        return queryset.exclude(order__status=OrderStatus.DRAFT).exists()

    def save(self, *args, **kwargs):
        if self.pk is None and not guard_open() and self.order_id and self.guard_active():
            raise GuardedChange("OrderLine", ["a new line"])
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not guard_open() and self.guard_active():
            raise GuardedChange("OrderLine", ["removing a line"])
        return super().delete(*args, **kwargs)

    @property
    def amount(self) -> Decimal:
        gross = self.quantity * self.unit_price
        return (gross * (Decimal("100") - self.discount_pct) / Decimal("100")).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )

    def depth_below_list(self, rate_to_base: Decimal) -> Decimal:
        """How far below list this line sells, in percent (what the discount policy measures)."""
        return discount_depth(
            net_amount=self.amount,
            quantity=self.quantity,
            rate_to_base=rate_to_base,
            list_price=self.product.list_price,
            discount_pct=self.discount_pct,
        )


def discount_depth(
    *,
    net_amount: Decimal,
    quantity: Decimal,
    rate_to_base: Decimal,
    list_price: Decimal | None,
    discount_pct: Decimal,
) -> Decimal:
    """Percent below list: the net unit price in base currency against the product's list
    price, so a low unit price counts like a discount; without a list price, the discount."""
    if list_price and quantity:
        unit_net_base = net_amount / quantity * rate_to_base
        return (Decimal("1") - unit_net_base / list_price) * 100
    return discount_pct


class EstimateChange(models.Model):
    """Every move of an order's estimated ship date, with why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="estimate_changes")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    old_date = models.DateField(null=True, blank=True)
    new_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    disruption = models.ForeignKey(
        "Disruption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.order} {self.old_date} -> {self.new_date}"


class UpdateChannel(models.TextChoices):
    EMAIL = "email", _("Email (sent by Tend)")
    PHONE = "call", _("Phone call")
    WHATSAPP = "whatsapp", _("WhatsApp")
    WECHAT = "wechat", _("WeChat")
    OTHER = "other", _("Other")


class OrderUpdate(models.Model):
    """A message to the customer about an order's dates: what changed, and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=UpdateChannel.choices)
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=5, default="en")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    old_date = models.DateField(null=True, blank=True)
    new_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    disruption = models.ForeignKey(
        "Disruption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.subject


class DisruptionKind(models.TextChoices):
    MATERIAL_SHORTAGE = "material", _("Material shortage")
    FACTORY_SHUTDOWN = "factory", _("Factory shutdown")
    PORT_CLOSURE = "port", _("Port closure")
    PUBLIC_HOLIDAY = "holiday", _("Public holiday")
    SHIPPING_DELAY = "shipping", _("Shipping-line delay")
    OTHER = "other", _("Other")


class Disruption(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=DisruptionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happens"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    products = models.ManyToManyField(Product, blank=True, related_name="disruptions")
    ports = models.CharField(
        _("ports"), max_length=300, blank=True, help_text=_("Separate ports with commas.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("disruption")
        verbose_name_plural = _("disruptions")

    def __str__(self) -> str:
        return self.title

    @property
    def port_list(self) -> list[str]:
        return [p.strip() for p in self.ports.split(",") if p.strip()]


class DisruptionNotice(models.Model):
    """One message to one customer about one disruption: sent at most once."""

    disruption = models.ForeignKey(Disruption, on_delete=models.CASCADE, related_name="notices")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(blank=True)
    orders = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["disruption", "customer"], name="notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.disruption} → {self.customer_id}"


class FeeStatus(models.TextChoices):
    WAIVED = "waived", _("Waived")
    INVOICED = "invoiced", _("Invoiced")
    PAID = "paid", _("Paid")


class SampleOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting")
    ORDER = "order", _("Led to an order")
    NO_ORDER = "no_order", _("No order")


class Sample(models.Model):
    """What we gave a customer to try, and on what terms (seed 000: was the sample free?)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="samples"
    )
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    products = models.ManyToManyField(Product, related_name="samples")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    sent_on = models.DateField(_("sent on"))
    courier = models.CharField(_("courier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    is_free = models.BooleanField(_("free"), default=True)
    fee = models.DecimalField(_("fee"), **MONEY, default=Decimal("0"))
    fee_currency = models.CharField(
        _("fee currency"), max_length=3, default="USD", validators=[validate_currency]
    )
    fee_status = models.CharField(
        _("fee status"), max_length=10, choices=FeeStatus.choices, default=FeeStatus.WAIVED
    )
    cost = models.DecimalField(_("our cost (base currency)"), **MONEY, default=Decimal("0"))
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=SampleOutcome.choices, default=SampleOutcome.PENDING
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="samples"
    )
    outcome_reason = models.CharField(_("why not"), max_length=300, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="samples_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("sample")
        verbose_name_plural = _("samples")
        indexes = [models.Index(fields=["sent_by", "follow_up_on", "outcome"])]

    def __str__(self) -> str:
        return f"Sample to {self.customer_id} on {self.sent_on}"

    @property
    def terms(self) -> str:
        if self.is_free:
            return str(_("free"))
        return f"{self.fee} {self.fee_currency} ({self.get_fee_status_display()})"


class DocumentSequence(models.Model):
    """Numbers for proforma invoices / order confirmations, one sequence per year."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class OrderDocument(models.Model):
    """An order confirmation / proforma invoice as issued: its number (from
    ``DocumentSequence``; a revision adds -R1, -R2...), when and by whom, and a fingerprint of
    what it states, so opening it again re-serves the same number until the order changes.
    Kept so a number is never issued twice."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="documents")
    number = models.CharField(_("document number"), max_length=30, unique=True)
    revision = models.PositiveSmallIntegerField(_("revision"), default=0)
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-generated_at", "-id"]
        verbose_name = _("order document")
        verbose_name_plural = _("order documents")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "revision"], name="orderdocument_one_number_per_revision"
            )
        ]

    def __str__(self) -> str:
        return self.number
