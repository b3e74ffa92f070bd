"""Order confirmations / proforma invoices: numbered, recorded, and on the customer's timeline."""

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.core.i18n import TranslatableText
from tend.timeline.services import timeline_add

from ..models import DocumentSequence, Order, OrderDocument
from ..pdf import render_order_pdf
from ..timeline_kinds import DOCUMENT

NUMBER_FORMAT = "PI-{year}-{seq:05d}"


def document_number_next(*, on: date) -> str:
    """The next number of ``on``'s year, e.g. ``PI-2026-00042``. Call inside a transaction: the
    increment is one UPDATE ... SET last = last + 1 on a row locked until commit, so two
    requests never get the same number, and a rollback gives the number back (no gaps)."""
    DocumentSequence.objects.get_or_create(year=on.year)  # savepoint: a racing create is fine
    DocumentSequence.objects.filter(year=on.year).update(last=F("last") + 1)
    last = DocumentSequence.objects.select_for_update().get(year=on.year).last
    return NUMBER_FORMAT.format(year=on.year, seq=last)


@transaction.atomic
def order_document_generate(*, by: User | None, order: Order) -> tuple[OrderDocument, bytes]:
    """Issue an order confirmation / proforma invoice for ``order``: a new number, the PDF, a
    record of who generated it when, and a DOCUMENT entry on the customer's timeline.

    The PDF is built inside the transaction so a failure leaves no number used; the year's
    sequence row stays locked meanwhile (a fraction of a second)."""
    now = timezone.now()
    today = timezone.localdate(now)
    number = document_number_next(on=today)
    document = OrderDocument.objects.create(
        order=order, number=number, generated_at=now, generated_by=by
    )
    content = render_order_pdf(order, number=number, issued_on=today)
    timeline_add(
        customer_id=order.customer_id,
        kind=DOCUMENT,
        title=TranslatableText(
            gettext_lazy("Order confirmation %(number)s for order %(order)s"),
            {"number": number, "order": order.number},
        ),
        actor=by,
        at=now,
        data={"number": number, "order": order.number, "amount": str(order.amount)},
        source=document,
    )
    return document, content
