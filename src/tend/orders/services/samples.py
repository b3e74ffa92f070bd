from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.core.i18n import TranslatableText
from tend.customers.models import Customer
from tend.timeline.services import timeline_add

from ..models import FeeStatus, Order, Product, Sample, SampleOutcome
from ..timeline_kinds import SAMPLE

SAMPLE_FIELDS = {
    "contact",
    "quantity",
    "sent_on",
    "courier",
    "tracking_number",
    "is_free",
    "fee",
    "fee_currency",
    "fee_status",
    "cost",
    "follow_up_on",
}


@transaction.atomic
def sample_log(
    *, by: User, customer: Customer, products: list[Product], fields: dict[str, Any]
) -> Sample:
    """Record a sample sent, with its terms: a free sample's fee is waived, always."""
    unknown = set(fields) - SAMPLE_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    if not products:
        raise ValidationError({"products": _("Which products were sent?")})
    sample = Sample(customer=customer, sent_by=by, **fields)
    if sample.contact_id and sample.contact.customer_id != customer.pk:
        raise ValidationError({"contact": _("Not a contact of this customer.")})
    if sample.is_free:
        sample.fee_status = FeeStatus.WAIVED
        sample.fee = 0
    elif not sample.fee or sample.fee <= 0:
        raise ValidationError({"fee": _("A charged sample needs its fee.")})
    elif sample.fee_status == FeeStatus.WAIVED:
        raise ValidationError({"fee_status": _("A charged sample is invoiced or paid.")})
    sample.full_clean(exclude=["customer", "sent_by"])
    sample.save()
    sample.products.set(products)
    names = ", ".join(p.sku for p in products)
    timeline_add(
        customer_id=customer.pk,
        kind=SAMPLE,
        title=TranslatableText(
            gettext_lazy("Sample sent: %(products)s × %(quantity)s (%(terms)s)"),
            {"products": names, "quantity": sample.quantity, "terms": sample.terms},
        ),
        actor=by,
        data={"free": sample.is_free, "fee_status": sample.fee_status},
        source=sample,
    )
    return sample


@transaction.atomic
def sample_set_outcome(
    *,
    by: User,
    sample: Sample,
    outcome: str,
    order: Order | None = None,
    reason: str = "",
    fee_status: str | None = None,
) -> Sample:
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    if outcome not in SampleOutcome.values:
        raise ValidationError({"outcome": _("Unknown outcome.")})
    wrong_order = order is None or order.customer_id != sample.customer_id
    if outcome == SampleOutcome.ORDER and wrong_order:
        raise ValidationError({"order": _("Link the order of this customer it led to.")})
    if outcome == SampleOutcome.NO_ORDER and not reason.strip():
        raise ValidationError({"outcome_reason": _("Say why it led to no order.")})
    if fee_status is not None:
        if fee_status not in FeeStatus.values:
            raise ValidationError({"fee_status": _("Unknown fee status.")})
        if sample.is_free and fee_status != FeeStatus.WAIVED:
            raise ValidationError({"fee_status": _("A free sample's fee is waived.")})
        if not sample.is_free and fee_status == FeeStatus.WAIVED:
            raise ValidationError({"fee_status": _("A charged sample is invoiced or paid.")})
        sample.fee_status = fee_status
    sample.outcome = outcome
    sample.order = order if outcome == SampleOutcome.ORDER else None
    sample.outcome_reason = reason.strip()
    sample.save(update_fields=["outcome", "order", "outcome_reason", "fee_status"])
    return sample
