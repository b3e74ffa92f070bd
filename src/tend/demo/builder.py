"""Builds the demo book: the core steps (people, territories and tags, customers with their
contacts, tags and audit entries) and :func:`build_demo`, which runs every registered step in one
transaction. See :mod:`tend.demo.registry` for adding steps from other apps.

Everything is computed in Python first and written with large ``bulk_create`` batches; the
denormalised columns (``name_key``, ``search_text``, ``email_domain``, ``time_zone``) are filled
exactly as the services fill them.
"""

import bisect
import contextlib
import functools
import itertools
import random
import re
import string
import time as time_module
import unicodedata
from collections.abc import Callable, Collection
from datetime import UTC, date, datetime, time, timedelta

import phonenumbers
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import ProtectedError, RestrictedError

from tend.accounts.models import Role, Team, User
from tend.audit.models import AuditEntry
from tend.core.bulk import bulk_insert
from tend.core.reference import timezone_for
from tend.customers.matching import LEGAL_SUFFIXES, name_key
from tend.customers.models import Contact, Customer, Tag, Territory

from . import data
from .bulk import delete_all, reset_sequences
from .registry import DemoContext, DemoCustomer, Timer, register_step, steps

BATCH_SIZE = 5000
HISTORY_DAYS = 6 * 365  # customers were added over the last six years
POOL_SHARE = 0.08
BACKUP_SHARE = 0.40
EXPORTER_DOMAIN = "brightway-appliances.example"


# --- helpers ---------------------------------------------------------------------------------


def weighted(rng: random.Random, pairs):
    """A sampler for [(value, weight), ...] that costs one random() per draw."""
    values = [value for value, _ in pairs]
    cumulative = list(itertools.accumulate(weight for _, weight in pairs))
    total = cumulative[-1]
    return lambda: values[bisect.bisect_right(cumulative, rng.random() * total)]


_ASCII = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "ß": "ss", "đ": "d", "Đ": "D", "æ": "ae", "ș": "s"}
)


def ascii_fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_ASCII))
    return text.encode("ascii", "ignore").decode()


@functools.lru_cache(maxsize=65536)
def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


class PhoneMaker:
    """Valid E.164 numbers per country without parsing each one: the country's example number
    with its trailing digits varied, where a sample showed every variation to be valid."""

    SAMPLE = 40

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.templates: dict[tuple[str, int], tuple[str, int, str]] = {}

    def _template(self, region: str, kind: int) -> tuple[str, int, str]:
        key = (region, kind)
        if key not in self.templates:
            example = phonenumbers.example_number_for_type(region, kind)
            head = f"+{example.country_code}"
            nsn = phonenumbers.national_significant_number(example)
            check = random.Random(f"{region}:{kind}")
            free = 0
            for digits in range(min(6, len(nsn) - 3), 0, -1):
                if all(
                    self._valid(region, head + nsn[:-digits] + self._digits(check, digits))
                    for _ in range(self.SAMPLE)
                ):
                    free = digits
                    break
            self.templates[key] = (head + (nsn[:-free] if free else nsn), free, head + nsn)
        return self.templates[key]

    @staticmethod
    def _digits(rng: random.Random, count: int) -> str:
        return str(rng.randrange(10**count)).zfill(count)

    @staticmethod
    def _valid(region: str, number: str) -> bool:
        parsed = phonenumbers.parse(number, None)
        return (
            phonenumbers.is_valid_number(parsed)
            and phonenumbers.region_code_for_number(parsed) == region
        )

    MOBILE = phonenumbers.PhoneNumberType.MOBILE
    FIXED_LINE = phonenumbers.PhoneNumberType.FIXED_LINE

    def make(self, region: str, mobile: bool) -> str:
        kind = self.MOBILE if mobile else self.FIXED_LINE
        template = self.templates.get((region, kind)) or self._template(region, kind)
        prefix, free, example = template
        if not free:
            return example
        return f"{prefix}{int(self.rng.random() * 10**free):0{free}d}"


# --- core steps ------------------------------------------------------------------------------


def _demo_usernames() -> list[str]:
    return [person.username for person in data.PEOPLE]


def build_people(ctx: DemoContext) -> None:
    """Two teams of three reps, a manager for each team and an admin; one password for all."""
    password_hash = make_password(data.PASSWORD)  # argon2 is slow: hash once, reuse the hash
    for name in data.TEAMS:
        ctx.teams[name], _ = Team.objects.get_or_create(name=name)
    kept = {user.username: user for user in User.objects.filter(username__in=_demo_usernames())}
    for person in data.PEOPLE:
        role = {"admin": Role.ADMIN, "manager": Role.MANAGER, "rep": Role.REP}[person.role]
        # A demo person that --reset could not delete (another app's records protect it) is
        # set back to the demo's values instead.
        user = kept.get(person.username) or User(username=person.username)
        user.first_name = person.first_name
        user.last_name = person.last_name
        user.email = f"{slug(person.first_name)}.{slug(person.last_name)}@{EXPORTER_DOMAIN}"
        user.role = role
        user.team = ctx.teams[person.team] if person.team else None
        user.time_zone = person.time_zone
        user.is_active = True
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.password = password_hash
        user.date_joined = ctx.now - timedelta(days=HISTORY_DAYS + 30)
        user.save()
        ctx.users[person.username] = user
        ctx.logins.append((person.username, person.role, person.team or ""))
    ctx.counts["people"] = len(data.PEOPLE)


def _delete_unless_protected(queryset) -> None:
    """Delete the rows, or leave them if other records protect them (the build reuses them)."""
    try:
        with transaction.atomic():
            queryset.delete()
    except (ProtectedError, RestrictedError):
        for row in queryset:
            try:
                with transaction.atomic():
                    row.delete()
            except (ProtectedError, RestrictedError):
                pass


def reset_people(ctx: DemoContext) -> None:
    _delete_unless_protected(User.objects.filter(username__in=_demo_usernames()))
    _delete_unless_protected(Team.objects.filter(name__in=list(data.TEAMS), members__isnull=True))


def build_reference(ctx: DemoContext) -> None:
    """Territories and tags (kept if they exist already)."""
    existing = {territory.name: territory for territory in Territory.objects.all()}
    Territory.objects.bulk_create(
        [Territory(name=name) for name in data.TERRITORIES if name not in existing]
    )
    ctx.territories = {t.name: t for t in Territory.objects.filter(name__in=data.TERRITORIES)}
    names = sorted(
        {name for name, _ in data.PRODUCT_TAGS + data.EVENT_TAGS + data.ACCOUNT_TAGS}
        | set(data.CERTIFICATION_TAGS.values())
        | {data.KEY_ACCOUNT_TAG, data.EU_TAG}
    )
    existing_tags = set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
    Tag.objects.bulk_create([Tag(name=name) for name in names if name not in existing_tags])
    ctx.tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}


def reset_reference(ctx: DemoContext) -> None:
    _delete_unless_protected(Tag.objects.filter(customers__isnull=True))
    _delete_unless_protected(Territory.objects.filter(customers__isnull=True))


cached_name_key = functools.lru_cache(maxsize=262144)(name_key)


class NameMaker:
    """Company names that look local and never share a ``name_key`` (so the duplicate check in
    the book means something), with a local-script name for some, and a web domain for each."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.keys: set[str] = set()
        self.domains: set[str] = set()
        self.legal_words = LEGAL_SUFFIXES | {
            "sons",
            "partners",
            "co",
            "brothers",
            "cv",
            "pvt",
            "kk",
        }

    def _candidate(self, style: data.Style, country: data.Country, city: str):
        rng = self.rng
        forms = data.LEGAL_FORMS.get(country.code) or style.legal
        legal = forms[0] if rng.random() < 0.5 else rng.choice(forms)
        roll = rng.random()
        if style.local_brands and roll < style.local_share:
            brand, brand_local = rng.choice(style.local_brands)
            industry, industry_local = rng.choice(style.local_industries)
            latin = " ".join(part for part in (brand, industry, legal) if part)
            joiner = style.local_joiner if industry_local else ""
            local = style.local_native.format(brand=brand_local, industry=joiner + industry_local)
            return latin, local, legal
        roll = rng.random()
        industry = rng.choice(style.industries)
        if roll < 0.45:
            brand = f"{rng.choice(data.BRAND_FIRST)} {rng.choice(data.BRAND_SECOND)}"
            if legal in ("PT", "CV"):
                return f"{legal} {brand} {industry}", "", legal
            return f"{brand} {industry} {legal}", "", legal
        if roll < 0.8:
            family = rng.choice(style.last_names)
            if style.family_suffixes and rng.random() < 0.3:
                family = f"{family} {rng.choice(style.family_suffixes)}"
            if legal in ("PT", "CV"):
                return f"{legal} {family} {industry}", "", legal
            return f"{family} {industry} {legal}", "", legal
        return f"{city} {industry} {legal}", "", legal

    def make(self, style: data.Style, country: data.Country, city: str) -> tuple[str, str, str]:
        for attempt in range(40):
            latin, local, legal = self._candidate(style, country, city)
            if attempt >= 12:  # crowded: set it apart by its city (before the legal form)
                extra = city if attempt < 24 else f"{city} {attempt - 22}"
                if latin.endswith(" " + legal):
                    latin = f"{latin[: -len(legal) - 1]} {extra} {legal}"
                else:
                    latin = f"{latin} {extra}"
            key = cached_name_key(latin)
            if key and key not in self.keys:
                self.keys.add(key)
                return latin, local, self._domain(latin, country)
        raise RuntimeError("could not find a free company name")  # pragma: no cover

    def _domain(self, name: str, country: data.Country) -> str:
        words = [slug(word) for word in name.split()]
        words = [word for word in words if word and word not in self.legal_words]
        tld = country.tld if self.rng.random() < 0.7 else "com"
        candidates = ["".join(words[:2]), "-".join(words[:2]), "".join(words[:3]), "".join(words)]
        for candidate in candidates:
            domain = f"{candidate[:40].strip('-')}.{tld}"
            if candidate and domain not in self.domains:
                self.domains.add(domain)
                return domain
        for number in itertools.count(2):
            domain = f"{''.join(words)[:36]}{number}.{tld}"
            if domain not in self.domains:
                self.domains.add(domain)
                return domain
        raise AssertionError  # pragma: no cover


def _assign_countries(rng: random.Random, size: int) -> list[data.Country]:
    """Every country at least once (when the book is big enough), the rest by weight."""
    pick = weighted(rng, [(country, country.weight) for country in data.COUNTRIES])
    chosen = list(data.COUNTRIES[:size]) + [pick() for _ in range(size - len(data.COUNTRIES))]
    rng.shuffle(chosen)
    return chosen


def _owner_pickers(ctx: DemoContext, rng: random.Random) -> dict[str, Callable[[str], tuple]]:
    """territory -> function(tier) -> (owner, backup) for a customer that is not in the pool."""
    people = {person.username: person for person in data.PEOPLE}
    pickers = {}
    for team_name, territories in data.TEAMS.items():
        team_reps = [
            ctx.users[p.username] for p in data.PEOPLE if p.team == team_name and p.role == "rep"
        ]
        manager = next(
            ctx.users[p.username]
            for p in data.PEOPLE
            if p.team == team_name and p.role == "manager"
        )
        for territory in territories:
            specialists = [
                rep for rep in team_reps if territory in people[rep.username].territories
            ] or team_reps

            def pick(tier, specialists=specialists, team_reps=team_reps, manager=manager):
                if tier == "A" and rng.random() < 0.1:
                    owner = manager
                elif rng.random() < 0.85:
                    owner = rng.choice(specialists)
                else:
                    owner = rng.choice(team_reps)
                backup = None
                if rng.random() < BACKUP_SHARE:
                    backup = rng.choice([rep for rep in team_reps if rep.pk != owner.pk])
                return owner, backup

            pickers[territory] = pick
    return pickers


def _contact_language(rng: random.Random, country: data.Country) -> str:
    if country.style in ("chinese_sea", "malay"):
        roll = rng.random()
        if roll < 0.35:
            return "zh"
        return country.language if roll < 0.7 else "en"
    if country.language == "en":
        return "en"
    return country.language if rng.random() < 0.75 else "en"


def _wechat_id(rng: random.Random, first: str, last: str) -> str:
    if rng.random() < 0.4:
        return "wxid_" + "".join(rng.choices(string.ascii_lowercase + string.digits, k=12))
    base = (slug(first) + slug(last))[:14] or "wx"
    if not base[0].isalpha():
        base = "wx" + base
    return f"{base}{rng.randrange(10, 9999)}"


CUSTOMER_COLUMNS = (
    "id", "name", "local_name", "country", "city", "time_zone", "time_zone_overridden", "type",
    "territory_id", "tier", "status", "owner_id", "backup_owner_id", "source",
    "currency", "incoterm", "payment_terms", "notes", "name_key", "search_text", "created_at",
    "updated_at",
)  # fmt: skip
CONTACT_COLUMNS = (
    "id", "customer_id", "name", "title", "email", "phone", "mobile", "whatsapp", "wechat",
    "language", "role", "is_primary", "email_domain", "created_at",
)  # fmt: skip
AUDIT_COLUMNS = (
    "at", "actor_id", "action", "entity", "entity_id", "entity_label", "customer_id", "changes",
)  # fmt: skip


def build_customers(ctx: DemoContext) -> None:
    """Customers with 1-3 contacts each, their tags and one audit entry each."""
    started = time_module.perf_counter()
    size = ctx.size
    rng = ctx.rng("customers")
    random_ = rng.random
    phone_maker = PhoneMaker(ctx.rng("phones"))
    names = NameMaker(ctx.rng("names"))
    pickers = _owner_pickers(ctx, ctx.rng("owners"))
    pick_type = weighted(rng, data.TYPES)
    pick_tier = weighted(rng, data.TIERS)
    pick_pool_tier = weighted(rng, [("B", 15), ("C", 85)])
    pick_status = {tier: weighted(rng, pairs) for tier, pairs in data.STATUSES.items()}
    pick_pool_status = weighted(rng, [("prospect", 50), ("dormant", 25), ("lost", 25)])
    pick_source = weighted(rng, data.SOURCES)
    pick_title = {
        primary: weighted(
            rng, [((title, role), w[0] if primary else w[1]) for title, role, *w in data.TITLES]
        )
        for primary in (True, False)
    }
    pick_terms = {
        region: {tier: weighted(rng, pairs) for tier, pairs in tiers.items()}
        for region, tiers in data.TERMS_BY_REGION.items()
    }
    pick_incoterm = {
        region: weighted(rng, pairs) for region, pairs in data.INCOTERMS_BY_REGION.items()
    }
    pick_product = weighted(rng, data.PRODUCT_TAGS)
    pick_event = weighted(rng, data.EVENT_TAGS)
    pick_account = weighted(rng, data.ACCOUNT_TAGS)
    pick_contacts = weighted(rng, [(1, 50), (2, 35), (3, 15)])
    city_pickers = {
        c.code: weighted(
            rng, list(zip(c.cities, c.city_weights or [1] * len(c.cities), strict=True))
        )
        for c in data.COUNTRIES
    }
    currency_pickers = {c.code: weighted(rng, c.currencies) for c in data.COUNTRIES}
    zones: dict[tuple[str, str], tuple[str, bool]] = {}
    for country in data.COUNTRIES:
        for city, explicit in country.cities:
            derived = timezone_for(country.code, city)
            # A zone that timezone_for gets wrong is kept as set by hand, so that a later save
            # (which re-derives unless overridden) does not replace it with the wrong one.
            zones[country.code, city] = (
                explicit or derived,
                bool(explicit and explicit != derived),
            )
    territory_ids = {name: territory.pk for name, territory in ctx.territories.items()}
    tag_ids = {name: tag.pk for name, tag in ctx.tags.items()}
    person_names = {user.pk: str(user) for user in ctx.users.values()}
    admin_id = ctx.admin.pk
    audited = Customer.AUDITED_FIELDS
    audit_defaults = {  # fields the demo leaves at their default, as snapshot() shows them
        name: Customer._meta.get_field(name).get_default()
        for name in audited
        if not Customer._meta.get_field(name).many_to_many
    }

    countries = _assign_countries(rng, size)
    # Customers were added over six years; older ones get lower ids.
    offsets = sorted((random_() for _ in range(size)), reverse=True)
    start_id = (Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    contact_id = (Contact.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    day_zero = datetime.combine(ctx.today, time(0, 0), tzinfo=UTC)
    by_country: dict[str, list[int]] = {}
    customers, contacts, tag_links, audits = [], [], [], []
    # (referrer id, referred id, day): the market's referral ledger writes them (market/demo.py)
    referrals: list[tuple[int, int, date]] = []
    ctx.data["referrals"] = referrals
    for index in range(size):
        customer_id = start_id + index
        country = countries[index]
        code = country.code
        territory = country.territory
        style = data.STYLES[country.style]
        city, _ = city_pickers[code]()
        zone, overridden = zones[code, city]
        name, local_name, domain = names.make(style, country, city)
        days_ago = offsets[index] * HISTORY_DAYS
        # Office hours at the exporter (01:00-10:00 UTC).
        created_at = day_zero - timedelta(days=days_ago, hours=-1 - random_() * 9)
        updated_at = created_at + timedelta(days=random_() * days_ago)

        in_pool = random_() < POOL_SHARE
        tier = pick_pool_tier() if in_pool else pick_tier()
        status = pick_pool_status() if in_pool else pick_status[tier]()
        owner = backup = None
        if not in_pool:
            owner, backup = pickers[territory](tier)
        owner_id = owner.pk if owner else None
        backup_id = backup.pk if backup else None
        source = pick_source()
        referred_by_id = None
        if source == "referral":
            earlier = by_country.get(code) or (range(start_id, customer_id) if index else None)
            if earlier:
                referred_by_id = rng.choice(earlier)
            else:
                source = "trade_fair"
        by_country.setdefault(code, []).append(customer_id)
        terms_table = pick_terms.get(territory) or pick_terms["default"]
        payment_terms = data.PAYMENT_TERMS[terms_table[tier]()]
        incoterm = (pick_incoterm.get(territory) or pick_incoterm["default"])()
        if status == "prospect" and random_() < 0.6:
            payment_terms = incoterm = ""
        customer_type = pick_type()
        currency = currency_pickers[code]()

        tags = {pick_product()}
        if random_() < 0.35:
            tags.add(pick_product())
        if source == "trade_fair" or random_() < 0.15:
            tags.add(pick_event())
        if random_() < 0.25:
            tags.add(pick_account())
        if tier == "A" and random_() < 0.6:
            tags.add(data.KEY_ACCOUNT_TAG)
        certification = data.CERTIFICATION_TAGS.get(code) or (
            data.EU_TAG if code in data.EU_COUNTRIES else None
        )
        if certification and random_() < 0.3:
            tags.add(certification)
        tag_names = sorted(tags)
        notes = rng.choice(data.NOTES).format(product=tag_names[0]) if random_() < 0.2 else ""

        # Contacts: the first is the primary one.
        customer_contacts = []
        for position in range(pick_contacts()):
            first = rng.choice(style.first_names)
            last = rng.choice(style.last_names)
            title, role = pick_title[position == 0]()
            language = _contact_language(rng, country)
            person = slug(first.split()[0]) or "contact"
            surname = slug(last) or "office"
            roll = random_()
            if roll < 0.07:
                email = ""
            elif roll < 0.22:
                free = country.free_mail + data.GLOBAL_FREE_MAIL
                if language == "zh":
                    free += data.CHINESE_FREE_MAIL
                email = f"{person}.{surname}{rng.randrange(1, 99)}@{rng.choice(free)}"
            elif roll < 0.32:
                email = f"{data.ROLE_MAILBOXES[role]}@{domain}"
            elif roll < 0.7:
                email = f"{person}.{surname}@{domain}"
            elif roll < 0.85:
                email = f"{person[0]}{surname}@{domain}"
            else:
                email = f"{person}@{domain}"
            mobile = phone_maker.make(code, True) if random_() < 0.85 else ""
            phone = phone_maker.make(code, False) if not mobile or random_() < 0.55 else ""
            whatsapp = mobile if mobile and random_() < country.whatsapp else ""
            wechat = _wechat_id(rng, first, last) if language == "zh" and random_() < 0.8 else ""
            joined = created_at + timedelta(days=position * random_() * days_ago / 2)
            customer_contacts.append(
                (
                    contact_id, customer_id, f"{first} {last}", title, email, phone, mobile,
                    whatsapp, wechat, language, role, position == 0, email.rpartition("@")[2],
                    joined,
                )
            )  # fmt: skip
            contact_id += 1
        contacts.extend(customer_contacts)

        # search_text as customer_refresh_search_text builds it: contacts in their default
        # order (primary first, then by name), then the tags by name.
        parts = [name, local_name, city]
        for contact in sorted(customer_contacts, key=lambda c: (not c[11], c[2], c[0])):
            parts.extend((contact[2], contact[4]))
        parts.extend(tag_names)
        search_text = " ".join(part for part in parts if part).lower()

        customers.append(
            (
                customer_id, name, local_name, code, city, zone, overridden, customer_type,
                territory_ids[territory], tier, status, owner_id, backup_id, source,
                currency, incoterm, payment_terms, notes, cached_name_key(name),
                search_text, created_at, updated_at,
            )
        )  # fmt: skip
        tag_links.extend((customer_id, tag_ids[tag]) for tag in tag_names)
        # The audit log: one "create" entry per customer, shaped as audit_record writes it
        # (each field [None, value]; fields still None are left out).
        after = {
            "name": name,
            "local_name": local_name,
            "country": code,
            "city": city,
            "time_zone": zone,
            "type": customer_type,
            "territory": territory,
            "tier": tier,
            "status": status,
            "owner": person_names.get(owner_id),
            "backup_owner": person_names.get(backup_id),
            "source": source,
            "currency": currency,
            "incoterm": incoterm,
            "payment_terms": payment_terms,
            "tags": tag_names,
            "notes": notes,
        }
        values = audit_defaults | after
        changes = {key: [None, values.get(key)] for key in audited if values.get(key) is not None}
        audits.append(
            (created_at, admin_id, "create", "customer", customer_id, name[:300], customer_id,
             changes)
        )  # fmt: skip
        if referred_by_id is not None:
            referrals.append((referred_by_id, customer_id, created_at.date()))
        ctx.customers.append(
            DemoCustomer(
                id=customer_id,
                country=code,
                territory=territory,
                type=customer_type,
                tier=tier,
                status=status,
                owner_id=owner_id,
                backup_owner_id=backup_id,
                currency=currency,
                created_at=created_at,
                contact_ids=tuple(contact[0] for contact in customer_contacts),
                time_zone=zone,
            )
        )
    ctx.timings.append(("  generate in Python", time_module.perf_counter() - started))

    with Timer(ctx, "  insert customers"):
        bulk_insert(Customer, CUSTOMER_COLUMNS, customers)
    with Timer(ctx, "  insert contacts"):
        bulk_insert(Contact, CONTACT_COLUMNS, contacts)
    with Timer(ctx, "  insert customer tags"):
        bulk_insert(Customer.tags.through, ("customer_id", "tag_id"), tag_links)
    with Timer(ctx, "  insert audit entries"):
        bulk_insert(AuditEntry, AUDIT_COLUMNS, audits)
    reset_sequences(Customer, Contact)
    ctx.counts.update(
        customers=len(customers),
        contacts=len(contacts),
        customer_tags=len(tag_links),
        audit_entries=len(audits),
    )


def reset_customers(ctx: DemoContext) -> None:
    """Delete the book: the audit log (append-only everywhere but here), contacts, customers and
    whatever other apps hang on them."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(AuditEntry._meta.db_table)}")
    delete_all(Contact)
    delete_all(Customer)


register_step("people", build_people, reset=reset_people)
register_step("reference", build_reference, reset=reset_reference)
register_step("customers", build_customers, reset=reset_customers)


# --- running the steps -----------------------------------------------------------------------


# After the steps that load millions of rows, PostgreSQL gets planner statistics inside the
# build's transaction (ANALYZE counts the transaction's own rows): without them the later steps'
# joins were planned for empty tables.
STATISTICS_AFTER = {"engagement", "orders"}


def existing_book() -> str:
    """Why the database is not empty (for the refusal), or ''."""
    count = Customer.objects.count()
    if count:
        return f"The database already has {count:,} customers."
    taken = list(
        User.objects.filter(username__in=_demo_usernames()).values_list("username", flat=True)
    )
    if taken:
        return f"The database already has the demo people ({', '.join(sorted(taken))})."
    return ""


def build_demo(
    *,
    customers: int,
    seed: int,
    today: date,
    reset: bool = False,
    write: Callable[[str], None] = print,
    only: Collection[str] | None = None,
) -> DemoContext:
    """Build the demo book in one transaction; refuse a database that has a book unless
    ``reset``, which deletes it first (every step's reset, in reverse order). ``only`` runs just
    the named steps (a step may need the ones before it: "people,reference,customers" is the
    customer book without the other apps' data)."""
    ctx = DemoContext(
        seed=seed,
        today=today,
        now=datetime.combine(today, time(9, 0), tzinfo=UTC),
        size=customers,
        write=write,
    )
    all_steps = steps()
    if only is not None:
        unknown = sorted(set(only) - {step.name for step in all_steps})
        if unknown:
            raise CommandError(
                f"No demo step called {', '.join(unknown)}; the steps are "
                f"{', '.join(step.name for step in all_steps)}."
            )
    chosen = [step for step in all_steps if only is None or step.name in only]
    with transaction.atomic(), foreign_keys_checked_once(ctx):
        reason = existing_book()
        if reason and not reset:
            raise CommandError(
                f"{reason} `tend demo` builds a book into an empty database; run it with --reset "
                "to delete the customers, contacts, tags, territories, audit log and demo people "
                "and build a new book."
            )
        if reason:
            with Timer(ctx, "reset"):
                for step in reversed(all_steps):
                    if step.reset:
                        step.reset(ctx)
        for step in chosen:
            with Timer(ctx, step.name):
                step.func(ctx)
            if step.name in STATISTICS_AFTER and connection.vendor == "postgresql":
                with Timer(ctx, f"  statistics after {step.name}"), connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        committing = time_module.perf_counter()
    ctx.timings.append(("commit", time_module.perf_counter() - committing))
    with Timer(ctx, "analyze"):
        analyze()
    return ctx


@contextlib.contextmanager
def foreign_keys_checked_once(ctx: DemoContext):
    """On PostgreSQL, drop the schema's foreign keys for the build and add them back at its end.

    Django's keys are deferred: every row written queues a check that runs at COMMIT, one index
    probe per row (12 of 31 minutes for a 100,000-customer book). Adding a key back checks the
    whole table with one join instead. Keys are dropped before anything is written (a table
    with pending checks cannot be altered) and come back in the same transaction, so a failed
    build rolls back with them and a broken reference still refuses the build."""
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE c.contype = 'f' AND n.nspname = current_schema() ORDER BY 1, 2"
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    with Timer(ctx, "check foreign keys"), connection.cursor() as cursor:
        # Other deferred triggers' queued work (the at-risk token's) runs now: a table with
        # pending trigger events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


def analyze() -> None:
    """Give the query planner statistics for the freshly loaded tables. Without them SQLite
    answers a rep's list (owner OR backup OR pool, by name) by sorting all their customers
    instead of walking the name index: 100x slower on a big book."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")  # also sets the visibility map for index-only scans
        elif connection.vendor in ("postgresql", "sqlite"):
            cursor.execute("ANALYZE")
