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
from ..pdf import printed_fingerprint, render_order_pdf
from ..timeline_kinds import DOCUMENT

NUMBER_FORMAT = "PI-{year}-{seq:05d}"
REVISION_FORMAT = "{number}-R{revision}"


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
    """The order confirmation / proforma invoice of ``order`` as it stands, and its PDF.

    Opened again while nothing it states has changed (``printed_fingerprint``), it is the same
    document: same number, same date, nothing written. Once the order (its terms, lines, buyer
    or contact) has changed, a revision is issued: the first number with -R1, -R2..., recorded
    with who generated it when and put on the customer's timeline. The order's row is locked
    meanwhile, so two people opening it at once get one number. The PDF is built inside the
    transaction so a failure leaves no number used."""
    order = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    fingerprint = printed_fingerprint(order)
    latest = order.documents.order_by("-revision").first()
    if latest is not None and latest.fingerprint == fingerprint:
        issued_on = latest.issued_on or timezone.localdate(latest.generated_at)
        return latest, render_order_pdf(order, number=latest.number, issued_on=issued_on)
    now = timezone.now()
    today = timezone.localdate(now)
    if latest is None:
        revision, number = 0, document_number_next(on=today)
    else:
        revision = latest.revision + 1
        first = order.documents.get(revision=0).number
        number = REVISION_FORMAT.format(number=first, revision=revision)
    document = OrderDocument.objects.create(
        order=order,
        number=number,
        revision=revision,
        fingerprint=fingerprint,
        issued_on=today,
        generated_at=now,
        generated_by=by,
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
