"""Field validators shared by the models, forms, API and imports."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tend.core import reference


def validate_country(value: str) -> None:
    if value not in reference.country_names():
        raise ValidationError(
            _("“%(value)s” is not an ISO 3166 country code (e.g. AE, CN, DE)."),
            code="invalid_country",
            params={"value": value},
        )


def validate_currency(value: str) -> None:
    if value not in reference.currency_codes():
        raise ValidationError(
            _("“%(value)s” is not an ISO 4217 currency code (e.g. USD, EUR, CNY)."),
            code="invalid_currency",
            params={"value": value},
        )


def validate_timezone(value: str) -> None:
    if value not in reference.timezone_names():
        raise ValidationError(
            _("“%(value)s” is not a time zone (e.g. Asia/Dubai)."),
            code="invalid_timezone",
            params={"value": value},
        )


def normalize_phone(value: str, region: str | None = None) -> str:
    """A phone number in E.164 (+971501234567), or a ValidationError that says why not.

    Numbers without a leading + are read as local numbers of ``region`` (the customer's country).
    """
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid phone number; write it with the country code, "
                "e.g. +971 50 123 4567."
            ),
            code="invalid_phone",
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
