from django import template

register = template.Library()


@register.simple_tag
def customer_orders_and_samples(customer):
    """The customer page's orders and samples at a glance (fixed number of queries)."""
    orders = customer.orders.all()
    return {
        "order_count": orders.count(),
        "orders": list(orders[:10]),
        "samples": list(customer.samples.select_related("order").prefetch_related("products")[:20]),
    }
