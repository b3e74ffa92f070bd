"""Ownership moves: the pool (claim, release, assign) and the record every move leaves.

A customer with no owner sits in the shared pool. Claims are atomic: of two reps claiming the
same customer at once, exactly one wins and the other is told who did.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.audit.models import AuditAction
from tend.audit.services import audit_record
from tend.core.i18n import TranslatableText
from tend.timeline.kinds import OWNERSHIP
from tend.timeline.services import timeline_add

from ..models import Customer, OwnershipEvent, OwnershipMove
from ..selectors import users_assignable_by


class AlreadyClaimed(Exception):
    def __init__(self, owner: User | None):
        self.owner = owner
        super().__init__(
            _("%(name)s claimed this customer first.") % {"name": owner}
            if owner
            else _("This customer is no longer in the pool.")
        )


def ownership_title(move: str, role: str, from_user, to_user, reason: str) -> TranslatableText:
    """The timeline's words for one ownership move, read in each reader's language."""
    names = {
        "from": from_user or gettext_lazy("the pool"),
        "to": to_user or gettext_lazy("the pool"),
    }
    if role == "backup" and move == OwnershipMove.HANDOVER:
        message = gettext_lazy("Backup role handed over from %(from)s to %(to)s")
    elif move in (OwnershipMove.CREATE, OwnershipMove.IMPORT):
        message = (
            gettext_lazy("Backup owner: %(to)s")
            if role == "backup"
            else gettext_lazy("Owner: %(to)s")
        )
    elif move == OwnershipMove.HANDOVER:
        message = gettext_lazy("Handed over from %(from)s to %(to)s")
    elif move == OwnershipMove.CLAIM:
        message = gettext_lazy("Claimed from the pool by %(to)s")
    elif move in (OwnershipMove.RELEASE, OwnershipMove.POOL_RETURN):
        message = gettext_lazy("Returned to the pool by %(from)s")
    elif role == "backup":
        message = gettext_lazy("Backup owner changed from %(from)s to %(to)s")
    else:
        message = gettext_lazy("Owner changed from %(from)s to %(to)s")
    text = TranslatableText(message, names)
    if not reason:
        return text
    return TranslatableText(gettext_lazy("%(move)s: %(reason)s"), {"move": text, "reason": reason})


def ownership_record(
    *,
    customer: Customer,
    role: str,
    from_user: User | None,
    to_user: User | None,
    by: User | None,
    move: str,
    reason: str = "",
) -> OwnershipEvent:
    """Write the ownership event and the customer's timeline entry for one move."""
    event = OwnershipEvent.objects.create(
        customer=customer,
        role=role,
        from_user=from_user,
        to_user=to_user,
        by=by,
        move=move,
        reason=reason,
    )
    timeline_add(
        customer_id=customer.pk,
        kind=OWNERSHIP,
        title=ownership_title(move, role, from_user, to_user, reason),
        actor=by,
        at=event.at,
        data={
            "role": role,
            "move": move,
            "from": from_user and from_user.pk,
            "to": to_user and to_user.pk,
        },
        source=event,
    )
    return event


def ownership_audit(*, by, customer, before_owner, before_backup) -> None:
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=customer,
        before={
            "owner": str(before_owner) if before_owner else None,
            "backup_owner": str(before_backup) if before_backup else None,
        },
        after={
            "owner": str(customer.owner) if customer.owner_id else None,
            "backup_owner": str(customer.backup_owner) if customer.backup_owner_id else None,
        },
        customer_id=customer.pk,
    )


OWNER_FIELDS = [
    "owner",
    "backup_owner",
    "owned_since",
    "touch_due_at",
    "pool_return_at",
    "updated_at",
]


def set_owner(customer: Customer, owner: User | None) -> None:
    """Give the customer a new owner (or the pool) and restart its pool-return clock.
    The caller saves ``OWNER_FIELDS``."""
    customer.owner = owner
    customer.owned_since = timezone.now() if owner is not None else None
    if owner is not None and customer.backup_owner_id == owner.pk:
        customer.backup_owner = None
    customer.refresh_touch_dates()


def owned_count(user: User) -> int:
    return Customer.objects.filter(owner=user).count()


@transaction.atomic
def customer_claim(*, by: User, customer: Customer) -> Customer:
    """Take a pool customer. Raises AlreadyClaimed (naming the winner) if someone was first,
    ValidationError if the claimer already owns the maximum number of customers."""
    # Serialise one person's claims so the cap holds under concurrency.
    User.objects.select_for_update().filter(pk=by.pk).first()
    cap = settings.TEND_MAX_OWNED_CUSTOMERS
    if owned_count(by) >= cap:
        raise ValidationError(
            _(
                "You already own %(cap)s customers, the most one person may hold. Release one "
                "before claiming another."
            )
            % {"cap": cap}
        )
    won = Customer.objects.filter(pk=customer.pk, owner__isnull=True).update(owner=by)
    if not won:
        current = Customer.objects.select_related("owner").filter(pk=customer.pk).first()
        raise AlreadyClaimed(current.owner if current else None)
    customer = Customer.objects.select_related("owner", "backup_owner").get(pk=customer.pk)
    previous_backup = customer.backup_owner
    set_owner(customer, by)
    customer.save(update_fields=OWNER_FIELDS)
    if previous_backup is not None and customer.backup_owner_id is None:
        # The backup who claims becomes the owner; the backup seat is then empty.
        ownership_record(
            customer=customer,
            role="backup",
            from_user=by,
            to_user=None,
            by=by,
            move=OwnershipMove.CLAIM,
        )
    ownership_audit(by=by, customer=customer, before_owner=None, before_backup=previous_backup)
    ownership_record(
        customer=customer, role="owner", from_user=None, to_user=by, by=by, move=OwnershipMove.CLAIM
    )
    return customer


@transaction.atomic
def customer_release(*, by: User, customer: Customer, reason: str) -> Customer:
    """Give a customer back to the pool, with a reason. Owners release their own; managers and
    admins may release any customer they can see."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why you release this customer.")})
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("owner", "backup_owner")
        .get(pk=customer.pk)
    )
    if customer.owner_id is None:
        raise ValidationError(_("This customer is already in the pool."))
    if by.is_rep and customer.owner_id != by.pk:
        raise PermissionDenied(_("Only the owner or a manager can release this customer."))
    previous = customer.owner
    set_owner(customer, None)
    customer.save(update_fields=OWNER_FIELDS)
    ownership_audit(
        by=by, customer=customer, before_owner=previous, before_backup=customer.backup_owner
    )
    ownership_record(
        customer=customer,
        role="owner",
        from_user=previous,
        to_user=None,
        by=by,
        move=OwnershipMove.RELEASE,
        reason=reason,
    )
    return customer


@transaction.atomic
def customer_assign(
    *, by: User, customer: Customer, owner: User | None, reason: str = ""
) -> Customer:
    """A manager or admin gives a customer to a person (or to the pool)."""
    if by.is_rep:
        raise PermissionDenied(_("Only a manager or an admin can assign customers."))
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("owner", "backup_owner")
        .get(pk=customer.pk)
    )
    if owner is not None and not users_assignable_by(user=by).filter(pk=owner.pk).exists():
        raise ValidationError(
            {"owner": _("You cannot assign customers to %(name)s.") % {"name": owner}}
        )
    if owner is not None and owner.pk == customer.owner_id:
        return customer
    previous_owner, previous_backup = customer.owner, customer.backup_owner
    set_owner(customer, owner)
    customer.save(update_fields=OWNER_FIELDS)
    ownership_audit(
        by=by, customer=customer, before_owner=previous_owner, before_backup=previous_backup
    )
    if previous_backup != customer.backup_owner:
        ownership_record(
            customer=customer,
            role="backup",
            from_user=previous_backup,
            to_user=None,
            by=by,
            move=OwnershipMove.ASSIGN,
            reason=reason,
        )
    ownership_record(
        customer=customer,
        role="owner",
        from_user=previous_owner,
        to_user=owner,
        by=by,
        move=OwnershipMove.ASSIGN,
        reason=reason,
    )
    return customer
