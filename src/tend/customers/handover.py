"""Customers owned and backed up, as kinds of things a handover moves."""

from django.utils.translation import gettext_lazy as _

from tend.handover.registry import HandoverItem, HandoverKind, counts_by_person, register

from .models import Customer, OwnershipMove
from .services.ownership import OWNER_FIELDS, ownership_audit, ownership_record, set_owner


def _item(kind: str, customer: Customer) -> HandoverItem:
    return HandoverItem(
        kind=kind,
        pk=customer.pk,
        label=customer.name,
        customer_id=customer.pk,
        territory=customer.territory.name if customer.territory_id else "",
        detail=f"{customer.country} · {customer.tier}",
    )


class OwnedCustomers(HandoverKind):
    key = "customers_owned"
    label = _("Customers owned")

    def items(self, person):
        customers = Customer.objects.filter(owner=person).select_related("territory")
        return [_item(self.key, customer) for customer in customers]

    def held_counts(self, people):
        return counts_by_person(Customer.objects.all(), "owner", people)

    def move(self, *, person, moves, by):
        customers = (
            Customer.objects.select_for_update(of=("self",))
            .select_related("backup_owner")
            .in_bulk([item.pk for item, _successor in moves])
        )
        for item, successor in moves:
            customer = customers[item.pk]
            previous_backup = customer.backup_owner
            set_owner(customer, successor)
            customer.save(update_fields=OWNER_FIELDS)
            ownership_audit(
                by=by, customer=customer, before_owner=person, before_backup=previous_backup
            )
            if previous_backup != customer.backup_owner:
                ownership_record(
                    customer=customer,
                    role="backup",
                    from_user=previous_backup,
                    to_user=None,
                    by=by,
                    move=OwnershipMove.HANDOVER,
                )
            ownership_record(
                customer=customer,
                role="owner",
                from_user=person,
                to_user=successor,
                by=by,
                move=OwnershipMove.HANDOVER,
            )

    def assigned_to_inactive(self):
        for customer in Customer.objects.filter(owner__is_active=False).select_related("owner"):
            yield f"Customer #{customer.pk} {customer.name} is owned by inactive {customer.owner}"


class BackedUpCustomers(HandoverKind):
    key = "customers_backup"
    label = _("Customers backed up")

    def items(self, person):
        customers = Customer.objects.filter(backup_owner=person).select_related("territory")
        return [_item(self.key, customer) for customer in customers]

    def held_counts(self, people):
        return counts_by_person(Customer.objects.all(), "backup_owner", people)

    def move(self, *, person, moves, by):
        customers = (
            Customer.objects.select_for_update(of=("self",))
            .select_related("owner")
            .in_bulk([item.pk for item, _successor in moves])
        )
        for item, successor in moves:
            customer = customers[item.pk]
            # The owner cannot be their own backup: the seat is left empty instead.
            new_backup = None if successor.pk == customer.owner_id else successor
            customer.backup_owner = new_backup
            customer.save(update_fields=["backup_owner", "updated_at"])
            ownership_audit(
                by=by, customer=customer, before_owner=customer.owner, before_backup=person
            )
            ownership_record(
                customer=customer,
                role="backup",
                from_user=person,
                to_user=new_backup,
                by=by,
                move=OwnershipMove.HANDOVER,
            )

    def assigned_to_inactive(self):
        inactive = Customer.objects.filter(backup_owner__is_active=False).select_related(
            "backup_owner"
        )
        for customer in inactive:
            yield (
                f"Customer #{customer.pk} {customer.name} is backed up by inactive "
                f"{customer.backup_owner}"
            )


register(OwnedCustomers())
register(BackedUpCustomers())
