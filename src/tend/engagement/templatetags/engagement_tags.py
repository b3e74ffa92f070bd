from django import template
from django.utils.html import format_html_join
from django.utils.translation import get_language

from tend.engagement.models import Channel, PromiseKind

register = template.Library()


@register.simple_tag
def channel_choices():
    return Channel.choices


_CHANNEL_OPTIONS: dict[str | None, str] = {}


@register.simple_tag
def channel_options():
    """The channels as <option>s, written once per language: the quick-touch form repeats on
    every row of Today (40 forms, 13 translations each, were a fifth of its render)."""
    language = get_language()
    if language not in _CHANNEL_OPTIONS:
        _CHANNEL_OPTIONS[language] = format_html_join(
            "",
            '<option value="{}">{}</option>',
            ((value, str(label)) for value, label in Channel.choices),
        )
    return _CHANNEL_OPTIONS[language]


@register.simple_tag
def promise_kinds():
    return PromiseKind.choices


@register.simple_tag
def open_promises(customer):
    return list(customer.promises.open().select_related("contact", "customer").order_by("due_at"))
