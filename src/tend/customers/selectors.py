"""Reads about customers, every one of them through the visibility rule."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from tend.accounts.models import User

from .matching import company_domain, name_key
from .models import Contact, Customer, CustomerQuerySet

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "country": ("country", "name", "id"),
    "-country": ("-country", "-name", "-id"),
    "tier": ("tier", "name", "id"),
    "-tier": ("-tier", "-name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}
DEFAULT_SORT = "name"


def customers_visible_to(*, user: User) -> CustomerQuerySet:
    return Customer.objects.visible_to(user)


def customer_get_for_user(*, user: User, pk: int, for_update: bool = False) -> Customer:
    """The customer if this user may see it; 404 otherwise, so its existence is not confirmed."""
    queryset = customers_visible_to(user=user).select_related(
        "owner", "backup_owner", "territory", "referred_by"
    )
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such customer.") from None


def contact_get_for_user(*, user: User, pk: int) -> Contact:
    try:
        return Contact.objects.select_related("customer").get(
            pk=pk, customer__in=customers_visible_to(user=user)
        )
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contact.") from None


@dataclass(frozen=True)
class CustomerFilters:
    q: str = ""
    country: str = ""
    tier: str = ""
    status: str = ""
    type: str = ""
    owner: str = ""  # a user id, "me", or "pool"
    tag: str = ""
    sort: str = DEFAULT_SORT


def customer_list(*, user: User, filters: CustomerFilters) -> QuerySet[Customer]:
    """The customer list as the user may see it, searched, filtered and sorted.

    Related rows come in a fixed number of queries whatever the page size.
    """
    queryset = customers_visible_to(user=user)
    if filters.q:
        for word in filters.q.lower().split():
            queryset = queryset.filter(search_text__contains=word)
    if filters.country:
        queryset = queryset.filter(country=filters.country.upper())
    if filters.tier:
        queryset = queryset.filter(tier=filters.tier)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.type:
        queryset = queryset.filter(type=filters.type)
    if filters.owner == "pool":
        queryset = queryset.filter(owner__isnull=True)
    elif filters.owner == "me":
        queryset = queryset.filter(owner=user)
    elif filters.owner.isdigit():
        queryset = queryset.filter(owner_id=int(filters.owner))
    if filters.tag:
        queryset = queryset.filter(tags__name=filters.tag)
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return queryset.select_related("owner", "territory").prefetch_related("tags").order_by(*order)


@dataclass(frozen=True)
class DuplicateMatch:
    customer: Customer
    reason: str
    visible: bool


def customer_find_duplicates(
    *, user: User, name: str, emails: list[str], exclude_pk: int | None = None
) -> list[DuplicateMatch]:
    """Existing customers that look like this one: same company name, a contact with the same
    email, or a contact at the same company email domain. Searched across the whole book, so two
    reps do not court the same importer; whether each match may be opened is marked."""
    key = name_key(name)
    emails = [email.strip().lower() for email in emails if email and email.strip()]
    domains = {d for d in (company_domain(email) for email in emails) if d}
    reasons: dict[int, str] = {}
    if key:
        for pk in Customer.objects.filter(name_key=key).values_list("pk", flat=True)[:20]:
            reasons.setdefault(pk, "name")
    if emails or domains:
        rows = Contact.objects.filter(Q(email__in=emails) | Q(email_domain__in=domains))
        for customer_id, email in rows.values_list("customer_id", "email")[:50]:
            reasons.setdefault(customer_id, "email" if email in emails else "domain")
    reasons.pop(exclude_pk, None)
    if not reasons:
        return []
    visible = set(
        customers_visible_to(user=user).filter(pk__in=reasons).values_list("pk", flat=True)
    )
    customers = Customer.objects.select_related("owner").filter(pk__in=reasons).order_by("name")
    return [DuplicateMatch(c, reasons[c.pk], c.pk in visible) for c in customers]


def users_assignable_by(*, user: User) -> QuerySet[User]:
    """Who this user may name as a customer's owner or backup owner."""
    active = User.objects.filter(is_active=True).select_related("team")
    if user.is_admin:
        return active
    if user.team_id:
        return active.filter(Q(team_id=user.team_id) | Q(pk=user.pk))
    return active.filter(pk=user.pk)
