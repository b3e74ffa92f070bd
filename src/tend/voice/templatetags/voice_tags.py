from django import template

from tend.voice import selectors

register = template.Library()


@register.simple_tag
def customer_voice(customer):
    """The customer page's voice panel: the latest answers and sends, and who opted out (a
    fixed number of queries)."""
    return selectors.customer_voice(customer=customer)
