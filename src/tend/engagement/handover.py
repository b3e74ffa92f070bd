"""Open promises move with the person who made them."""

from django.utils.translation import gettext_lazy as _

from tend.core.i18n import TranslatableText
from tend.handover.registry import HandoverItem, HandoverKind, counts_by_person, register
from tend.timeline.services import timeline_add

from .models import Promise
from .timeline_kinds import PROMISE


class OpenPromises(HandoverKind):
    key = "promises_open"
    label = _("Open promises")

    def items(self, person):
        promises = (
            Promise.objects.open().filter(made_by=person).select_related("customer__territory")
        )
        return [
            HandoverItem(
                kind=self.key,
                pk=p.pk,
                label=f"{p} — {p.customer.name}",
                customer_id=p.customer_id,
                territory=p.customer.territory.name if p.customer.territory_id else "",
                detail=f"due {p.due_at:%Y-%m-%d}",
            )
            for p in promises
        ]

    def held_counts(self, people):
        return counts_by_person(Promise.objects.open(), "made_by", people)

    def move(self, *, person, moves, by):
        promises = Promise.objects.in_bulk([item.pk for item, _successor in moves])
        for item, successor in moves:
            promise = promises[item.pk]
            promise.made_by = successor
            promise.save(update_fields=["made_by"])
            title = TranslatableText(
                _("Promise handed over from %(from)s to %(to)s: %(what)s"),
                {"from": person, "to": successor, "what": promise},
            )
            timeline_add(
                customer_id=promise.customer_id,
                kind=PROMISE,
                title=title,
                actor=by,
                source=promise,
            )

    def assigned_to_inactive(self):
        for promise in (
            Promise.objects.open()
            .filter(made_by__is_active=False)
            .select_related("made_by", "customer")
        ):
            yield (
                f"Open promise #{promise.pk} to {promise.customer.name} is held by inactive "
                f"{promise.made_by}"
            )


register(OpenPromises())
