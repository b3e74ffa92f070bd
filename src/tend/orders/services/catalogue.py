"""Reference data the orders rest on: products, exchange rates, and the disruptions that touch
them. Only managers and admins change it."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tend.accounts.models import User
from tend.audit.models import AuditAction
from tend.audit.services import audit_record, snapshot

from ..models import Disruption, ExchangeRate, Product

PRODUCT_FIELDS = {"sku", "name", "local_name", "category", "launch_date", "list_price", "active"}
DISRUPTION_FIELDS = {"kind", "title", "description", "starts_on", "ends_on", "ports"}


def _require_manager(by: User, message: str) -> None:
    if by is None or not (by.is_manager or by.is_admin):
        raise PermissionDenied(message)


@transaction.atomic
def product_create(*, by: User, fields: dict[str, Any]) -> Product:
    """Add a product to the catalogue; the SKU is unique."""
    _require_manager(by, _("Only a manager or an admin can add products."))
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    product = Product(**fields)
    product.sku = (product.sku or "").strip()
    product.name = (product.name or "").strip()
    product.full_clean()
    if product.list_price is not None and product.list_price < 0:
        raise ValidationError({"list_price": _("A price cannot be negative.")})
    product.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=product,
        after=snapshot(product, sorted(PRODUCT_FIELDS)),
    )
    return product


@transaction.atomic
def exchange_rate_create(
    *, by: User, currency: str, valid_from: date, rate: Decimal
) -> ExchangeRate:
    """One unit of ``currency`` is worth ``rate`` units of the base currency from ``valid_from``
    on. Orders already placed keep the rate they were valued at."""
    _require_manager(by, _("Only a manager or an admin can add exchange rates."))
    currency = (currency or "").strip().upper()
    if currency == settings.TEND_BASE_CURRENCY:
        raise ValidationError(
            {
                "currency": _("%(currency)s is the base currency: its rate is always 1.")
                % {"currency": currency}
            }
        )
    if rate is not None and rate <= 0:
        raise ValidationError({"rate": _("A rate is greater than zero.")})
    exchange_rate = ExchangeRate(currency=currency, valid_from=valid_from, rate=rate)
    exchange_rate.full_clean()
    exchange_rate.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=exchange_rate,
        after=snapshot(exchange_rate, ["currency", "valid_from", "rate"]),
    )
    return exchange_rate


@transaction.atomic
def disruption_create(
    *, by: User, fields: dict[str, Any], products: list[Product] | None = None
) -> Disruption:
    """Record a disruption: what happens, when, and which products or ports it touches."""
    _require_manager(by, _("Only managers and admins manage disruptions."))
    unknown = set(fields) - DISRUPTION_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    products = list(products or [])
    disruption = Disruption(created_by=by, **fields)
    disruption.title = " ".join((disruption.title or "").split())
    disruption.ports = ", ".join(disruption.port_list)
    errors: dict[str, list[str]] = {}
    try:
        disruption.full_clean(exclude=["created_by"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not products and not disruption.ports:
        errors.setdefault("__all__", []).append(_("Name the products or the ports it touches."))
    if (
        disruption.ends_on
        and disruption.starts_on
        and "ends_on" not in errors
        and disruption.ends_on < disruption.starts_on
    ):
        errors["ends_on"] = [_("The end is before the start.")]
    if errors:
        raise ValidationError(errors)
    disruption.save()
    disruption.products.set(products)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=disruption,
        after=snapshot(disruption, [*sorted(DISRUPTION_FIELDS), "products"]),
    )
    return disruption
