"""Amounts in templates, one way everywhere: ``{{ order.amount|money }}`` reads "1,752.19" (in
the reader's number format), ``{{ value|money:0 }}`` "1,752"; an empty amount reads "—"."""

from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def money(value, decimals=2):
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    return floatformat(amount, f"{int(decimals)}g")
