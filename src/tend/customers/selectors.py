"""Reads about customers, every one of them through the visibility rule."""

from dataclasses import dataclass, replace

from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from tend.accounts.models import User
from tend.engagement.models import ContactThread, ThreadKind
from tend.health import summary_token

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
        "owner", "backup_owner", "territory", "referral_received__referrer"
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
        queryset = queryset.with_status(filters.status)
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
    return (
        queryset.select_related("owner", "territory", "referral_received")
        .prefetch_related("tags")
        .order_by(*order)
    )


def customer_list_count(*, user: User, filters: CustomerFilters) -> int:
    """How many customers ``customer_list`` holds. Unless searched or filtered by type or tag,
    that depends only on what the change token watches (customers' owner, backup owner,
    status, country and tier; users' role, team and active flag: ``health.summary_token``), so
    it is kept in the cache under the token: a rep's count reads 33,000 index entries on the
    100k book, for every page of the list and of the API."""
    key = None
    if not (filters.q or filters.type or filters.tag):
        token = summary_token.current()
        if token is not None:
            unsorted = replace(filters, sort="")
            key = summary_token.cache_key("customer-count", token, user.pk, unsorted)
    return summary_token.cached(key, customer_list(user=user, filters=filters).count)


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


def contact_threads() -> QuerySet:
    """One row per customer our people have been in contact with (an interaction they took
    part in): how many of our people (``people_in_contact``), the lowest such person's id
    (``in_contact_id``: *the* person when there is one), and how many of the customer's
    contacts were reached (``contacts_reached``).

    Read from the per-customer counts the database keeps by triggers
    (``engagement.ContactThread``) rather than from every interaction joined to its links:
    the same rows, in milliseconds instead of seconds on a big book."""
    person, contact = Q(kind=ThreadKind.PERSON), Q(kind=ThreadKind.CONTACT)
    return (
        ContactThread.objects.order_by()
        .values("customer_id")
        .annotate(
            people_in_contact=Count("ref_id", filter=person),
            in_contact_id=Min("ref_id", filter=person),
            contacts_reached=Count("ref_id", filter=contact),
        )
    )


def single_threads() -> QuerySet:
    """The single-threading rule, the one the customers report, the handover preview and the
    health signal all read: exactly one of our people has ever been in contact with the
    customer. If that person leaves, the relationship may leave with them."""
    return contact_threads().filter(people_in_contact=1)


@dataclass(frozen=True)
class Thread:
    customer: Customer
    person: User
    contacts_reached: int


def _threads_for(customers, rows) -> list[Thread]:
    people = User.objects.in_bulk({row["in_contact_id"] for row in rows})
    by_customer = {row["customer_id"]: row for row in rows}
    return [
        Thread(
            customer,
            people[by_customer[customer.pk]["in_contact_id"]],
            by_customer[customer.pk]["contacts_reached"],
        )
        for customer in customers
        if customer.pk in by_customer
    ]


def customers_single_threaded(*, user: User) -> CustomerQuerySet:
    """Customers this user sees that are single-threaded, A tier first."""
    return (
        customers_visible_to(user=user)
        .filter(pk__in=single_threads().values("customer_id"))
        .select_related("owner", "territory")
        .order_by("tier", "name", "id")
    )


def single_threads_of(customers) -> list[Thread]:
    """The thread of each of these (single-threaded) customers: who, and how many contacts."""
    customers = list(customers)
    rows = list(single_threads().filter(customer_id__in=[c.pk for c in customers]))
    return _threads_for(customers, rows)


def single_threads_through(*, user: User, person: User) -> list[Thread]:
    """The customers ``user`` sees that only ``person`` has ever been in contact with, A tier
    first: what a handover of that person puts at risk."""
    rows = list(single_threads().filter(in_contact_id=person.pk))
    customers = customers_visible_to(user=user).filter(pk__in=[row["customer_id"] for row in rows])
    customers = customers.order_by("tier", "name", "id")
    return _threads_for(customers, rows)


EXPORT_HEADERS = [
    "id",
    "external_id",
    "name",
    "local_name",
    "country",
    "city",
    "time_zone",
    "type",
    "territory",
    "tier",
    "status",
    "owner",
    "backup_owner",
    "source",
    "currency",
    "incoterm",
    "payment_terms",
    "tags",
    "primary_contact",
    "primary_email",
    "primary_phone",
    "created_at",
]


def customer_export_rows(*, user: User, filters: CustomerFilters):
    """The filtered list as the user may see it, one row per customer with its primary contact,
    streamed in chunks so a 100,000-row export keeps memory flat."""
    from django.db.models import Prefetch

    queryset = customer_list(user=user, filters=filters).select_related("backup_owner")
    queryset = queryset.prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.filter(is_primary=True), to_attr="primary")
    )
    for customer in queryset.iterator(chunk_size=2000):
        primary = customer.primary[0] if customer.primary else None
        yield [
            customer.pk,
            customer.external_id,
            customer.name,
            customer.local_name,
            customer.country,
            customer.city,
            customer.time_zone,
            customer.type,
            customer.territory.name if customer.territory_id else "",
            customer.tier,
            customer.status,
            customer.owner.username if customer.owner_id else "",
            customer.backup_owner.username if customer.backup_owner_id else "",
            customer.source,
            customer.currency,
            customer.incoterm,
            customer.payment_terms,
            [tag.name for tag in customer.tags.all()],
            primary.name if primary else "",
            primary.email if primary else "",
            primary.phone or primary.mobile if primary else "",
            customer.created_at.isoformat(),
        ]
