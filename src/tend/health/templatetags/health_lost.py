from django import template
from django.conf import settings

from tend.customers.models import CustomerStatus

from ..services.lost import may_mark_lost

register = template.Library()


@register.simple_tag
def customer_lost_panel(customer, user, form=None):
    """The customer page's lost panel: the latest lost record when the customer is lost or won
    back, and whether this user may mark it lost (with the form). At most two queries."""
    from ..views_lost import MarkLostForm

    form = form or None  # an unset template variable arrives as ""
    record = None
    if customer.status in (CustomerStatus.LOST, CustomerStatus.WON_BACK):
        record = customer.lost_records.select_related("marked_by", "won_back_order").first()
    can_mark = customer.status != CustomerStatus.LOST and may_mark_lost(
        customer=customer, user=user
    )
    return {
        "lost": customer.status == CustomerStatus.LOST,
        "record": record,
        "can_mark": can_mark,
        "form": form or (MarkLostForm() if can_mark else None),
        "currency": settings.TEND_BASE_CURRENCY,
        # a refusal (say, the customer changed hands meanwhile) still shows its message
        "refused": [] if can_mark or form is None else form.non_field_errors(),
        "show": record is not None
        or can_mark
        or customer.status == CustomerStatus.LOST
        or form is not None,
    }
