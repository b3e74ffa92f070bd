"""Writes to customer files. Every page, API call, import and command goes through here,
so validation, ownership rules and the audit log hold for all of them."""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from tend.accounts.models import User
from tend.audit.models import AuditAction
from tend.audit.services import audit_record, snapshot

from ..matching import name_key
from ..models import Contact, Customer, CustomerStatus, OwnershipMove, Tag
from ..selectors import DuplicateMatch, customer_find_duplicates, users_assignable_by
from .ownership import (
    AlreadyClaimed,
    customer_assign,
    customer_claim,
    customer_release,
    ownership_record,
)

__all__ = [
    "AlreadyClaimed",
    "DuplicateCustomer",
    "contact_create",
    "contact_delete",
    "contact_update",
    "customer_assign",
    "customer_claim",
    "customer_create",
    "customer_delete",
    "customer_refresh_search_text",
    "customer_release",
    "customer_update",
    "ownership_record",
]

# ``referred_by`` is written to the referral ledger (market), not to the customer row.
# ``lost_reason`` marks the customer lost through the lost record (``_lost_reason_of``).
CUSTOMER_FIELDS = (frozenset(Customer.AUDITED_FIELDS) - {"tags"}) | {"referred_by", "lost_reason"}
_UNSET = object()
CONTACT_FIELDS = frozenset(Contact.AUDITED_FIELDS)
NULLABLE_FIELDS = frozenset({"owner", "backup_owner", "territory", "cadence_days", "credit_limit"})


class DuplicateCustomer(Exception):
    """The customer looks like one already in the book; nothing was written."""

    def __init__(self, matches: list[DuplicateMatch]):
        super().__init__(_("A customer with this name or email already exists."))
        self.matches = matches


class CustomerInUse(Exception):
    """The customer has orders or other records that must outlive it; nothing was deleted."""

    def __init__(self, customer: Customer, protected: Iterable[object]):
        counts = Counter(type(record)._meta for record in protected)
        held = ", ".join(
            f"{count} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"
            for meta, count in sorted(counts.items(), key=lambda item: item[0].label)
        )
        super().__init__(
            _("“%(name)s” has %(records)s: it cannot be deleted. Mark it lost or inactive instead.")
            % {"name": customer.name, "records": held}
        )


def _check_assignment(
    *,
    by: User,
    customer: Customer,
    original_owner_id: int | None,
    original_backup_id: int | None,
) -> None:
    """Who may name an owner or backup: admins anyone, managers their team, reps only themselves
    as a new customer's owner (reassigning a customer is a manager's decision)."""
    errors: dict[str, str] = {}
    allowed = None

    def may_assign(person: User | None) -> bool:
        nonlocal allowed
        if person is None:
            return True
        if not person.is_active:
            return False
        if allowed is None:
            allowed = set(users_assignable_by(user=by).values_list("pk", flat=True))
        return person.pk in allowed

    owner_changed = customer.owner_id != original_owner_id
    if owner_changed:
        if by.is_rep and customer.pk is not None:
            errors["owner"] = _("Only a manager can move a customer to another owner.")
        elif by.is_rep and customer.owner_id not in (None, by.pk):
            errors["owner"] = _("A rep can only create customers for themselves or the pool.")
        elif not may_assign(customer.owner):
            errors["owner"] = _("You cannot assign customers to %(name)s.") % {
                "name": customer.owner
            }
    backup_changed = customer.backup_owner_id != original_backup_id
    if backup_changed and not may_assign(customer.backup_owner):
        errors["backup_owner"] = _("You cannot name %(name)s as backup owner.") % {
            "name": customer.backup_owner
        }
    if errors:
        raise ValidationError(errors)


def _set_tags(customer: Customer, tag_names: Iterable[str]) -> None:
    names = sorted({" ".join(name.split()) for name in tag_names if name and name.strip()})
    for name in names:
        Tag(name=name).full_clean(validate_unique=False)
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name) for name in names if name not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    customer.tags.set(Tag.objects.filter(name__in=names))


def customer_refresh_search_text(*, customer: Customer) -> None:
    """Keep the one column the list's search reads in step with names, contacts and tags."""
    parts = [customer.name, customer.local_name, customer.city]
    for name, email in customer.contacts.values_list("name", "email"):
        parts.extend([name, email])
    parts.extend(customer.tags.values_list("name", flat=True))
    text = " ".join(part for part in parts if part).lower()
    Customer.objects.filter(pk=customer.pk).update(search_text=text)
    customer.search_text = text


def _apply_fields(customer: Customer, fields: dict[str, Any]) -> None:
    unknown = set(fields) - CUSTOMER_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    for name, value in fields.items():
        if name in ("referred_by", "lost_reason"):
            continue
        if name == "time_zone":
            customer.time_zone_overridden = bool(value)
        if value is None and name not in NULLABLE_FIELDS:
            value = ""
        setattr(customer, name, value)


def _lost_reason_of(fields: dict[str, Any], *, before: str, after: str) -> str:
    """The one rule for "lost" on every path that edits a customer file (page, bulk, API; the
    import says the same in its own words): a customer becomes lost only with a recorded
    reason (``mark_lost`` writes the lost record the lost report counts), and stops being lost
    only by an order (won back). Returns the reason to mark it lost with, "" for no change."""
    reason = fields.get("lost_reason") or ""
    if after == CustomerStatus.LOST and before != CustomerStatus.LOST:
        if not reason:
            raise ValidationError(
                {
                    "lost_reason": _(
                        "Say why the customer was lost: a customer is marked lost with its "
                        "reason (the lost report counts it)."
                    )
                }
            )
        return reason
    if before == CustomerStatus.LOST and after != CustomerStatus.LOST:
        raise ValidationError(
            {
                "status": _(
                    "A lost customer comes back with an order (it is then won back); its "
                    "status does not change by hand."
                )
            }
        )
    if reason:
        raise ValidationError({"lost_reason": _("Give a lost reason only when marking lost.")})
    return ""


def _mark_lost(*, by: User, customer: Customer, reason: str) -> None:
    """Mark the saved customer lost through the lost service, its errors named as the file's
    fields."""
    from tend.health.services.lost import mark_lost

    try:
        mark_lost(customer, by=by, reason=reason)
    except PermissionDenied as exc:
        raise ValidationError({"status": str(exc)}) from exc
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"status": exc.messages}
        raise ValidationError(
            {("lost_reason" if name == "reason" else "status"): m for name, m in errors.items()}
        ) from exc


def _record_ownership_edits(*, by, customer, owner, backup, move) -> None:
    if customer.owner_id != (owner.pk if owner else None):
        ownership_record(
            customer=customer,
            role="owner",
            from_user=owner,
            to_user=customer.owner,
            by=by,
            move=move,
        )
    if customer.backup_owner_id != (backup.pk if backup else None):
        ownership_record(
            customer=customer,
            role="backup",
            from_user=backup,
            to_user=customer.backup_owner,
            by=by,
            move=move,
        )


@transaction.atomic
def customer_create(
    *,
    by: User,
    fields: dict[str, Any],
    tags: Iterable[str] = (),
    contacts: Iterable[dict[str, Any]] = (),
    allow_duplicate: bool = False,
    terms_reason: str = "",
) -> Customer:
    """Create a customer (with its first contacts). Raises ValidationError per field, or
    DuplicateCustomer when it matches an existing one and ``allow_duplicate`` is not set.

    Payment terms and a credit limit are credit terms, set only by an approved request: the
    customer is created without them and a request for them is made in ``by``'s name
    (``terms_reason`` tells the approver why). Within policy it applies at once; beyond it,
    the terms arrive when approved (``customer.terms_request`` is the request)."""
    fields = dict(fields)
    if by.is_rep:
        fields.setdefault("owner", by)
    customer = Customer()
    _apply_fields(customer, fields)
    lost_reason = _lost_reason_of(fields, before="", after=customer.status)
    if lost_reason:  # created as it would otherwise be, then marked lost with the reason
        customer.status = customer._meta.get_field("status").get_default()
    customer.full_clean()
    terms = {
        name: getattr(customer, name)
        for name in Customer.GUARDED_FIELDS
        if name in customer.guard_given()
    }
    for name in terms:
        setattr(customer, name, customer._meta.get_field(name).get_default())
    _check_assignment(by=by, customer=customer, original_owner_id=None, original_backup_id=None)
    contacts = list(contacts)
    if not allow_duplicate:
        emails = [contact.get("email", "") for contact in contacts]
        matches = customer_find_duplicates(user=by, name=customer.name, emails=emails)
        if matches:
            raise DuplicateCustomer(matches)
    customer.name_key = name_key(customer.name)
    if customer.owner_id:
        customer.owned_since = customer.created_at
    customer.refresh_touch_dates()
    customer.save()
    _set_tags(customer, tags)
    _record_ownership_edits(
        by=by, customer=customer, owner=None, backup=None, move=OwnershipMove.CREATE
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=customer,
        after=snapshot(customer, Customer.AUDITED_FIELDS),
        customer_id=customer.pk,
    )
    for index, contact_fields in enumerate(contacts):
        try:
            contact_create(by=by, customer=customer, fields=contact_fields, refresh=False)
        except ValidationError as exc:
            raise ValidationError(
                {f"contacts.{index}.{field}": msgs for field, msgs in exc.message_dict.items()}
            ) from exc
    customer_refresh_search_text(customer=customer)
    _set_referrer(by=by, customer=customer, referrer=fields.get("referred_by"))
    customer.terms_request = _request_terms(
        by=by, customer=customer, terms=terms, reason=terms_reason
    )
    if lost_reason:
        _mark_lost(by=by, customer=customer, reason=lost_reason)
    return customer


def _set_referrer(*, by: User, customer: Customer, referrer) -> None:
    """Who referred the customer lives in the referral ledger: record, replace or remove it."""
    from tend.market.services.referrals import referral_set

    try:
        referral_set(by=by, referred=customer, referrer=referrer)
    except ValidationError as exc:
        raise ValidationError({"referred_by": exc.messages}) from exc


def _request_terms(*, by: User, customer: Customer, terms: dict[str, Any], reason: str):
    """Ask for the credit terms a new customer was given (applied at once within policy)."""
    if not terms:
        return None
    from tend.approvals.models import RequestKind
    from tend.approvals.services import request_create

    proposed = {name: None if value is None else str(value) for name, value in terms.items()}
    request = request_create(
        by=by,
        kind=RequestKind.CREDIT_TERMS,
        customer=customer,
        reason=reason or _("Terms given when the customer file was created."),
        proposed=proposed,
    )
    customer.refresh_from_db(fields=list(Customer.GUARDED_FIELDS))
    return request


@transaction.atomic
def customer_update(
    *, by: User, customer: Customer, fields: dict[str, Any], tags: Iterable[str] | None = None
) -> Customer:
    """Change a customer's file; each changed field is written to the audit log, old -> new."""
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("owner", "backup_owner")
        .get(pk=customer.pk)
    )
    before = snapshot(customer, Customer.AUDITED_FIELDS)
    original_owner, original_backup = customer.owner, customer.backup_owner
    original_owner_id, original_backup_id = customer.owner_id, customer.backup_owner_id
    original_status = customer.status
    _apply_fields(customer, fields)
    lost_reason = _lost_reason_of(fields, before=original_status, after=customer.status)
    if lost_reason:  # the lost service sets the status with its record
        customer.status = original_status
    guarded = customer.guard_changed()
    if guarded:
        raise ValidationError(
            {field: _("This changes only by an approved request (four eyes).") for field in guarded}
        )
    customer.full_clean()
    _check_assignment(
        by=by,
        customer=customer,
        original_owner_id=original_owner_id,
        original_backup_id=original_backup_id,
    )
    customer.name_key = name_key(customer.name)
    if customer.owner_id != original_owner_id:
        customer.owned_since = timezone.now() if customer.owner_id else None
    customer.refresh_touch_dates()
    customer.save()
    if "referred_by" in fields:
        _set_referrer(by=by, customer=customer, referrer=fields["referred_by"])
    if tags is not None:
        _set_tags(customer, tags)
    _record_ownership_edits(
        by=by,
        customer=customer,
        owner=original_owner,
        backup=original_backup,
        move=OwnershipMove.EDIT,
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=customer,
        before=before,
        after=snapshot(customer, Customer.AUDITED_FIELDS),
        customer_id=customer.pk,
    )
    customer_refresh_search_text(customer=customer)
    if lost_reason:
        _mark_lost(by=by, customer=customer, reason=lost_reason)
    return customer


BULK_FIELDS = frozenset({"tier", "status", "territory", "type", "cadence_days", "lost_reason"})


@transaction.atomic
def customers_bulk_update(*, by: User, customers: list[Customer], fields: dict[str, Any]) -> int:
    """Set the same values on many customers at once (managers and admins), each change
    audited. Only plain classification fields: ownership moves through the pool and handover,
    and guarded fields through approvals."""
    if by.is_rep:
        raise PermissionDenied(_("Only a manager or an admin can change customers in bulk."))
    unknown = set(fields) - BULK_FIELDS
    if unknown:
        raise ValidationError(
            {name: _("This cannot be changed in bulk.") for name in sorted(unknown)}
        )
    changed = 0
    for customer in customers:
        if customer_update(by=by, customer=customer, fields=fields) is not None:
            changed += 1
    return changed


@transaction.atomic
def customer_delete(*, by: User, customer: Customer) -> None:
    """Delete a customer and its contacts. Only managers and admins; the audit log keeps a full
    copy of what was deleted."""
    if by.is_rep:
        raise PermissionDenied(_("Only a manager or an admin can delete a customer."))
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    for contact in customer.contacts.all():
        audit_record(
            actor=by,
            action=AuditAction.DELETE,
            instance=contact,
            before=snapshot(contact, Contact.AUDITED_FIELDS),
            customer_id=customer.pk,
        )
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        instance=customer,
        before=snapshot(customer, Customer.AUDITED_FIELDS),
        customer_id=customer.pk,
    )
    try:
        customer.delete()
    except ProtectedError as exc:
        raise CustomerInUse(customer, exc.protected_objects) from exc


def _apply_contact_fields(contact: Contact, fields: dict[str, Any]) -> None:
    unknown = set(fields) - CONTACT_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(contact, name, value if value is not None or name == "is_primary" else "")


def _demote_other_primaries(contact: Contact) -> None:
    if contact.is_primary:
        Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(
            pk=contact.pk
        ).update(is_primary=False)


@transaction.atomic
def contact_create(
    *, by: User, customer: Customer, fields: dict[str, Any], refresh: bool = True
) -> Contact:
    contact = Contact(customer=customer)
    _apply_contact_fields(contact, fields)
    if not customer.contacts.exists():
        contact.is_primary = True
    contact.full_clean(exclude=["customer"])
    _demote_other_primaries(contact)
    contact.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        instance=contact,
        after=snapshot(contact, Contact.AUDITED_FIELDS),
        customer_id=customer.pk,
    )
    if refresh:
        customer_refresh_search_text(customer=customer)
    return contact


@transaction.atomic
def contact_update(*, by: User, contact: Contact, fields: dict[str, Any]) -> Contact:
    contact = Contact.objects.select_for_update().select_related("customer").get(pk=contact.pk)
    before = snapshot(contact, Contact.AUDITED_FIELDS)
    _apply_contact_fields(contact, fields)
    contact.full_clean(exclude=["customer"])
    _demote_other_primaries(contact)
    contact.save()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        instance=contact,
        before=before,
        after=snapshot(contact, Contact.AUDITED_FIELDS),
        customer_id=contact.customer_id,
    )
    customer_refresh_search_text(customer=contact.customer)
    return contact


@transaction.atomic
def contact_delete(*, by: User, contact: Contact) -> None:
    customer = contact.customer
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        instance=contact,
        before=snapshot(contact, Contact.AUDITED_FIELDS),
        customer_id=customer.pk,
    )
    contact.delete()
    customer_refresh_search_text(customer=customer)
