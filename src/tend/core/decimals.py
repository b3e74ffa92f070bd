"""One bound for every decimal Tend stores: money, prices, quantities, percentages, rates.

A value must fit its column on both databases. PostgreSQL keeps ``numeric(max_digits,
decimal_places)`` exactly and refuses more; SQLite keeps a decimal as a double, exact to 15
significant digits, and a value it rounds past the column's size can no longer be read back (every
page showing it fails). So a column of ``max_digits`` and ``decimal_places`` takes values with at
most ``decimal_places`` decimals below 10 ** (min(max_digits, 15) - decimal_places): money (18, 2)
stays below ten trillion, to the cent, on both.

Every way in uses this module: model field validators (so model forms, the admin and services that
call ``full_clean``), ninja schemas (``Column.schema``), plain forms (``Column.form_field``), the
import parsers and the approval service's proposed values (``Column.check``).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

SQLITE_EXACT_DIGITS = 15


@dataclass(frozen=True)
class Column:
    max_digits: int
    decimal_places: int

    @property
    def limit(self) -> Decimal:
        """The first value too large for the column."""
        return Decimal(10) ** (min(self.max_digits, SQLITE_EXACT_DIGITS) - self.decimal_places)

    @property
    def largest(self) -> Decimal:
        return self.limit - Decimal(1).scaleb(-self.decimal_places)

    def parse(self, value: Any) -> Decimal | None:
        """``value`` as a finite Decimal, or None when it is not a number."""
        if isinstance(value, bool) or value is None:
            return None
        try:
            number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        except (InvalidOperation, ValueError, TypeError):
            return None
        return number if number.is_finite() else None

    def problem(
        self, value: Any, *, minimum: Decimal | None = None, maximum: Decimal | None = None
    ) -> str | None:
        """What is wrong with ``value`` for this column (and the range, if given), in words;
        None when it fits."""
        number = self.parse(value)
        if number is None:
            return _("“%(value)s” is not a number.") % {"value": value}
        largest = self.largest if maximum is None else min(maximum, self.largest)
        smallest = -self.largest if minimum is None else max(minimum, -self.largest)
        if number > largest:
            return _("Too large: at most %(largest)s.") % {"largest": f"{largest:,}"}
        if number < smallest:
            return _("Too small: at least %(smallest)s.") % {"smallest": f"{smallest:,}"}
        if number != number.quantize(Decimal(1).scaleb(-self.decimal_places)):
            return _("At most %(places)s decimal places.") % {"places": self.decimal_places}
        return None

    def check(
        self,
        value: Any,
        *,
        field: str | None = None,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
    ) -> Decimal:
        """``value`` as a Decimal that fits, or a ValidationError (under ``field`` if given)."""
        problem = self.problem(value, minimum=minimum, maximum=maximum)
        if problem is not None:
            raise ValidationError({field: [problem]} if field else problem, code="decimal_bound")
        number = self.parse(value)
        assert number is not None
        return number

    def validator(self) -> "FitsColumn":
        return FitsColumn(self.max_digits, self.decimal_places)

    def form_field(self, **kwargs) -> forms.DecimalField:
        """A form field bounded by this column, with one message when a number does not fit
        (this bound covers Django's digit counts)."""
        field = forms.DecimalField(
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
            validators=[self.validator()],
            **kwargs,
        )
        field.validators = [v for v in field.validators if not isinstance(v, DecimalValidator)]
        return field

    def schema(self, *, maximum: Decimal | None = None) -> Any:
        """A pydantic Decimal that a request body must fit (a 422 naming the field otherwise)."""

        def fit(value: Any) -> Any:
            if isinstance(value, Decimal | int | float | str) and not isinstance(value, bool):
                problem = self.problem(value, maximum=maximum)
                if problem is not None:
                    raise PydanticCustomError("decimal_bound", problem)
            return value

        largest = self.largest if maximum is None else min(maximum, self.largest)
        return Annotated[
            Decimal,
            BeforeValidator(fit),
            WithJsonSchema(
                {
                    "anyOf": [{"type": "number"}, {"type": "string"}],
                    "description": f"At most {largest}, with at most {self.decimal_places} "
                    "decimal places.",
                }
            ),
        ]


@deconstructible
class FitsColumn:
    """The model field validator: the value fits a column of this size on both databases."""

    def __init__(self, max_digits: int, decimal_places: int):
        self.max_digits = max_digits
        self.decimal_places = decimal_places

    def __call__(self, value: Any) -> None:
        if value is None:
            return
        problem = Column(self.max_digits, self.decimal_places).problem(value)
        if problem is not None:
            raise ValidationError(problem, code="decimal_bound")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FitsColumn) and (self.max_digits, self.decimal_places) == (
            other.max_digits,
            other.decimal_places,
        )

    def __hash__(self) -> int:
        return hash((self.max_digits, self.decimal_places))


MONEY = Column(18, 2)
UNIT_PRICE = Column(18, 4)
QUANTITY = Column(14, 3)
PERCENT = Column(5, 2)
RATE = Column(20, 10)


def money_column(**kwargs) -> dict[str, Any]:
    """Keyword arguments for a money ``models.DecimalField`` (18 digits, 2 places, bounded)."""
    return column_kwargs(MONEY, **kwargs)


def column_kwargs(column: Column, *, validators=(), **kwargs) -> dict[str, Any]:
    return {
        "max_digits": column.max_digits,
        "decimal_places": column.decimal_places,
        "validators": [*validators, column.validator()],
        **kwargs,
    }


# Request body types for the API (django-ninja schemas).
MoneyIn = MONEY.schema()
UnitPriceIn = UNIT_PRICE.schema()
QuantityIn = QUANTITY.schema()
DiscountIn = PERCENT.schema(maximum=Decimal("100"))
RateIn = RATE.schema()
