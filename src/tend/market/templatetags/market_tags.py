from django import template

from tend.market import selectors
from tend.market.models import TerritoryRight

register = template.Library()


@register.simple_tag
def customer_market(customer, user):
    """What the customer page's market panel shows (a fixed number of queries)."""
    data = selectors.referrals_of_customer(customer=customer)
    data["profile"] = selectors.profile_for(customer=customer)
    data["rights"] = list(
        TerritoryRight.objects.filter(dealer=customer).select_related("territory")[:20]
    )
    data["alerts"] = list(
        selectors.alerts_visible(user=user).filter(source_dealer=customer)[:10]
    ) + list(selectors.alerts_visible(user=user).filter(harmed_dealer=customer)[:10])
    return data


@register.simple_tag
def order_old_prices(order):
    return selectors.old_price_lines_of_order(order=order)
