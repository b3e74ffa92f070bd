"""The values of a proposed change, checked when the request is made as a direct write of the
same field would be, so an approved change can always be applied (nothing fails later)."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from tend.core.decimals import MONEY, PERCENT, QUANTITY, UNIT_PRICE
from tend.customers.validators import validate_currency
from tend.orders.models import OrderLine
from tend.orders.services import rate_for

# Per order line, the column each proposed number must fit, and its range.
LINE_NUMBERS = {
    "quantity": (QUANTITY, {"minimum": Decimal("0")}),
    "unit_price": (UNIT_PRICE, {"minimum": Decimal("0")}),
    "discount_pct": (PERCENT, {"minimum": Decimal("0"), "maximum": Decimal("100")}),
}


def line_number(line: OrderLine, changes: dict[str, Any], name: str) -> Decimal:
    """The line's proposed number (its current one if unchanged)."""
    if name not in changes:
        return getattr(line, name)
    column, limits = LINE_NUMBERS[name]
    return column.check(changes[name], field=name, **limits)


def field_value(model: type[models.Model], name: str, value: Any) -> Any:
    """A proposed value checked as a direct write of that field would be (its type, choices,
    length and validators): the model field's own ``clean``."""
    try:
        return model._meta.get_field(name).clean(value, None)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


def currency_of(proposed: dict[str, Any], default: str) -> str:
    currency = proposed.get("currency") or default
    try:
        validate_currency(currency)
    except ValidationError as exc:
        raise ValidationError({"currency": exc.messages}) from None
    return currency


def in_base(value: Decimal, currency: str, field: str) -> Decimal:
    """``value`` in the base currency at today's rate; it too must fit a money column."""
    base = (value * rate_for(currency, timezone.localdate())).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    if abs(base) > MONEY.largest:
        raise ValidationError(
            {
                field: _("Too large in %(base)s (%(value)s): at most %(largest)s.")
                % {
                    "base": settings.TEND_BASE_CURRENCY,
                    "value": f"{base:,}",
                    "largest": f"{MONEY.largest:,}",
                }
            }
        )
    return base
