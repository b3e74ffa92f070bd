"""The one bound for stored decimals: a value fits its column when PostgreSQL keeps it exactly
and SQLite (15 significant digits) reads it back unchanged."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pydantic import TypeAdapter
from pydantic import ValidationError as SchemaError

from tend.core.decimals import MONEY, PERCENT, RATE, UNIT_PRICE, FitsColumn, MoneyIn


def test_each_column_says_its_largest_value():
    assert [column.largest for column in (MONEY, UNIT_PRICE, PERCENT, RATE)] == [
        Decimal("9999999999999.99"),
        Decimal("99999999999.9999"),
        Decimal("999.99"),
        Decimal("99999.9999999999"),
    ]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("9999999999999.99", None),
        ("-9999999999999.99", None),
        (Decimal("1E+2"), None),
        ("100000000000000000", "Too large: at most 9,999,999,999,999.99."),
        ("10000000000000", "Too large: at most 9,999,999,999,999.99."),
        ("-10000000000000", "Too small: at least -9,999,999,999,999.99."),
        ("1.005", "At most 2 decimal places."),
        ("1e-999999", "At most 2 decimal places."),
        ("NaN", "“NaN” is not a number."),
        ("Infinity", "“Infinity” is not a number."),
        ("ten", "“ten” is not a number."),
        (True, "“True” is not a number."),
    ],
)
def test_a_money_value_fits_or_says_why(value, problem):
    assert MONEY.problem(value) == problem


def test_check_names_the_field_and_keeps_a_range():
    assert PERCENT.check("12.5", field="discount_pct", maximum=Decimal("100")) == Decimal("12.5")
    with pytest.raises(ValidationError) as refused:
        PERCENT.check("150", field="discount_pct", minimum=Decimal("0"), maximum=Decimal("100"))
    assert refused.value.message_dict == {"discount_pct": ["Too large: at most 100."]}


def test_the_model_validator_and_the_form_field_use_the_same_bound():
    with pytest.raises(ValidationError) as refused:
        FitsColumn(18, 2)(Decimal("1e17"))
    assert refused.value.messages == ["Too large: at most 9,999,999,999,999.99."]
    assert FitsColumn(18, 2) == MONEY.validator()
    field = MONEY.form_field(required=False)
    with pytest.raises(ValidationError) as refused:
        field.clean("100000000000000000")
    assert refused.value.messages == ["Too large: at most 9,999,999,999,999.99."]


def test_the_api_type_refuses_what_does_not_fit():
    money = TypeAdapter(MoneyIn)
    assert money.validate_python("12.50") == Decimal("12.50")
    with pytest.raises(SchemaError) as refused:
        money.validate_python("100000000000000000")
    assert [error["msg"] for error in refused.value.errors()] == [
        "Too large: at most 9,999,999,999,999.99."
    ]
