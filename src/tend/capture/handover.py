"""A person's mailbox moves with their handover: when a rep leaves, their address keeps being
read and its mail, unanswered inquiries included, is looked after by the successor."""

from django.utils.translation import gettext_lazy as _

from tend.handover.registry import HandoverItem, HandoverKind, counts_by_person, register

from .models import Mailbox


class Mailboxes(HandoverKind):
    key = "capture_mailboxes"
    label = _("Mailboxes")

    def items(self, person):
        return [
            HandoverItem(kind=self.key, pk=box.pk, label=f"{box.name} <{box.address}>")
            for box in Mailbox.objects.filter(owner=person)
        ]

    def held_counts(self, people):
        return counts_by_person(Mailbox.objects.all(), "owner", people)

    def move(self, *, person, moves, by):
        for item, successor in moves:
            Mailbox.objects.filter(pk=item.pk, owner=person).update(owner=successor)

    def assigned_to_inactive(self):
        for box in Mailbox.objects.filter(owner__is_active=False).select_related("owner"):
            yield f"Mailbox {box.address} belongs to inactive {box.owner}"


register(Mailboxes())
