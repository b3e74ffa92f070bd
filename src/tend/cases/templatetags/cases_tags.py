from django import template

from tend.cases import selectors

register = template.Library()


@register.simple_tag
def customer_cases(customer, user):
    """The customer page's panel: the latest cases (two queries whatever their number)."""
    return {
        "cases": selectors.cases_of_customer(customer_id=customer.pk),
        "may_open": True,
    }
