"""``{{ day|long_day }}``: a day with its weekday, in the reader's language's own order."""

from django import template
from django.utils import translation
from django.utils.formats import date_format, get_format_modules

register = template.Library()

DEFAULT_LONG_DAY = "l j F Y"


def long_day_format(language: str | None = None) -> str:
    for module in get_format_modules(language or translation.get_language()):
        if hasattr(module, "LONG_DAY_FORMAT"):
            return module.LONG_DAY_FORMAT
    return DEFAULT_LONG_DAY


@register.filter
def long_day(value) -> str:
    if not value:
        return ""
    return date_format(value, long_day_format())
