from django import template

from ..selectors import suggestions_pending

register = template.Library()


@register.simple_tag(takes_context=True)
def capture_suggestions(context, customer):
    """The customer's promise phrases waiting for the rep's yes or no (one query)."""
    request = context.get("request")
    if request is None or not getattr(request, "user", None):
        return []
    return list(suggestions_pending(user=request.user, customer_id=customer.pk)[:20])
