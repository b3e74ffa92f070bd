from django import template

from tend.engagement.models import Channel, PromiseKind

register = template.Library()


@register.simple_tag
def channel_choices():
    return Channel.choices


@register.simple_tag
def promise_kinds():
    return PromiseKind.choices


@register.simple_tag
def open_promises(customer):
    return list(customer.promises.open().select_related("contact", "customer").order_by("due_at"))
