"""Importing customer files from a spreadsheet, fast and all-or-nothing.

The file is read once and every cell checked in Python against reference sets loaded up front
(countries, currencies, people, territories, the book's names and external ids, two queries for
the whole book), so a dry run lists every bad row. A commit checks again inside one transaction
and, only when nothing is wrong, writes in bulk (``imports.bulk``: COPY on PostgreSQL,
executemany on SQLite): customers, contacts, tag links, ownership events with their timeline
entries, and audit entries, with the same derived columns and audit format as
``customers.services`` (``name_key``, ``search_text``, ``email_domain``, the time zone, the
touch dates, one primary contact per customer).

Rows with the same external id (or, without one, the same company name) are one customer; each
row can carry up to five contacts in "Contact 2 …" columns. A row whose external id is already in
the book updates that customer: filled-in cells that differ are changed and audited old -> new;
blank cells change nothing, and nothing is ever deleted. A new customer's payment terms and
credit limit are not written with it: they are asked for by an approved request, in the
importing person's name (applied at once within policy), as ``customer_create`` does; an
existing customer's are a row error.
"""

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tend.accounts.models import User
from tend.approvals.policy import customer_terms_requirements, needs_approval
from tend.audit.models import AuditAction, AuditEntry
from tend.audit.services import _plain
from tend.core import reference
from tend.core.decimals import MONEY
from tend.customers.matching import name_key
from tend.customers.models import Contact, Customer, CustomerStatus, Tag, Territory
from tend.customers.selectors import users_assignable_by
from tend.customers.validators import normalize_phone, validate_currency

from . import bulk, columns
from .columns import TARGETS, contact_key
from .files import Sheet, open_sheet, with_progress
from .models import ImportStage

BATCH = 2000
LOOKUP_CHUNK = 900  # ids per IN (...) query: under SQLite's 999 parameters
CUSTOMER_AUDIT_FIELDS = Customer.AUDITED_FIELDS
CUSTOMER_SNAPSHOT_FIELDS = tuple(name for name in CUSTOMER_AUDIT_FIELDS if name != "tags")
PHONE_FIELDS = Contact.PHONE_FIELDS
POOL = object()  # the owner cell said "pool"
# A subset of what Django's EmailValidator accepts (dot-atom local part, LDH labels, letter TLD).
SIMPLE_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z"
)


@dataclass(frozen=True)
class RowError:
    row: int | None  # as numbered in the file, the header being row 1; None: the whole file
    column: str  # the column's header text
    message: str


@dataclass
class ImportResult:
    headers: list[str]
    mapping: list[str | None]
    rows: int = 0
    good_rows: int = 0
    customers_created: int = 0
    customers_updated: int = 0
    customers_unchanged: int = 0
    contacts_created: int = 0
    contacts_updated: int = 0
    terms_held_for_approval: int = 0  # new customers whose terms wait for an approver
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def customers(self) -> int:
        return self.customers_created + self.customers_updated + self.customers_unchanged


class _Bad(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _fit_mapping(mapping: Iterable[str | None] | None, headers: list[str]) -> list[str | None]:
    if mapping is None:
        return columns.auto_mapping(headers)
    keys = [key if key in TARGETS else None for key in mapping]
    return (keys + [None] * len(headers))[: len(headers)]


def import_customers(
    *,
    by: User,
    path: Path,
    mapping: Iterable[str | None] | None = None,
    commit: bool = False,
    kind: str | None = None,
    progress: Callable[[int], None] | None = None,
    written: Callable[[], None] | None = None,
    stage: Callable[[str], None] | None = None,
    saving: Callable[[], None] | None = None,
) -> ImportResult:
    """Check the file (and with ``commit`` write it, all or nothing). ``mapping`` gives a target
    key (or None to ignore) per column; by default headers are matched by name.

    ``progress`` hears how many rows have been read; ``stage`` hears when the rows, all read,
    are checked against the book or (``commit``) saved; ``saving`` is called first inside the
    saving transaction (the caller's record, updated there, stays locked until it commits: a
    sign its worker is alive however long the save takes); ``written`` is called inside the
    transaction once the rows are written, so the caller's record commits with them. Raises
    ``files.UnreadableFile`` when the file cannot be read at all."""
    started = time.perf_counter()
    importer = _run(
        by=by,
        path=path,
        mapping=mapping,
        commit=commit,
        kind=kind,
        progress=progress,
        written=written,
        stage=stage or (lambda _stage: None),
        saving=saving,
    )
    importer.result.seconds = time.perf_counter() - started
    return importer.finish()


def _run(*, by, path, mapping, commit, kind, progress, written, stage, saving) -> "_Importer":
    sheet = open_sheet(path, kind)
    try:
        importer = _Importer(by=by, sheet=sheet, mapping=_fit_mapping(mapping, sheet.headers))
        importer.read(with_progress(sheet.rows, progress))
    finally:
        sheet.close()
    if commit and not importer.errors:
        stage(ImportStage.SAVING)  # outside the transaction, so the page sees it
        try:
            with transaction.atomic():
                if saving is not None:
                    saving()
                importer.resolve(lock=True)
                if not importer.errors:
                    importer.write()
                    importer.result.committed = True
                    if written is not None:
                        written()
        except IntegrityError as exc:  # a concurrent edit took an external id first
            importer.result.committed = False
            importer.error(None, "", _("Nothing was imported: %(error)s") % {"error": exc})
    else:
        stage(ImportStage.CHECKING)
        importer.resolve(lock=False)
    return importer


# Reading ----------------------------------------------------------------------------------


class _People:
    """Active people by username, email or full name."""

    AMBIGUOUS = object()

    def __init__(self) -> None:
        self.by_username: dict[str, User] = {}
        self.by_email: dict[str, Any] = {}
        self.by_name: dict[str, Any] = {}
        for user in User.objects.filter(is_active=True):
            self.by_username[user.username.casefold()] = user
            if user.email:
                self._add(self.by_email, user.email.casefold(), user)
            full = " ".join(user.get_full_name().split()).casefold()
            if full:
                self._add(self.by_name, full, user)
                if user.last_name and user.first_name:
                    # Chinese order, family name first: 张伟, Zhang Wei.
                    self._add(self.by_name, f"{user.last_name} {user.first_name}".casefold(), user)
                    self._add(self.by_name, f"{user.last_name}{user.first_name}".casefold(), user)

    def _add(self, index: dict, key: str, user: User) -> None:
        current = index.get(key)
        index[key] = user if current is None or current == user else self.AMBIGUOUS

    def find(self, text: str) -> Any:
        key = " ".join(text.split()).casefold()
        if key in columns.POOL_WORDS or columns.fold_cjk(key) in columns.POOL_WORDS:
            return POOL
        found = self.by_username.get(key) or self.by_email.get(key) or self.by_name.get(key)
        if found is self.AMBIGUOUS:
            raise _Bad(
                _("“%(value)s” matches more than one person; give the username or email.")
                % {"value": text}
            )
        if found is None:
            raise _Bad(
                _("No active person called “%(value)s” (give a username, email or full name).")
                % {"value": text}
            )
        return found


@dataclass
class _ContactIn:
    row: int
    slot: int
    fields: dict[str, Any]
    bad: bool = False


@dataclass
class _Group:
    """One customer: the first row that names it and the rows repeating it."""

    row: int
    values: dict[str, Any]
    origin: dict[str, int]  # field -> the row its value came from
    contacts: list[_ContactIn] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # fields whose cell was bad
    key: str = ""  # the company name's name_key


@dataclass
class _Create:
    values: dict[str, Any]  # every customer field, as Python values
    tags: list[str]
    contacts: list[dict[str, Any]]  # every contact field
    pk: int | None = None
    terms: dict[str, Any] = field(default_factory=dict)  # asked for by request once written


@dataclass
class _Pending:
    """What a row changes in a customer already in the book, before it is loaded in full."""

    pk: int
    changed: dict[str, Any]  # field -> new Python value
    tags: list[str]
    tags_added: list[str]
    existing: list[dict[str, Any]]  # its contacts, as loaded (changed ones updated in place)
    new_contacts: list[dict[str, Any]]
    changed_contacts: list[tuple[dict[str, Any], dict[str, Any], list[str]]]


@dataclass(frozen=True)
class _Ref:
    """A person by id only: the current owner when the file leaves the owner as it is."""

    pk: int


@dataclass
class _Update:
    pk: int
    name: str  # afterwards: the audit entry's label
    values: dict[str, Any]  # attname -> new Python value, derived columns included
    before: dict[str, Any]  # snapshots of the changed audited fields
    after: dict[str, Any]
    tags_before: list[str]
    tags_added: list[str]
    owner_move: tuple[User | None, User | None] | None
    backup_move: tuple[User | None, User | None] | None
    new_contacts: list[dict[str, Any]]
    changed_contacts: list[tuple[dict[str, Any], dict[str, Any], list[str]]]


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _text(max_length: int | None):
    def parse(raw: str) -> str:
        value = " ".join(raw.split())
        if max_length and len(value) > max_length:
            raise _Bad(
                _("Too long: at most %(max)s characters, this has %(length)s.")
                % {"max": max_length, "length": len(value)}
            )
        return value

    return parse


def _multiline(raw: str) -> str:
    return raw.replace("\r\n", "\n").strip()


def _amount(raw: str) -> Decimal:
    """'250,000', '250000.00', 'USD 1 200 000' -> Decimal, to the cent, that fits a money column
    (``tend.core.decimals``)."""
    text = re.sub(r"[\s,'’]|^[^\d.+-]+", "", raw.strip())
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise _Bad(_("“%(value)s” is not an amount.") % {"value": raw})
    if value < MONEY.limit:
        value = value.quantize(Decimal("0.01"))
    problem = MONEY.problem(value)
    if problem is not None:
        raise _Bad(problem)
    return value


def _days(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or not 1 <= int(text) <= 32767:
        raise _Bad(_("“%(value)s” is not a whole number of days.") % {"value": raw})
    return int(text)


class _Importer:
    def __init__(self, *, by: User, sheet: Sheet, mapping: list[str | None]):
        self.by = by
        self.headers = sheet.headers
        self.mapping = mapping
        self.result = ImportResult(headers=list(sheet.headers), mapping=list(mapping))
        self.errors: list[tuple[int, int, RowError]] = []
        self.bad_rows: set[int] = set()
        self.header_of: dict[str, str] = {}
        self.column_of: dict[str, int] = {}
        self.groups: dict[tuple[str, str], _Group] = {}
        self.phones: dict[tuple[str | None, str], Any] = {}
        self.zones: dict[tuple[str, str], str] = {}
        self.now = timezone.now()
        self.creates: list[_Create] = []
        self.held_terms = 0
        self.pending: list[_Pending] = []
        self.updates: list[_Update] = []
        self.people = _People()
        self.territories = {t.name.casefold(): t for t in Territory.objects.all()}
        self._check_mapping()
        self.parsers = [
            (index, TARGETS[key], self._parser(TARGETS[key]))
            for index, key in enumerate(mapping)
            if key is not None and self.column_of.get(key) == index
        ]

    # Errors --------------------------------------------------------------------------------

    def error(self, row: int | None, column: str, message: str, index: int = -1) -> None:
        if row is not None:
            self.bad_rows.add(row)
        self.errors.append((row or 0, index, RowError(row, column, message)))

    def field_error(self, row: int, key: str, message: str) -> None:
        self.error(row, self.header_of.get(key, ""), message, self.column_of.get(key, -1))

    def _check_mapping(self) -> None:
        for index, key in enumerate(self.mapping):
            if key is None:
                continue
            if key in self.column_of:
                self.error(
                    None,
                    self.headers[index],
                    _("Two columns are mapped to “%(field)s”; map one of them only.")
                    % {"field": TARGETS[key].label},
                    index,
                )
                continue
            self.column_of[key] = index
            self.header_of[key] = self.headers[index]
        if "name" not in self.column_of and "external_id" not in self.column_of:
            self.error(None, "", _("No column is mapped to the company name."))

    # Parsing cells -----------------------------------------------------------------------

    def _parser(self, target: columns.Target):
        name = target.field
        if target.slot:
            if name == "email":
                return self._email
            if name in PHONE_FIELDS:
                return _multiline  # checked once the customer's country is known
            if name in ("language", "role"):
                return self._choice(name)
            return _text(_max_length(Contact, name))
        if name == "country":
            return self._country
        if name in ("type", "tier", "status", "source", "incoterm"):
            return self._choice(name)
        if name in ("owner", "backup_owner"):
            return self.people.find
        if name == "territory":
            return self._territory
        if name == "currency":
            return self._currency
        if name == "tags":
            return self._tags
        if name == "notes":
            return _multiline
        if name == "cadence_days":
            return _days
        if name == "credit_limit":
            return _amount
        return _text(_max_length(Customer, name))

    @staticmethod
    def _email(raw: str) -> str:
        value = raw.strip().lower()
        if SIMPLE_EMAIL.match(value) is None:  # the common shape passes Django's check; others:
            try:
                validate_email(value)
            except ValidationError:
                raise _Bad(
                    _("“%(value)s” is not a valid email address.") % {"value": raw}
                ) from None
        if len(value) > EMAIL_MAX:
            raise _Bad(_("This email address is too long."))
        return value

    @staticmethod
    def _country(raw: str) -> str:
        code = columns.country_code(raw)
        if code is None:
            raise _Bad(
                _(
                    "Unknown country “%(value)s”: write an ISO code (AE) or a name "
                    "(United Arab Emirates)."
                )
                % {"value": raw}
            )
        return code

    @staticmethod
    def _currency(raw: str) -> str:
        code = columns.currency_code(raw)
        if code is None:
            try:
                validate_currency(raw.upper())
            except ValidationError as exc:
                raise _Bad(exc.messages[0]) from None
        return code

    def _territory(self, raw: str) -> Territory:
        territory = self.territories.get(" ".join(raw.split()).casefold())
        if territory is None:
            raise _Bad(_("Unknown territory “%(value)s”.") % {"value": raw})
        return territory

    @staticmethod
    def _tags(raw: str) -> list[str]:
        names = sorted(
            {" ".join(part.split()) for part in columns.TAG_SEPARATORS.split(raw) if part.strip()}
        )
        limit = _max_length(Tag, "name")
        for name in names:
            if len(name) > limit:
                raise _Bad(
                    _("The tag “%(tag)s” is longer than %(max)s characters.")
                    % {"tag": name, "max": limit}
                )
        return names

    @staticmethod
    def _choice(field_name: str):
        model = Contact if field_name in ("language", "role") else Customer
        label = model._meta.get_field(field_name).verbose_name

        def parse(raw: str) -> str:
            value = columns.choice_value(field_name, raw)
            if value is None:
                raise _Bad(
                    _("Unknown %(field)s “%(value)s”: use one of %(choices)s.")
                    % {
                        "field": label,
                        "value": raw,
                        "choices": ", ".join(columns.choice_values(field_name)),
                    }
                )
            return value

        return parse

    # Pass 1: rows into customers --------------------------------------------------------

    def read(self, rows: Iterator[tuple[int, list[str]]]) -> None:
        parsers = self.parsers
        groups = self.groups
        has_external = "external_id" in self.column_of
        for number, cells in rows:
            self.result.rows += 1
            width = len(cells)
            values: dict[str, Any] = {}
            contacts: dict[int, dict[str, Any]] = {}
            failed: set[str] = set()
            for index, target, parse in parsers:
                raw = cells[index] if index < width else ""
                if not raw:
                    continue
                try:
                    value = parse(raw)
                except _Bad as exc:
                    self.error(number, self.headers[index], exc.message, index)
                    failed.add(target.key)
                    continue
                if target.slot:
                    contacts.setdefault(target.slot, {})[target.field] = value
                else:
                    values[target.field] = value
            external = values.get("external_id", "") if has_external else ""
            name = values.get("name", "")
            company_key = ""
            if external:
                key = ("x", external)
            elif name:
                company_key = name_key(name)
                key = ("n", company_key or name.casefold())
            else:
                if "name" not in failed and "external_id" not in failed:
                    self.field_error(number, "name", _("The company name is missing."))
                continue
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(
                    number, values, dict.fromkeys(values, number), failed=failed, key=company_key
                )
            else:
                self._merge(group, number, values, by_name=not external)
            for slot in sorted(contacts):
                group.contacts.append(_ContactIn(number, slot, contacts[slot]))

    def _merge(self, group: _Group, number: int, values: dict[str, Any], by_name: bool) -> None:
        """A repeated row of the same customer: it may fill blanks, not contradict."""
        for name, value in values.items():
            current = group.values.get(name)
            if current is None:
                group.values[name] = value
                group.origin[name] = number
            elif name == "tags":
                group.values[name] = sorted({*current, *value})
            elif current != value and not (name == "name" and name_key(current) == name_key(value)):
                shown = {"row": group.origin[name], "value": _shown(current), "here": _shown(value)}
                if by_name:
                    shown["column"] = self.header_of.get(name, name)
                    self.field_error(
                        number,
                        "name",
                        _(
                            "Same company name as row %(row)s but different details (%(column)s: "
                            "“%(value)s” there, “%(here)s” here): give each company its own name, "
                            "or make the rows agree."
                        )
                        % shown,
                    )
                    return
                self.field_error(
                    number,
                    name,
                    _(
                        "Row %(row)s gives “%(value)s” for the same external id: repeated rows of "
                        "one customer must agree."
                    )
                    % shown,
                )

    # Pass 2: against the book ------------------------------------------------------------

    def resolve(self, *, lock: bool) -> None:
        """Match the customers to the book, check what the user may do, plan the writes.
        ``lock``: this is the commit; the customers to change are locked and loaded in full."""
        by = self.by
        groups = list(self.groups.values())
        self.creates, self.updates, self.pending = [], [], []
        self.held_terms = 0
        if not groups:
            return
        keys = dict(Customer.objects.values_list("name_key", "pk"))
        externals = dict(Customer.objects.exclude(external_id="").values_list("external_id", "pk"))
        wanted = {
            externals[group.values["external_id"]]
            for group in groups
            if group.values.get("external_id") in externals
        }
        visible = self._visible(wanted)
        targets = self.targets = self._load_targets(wanted & visible, lock=lock)
        contacts_of, tags_of = self._load_related(list(targets))
        assignable = set(users_assignable_by(user=by).values_list("pk", flat=True))
        seen: dict[str, _Group] = {}
        clashes: dict[int, list[tuple[_Group, str]]] = {}
        for group in sorted(groups, key=lambda g: g.row):
            values = group.values
            external = values.get("external_id", "")
            pk = externals.get(external) if external else None
            target = targets.get(pk) if pk else None
            if pk and target is None:
                self.field_error(
                    group.row,
                    "external_id",
                    _(
                        "Not yours: the customer with external id “%(value)s” is not one you may "
                        "change."
                    )
                    % {"value": external},
                )
                self._check_contacts(group, values.get("country"))
                continue
            name = values.get("name") or (target.name if target else "")
            key = group.key = group.key or (name_key(name) if name else "")
            if key:
                first = seen.setdefault(key, group)
                if first is not group:
                    self.field_error(
                        group.origin.get("name", group.row),
                        "name",
                        _(
                            "Same company name as row %(row)s: give each company its own name, or "
                            "the same external id."
                        )
                        % {"row": first.origin.get("name", first.row)},
                    )
                elif target is None or key != target.name_key:
                    other = keys.get(key)
                    if other is not None and (target is None or other != target.pk):
                        clashes.setdefault(other, []).append((group, name))
            if target is None:
                self._plan_create(group, assignable)
            else:
                self._plan_update(
                    group,
                    target,
                    assignable,
                    contacts_of.get(target.pk, []),
                    tags_of.get(target.pk, []),
                )
        if clashes:
            self._report_clashes(clashes)
        if lock and self.pending and not self.errors:  # a commit
            self._apply_updates()

    def _visible(self, wanted: set[int]) -> set[int]:
        if not wanted:
            return set()
        if self.by.is_admin and self.by.is_active:
            return wanted
        visible = Customer.objects.visible_to(self.by).exclude(external_id="")
        return set(visible.values_list("pk", flat=True)) & wanted

    @staticmethod
    def _chunks(ids: list[int]) -> Iterator[list[int]]:
        for start in range(0, len(ids), LOOKUP_CHUNK):
            yield ids[start : start + LOOKUP_CHUNK]

    def _load_targets(self, pks: set[int], *, lock: bool) -> dict[int, SimpleNamespace]:
        """The customers the file names by external id, as light rows (the fields a file can
        change, no model instances): most of a re-imported file is usually unchanged."""
        targets: dict[int, SimpleNamespace] = {}
        queryset = Customer.objects.all()
        if lock:
            queryset = queryset.select_for_update()
        for chunk in self._chunks(sorted(pks)):
            rows = queryset.filter(pk__in=chunk).order_by().values_list(*LIGHT_FIELDS)
            for row in rows:
                targets[row[0]] = SimpleNamespace(**dict(zip(LIGHT_FIELDS, row, strict=True)))
        return targets

    def _load_related(self, pks: list[int]):
        """The customers' contacts (as dicts of field values, with "pk") and tag names."""
        contacts_of: dict[int, list[dict[str, Any]]] = {}
        tags_of: dict[int, list[str]] = {}
        through = Customer.tags.through
        names = ("pk", "customer_id", *CONTACT_VALUES)
        for chunk in self._chunks(sorted(pks)):
            rows = Contact.objects.filter(customer_id__in=chunk).order_by("id").values_list(*names)
            for row in rows:
                contacts_of.setdefault(row[1], []).append(dict(zip(names, row, strict=True)))
            links = through.objects.filter(customer_id__in=chunk).values_list(
                "customer_id", "tag__name"
            )
            for customer_id, tag in links:
                tags_of.setdefault(customer_id, []).append(tag)
        return contacts_of, tags_of

    def _report_clashes(self, clashes: dict[int, list[tuple[_Group, str]]]) -> None:
        names: dict[int, str] = {}
        for chunk in self._chunks(sorted(clashes)):
            names.update(Customer.objects.filter(pk__in=chunk).values_list("pk", "name"))
        for pk, found in clashes.items():
            for group, _name in found:
                self.field_error(
                    group.origin.get("name", group.row),
                    "name",
                    _("Already in the book as “%(name)s”.") % {"name": names.get(pk, pk)},
                )

    # Ownership, mirroring customers.services._check_assignment ---------------------------

    def _owner_checks(
        self, group, owner, backup, *, owner_changed, backup_changed, existing, assignable
    ) -> bool:
        by, row, ok = self.by, group.origin.get("owner", group.row), True
        if owner_changed:
            message = None
            if by.is_rep and existing:
                message = _("Only a manager can move a customer to another owner.")
            elif by.is_rep and owner is not None and owner.pk != by.pk:
                message = _("A rep can only create customers for themselves or the pool.")
            elif owner is not None and owner.pk not in assignable:
                message = _("You cannot assign customers to %(name)s.") % {"name": owner}
            if message:
                self.field_error(row, "owner", message)
                ok = False
        if backup_changed and backup is not None and backup.pk not in assignable:
            self.field_error(
                group.origin.get("backup_owner", group.row),
                "backup_owner",
                _("You cannot name %(name)s as backup owner.") % {"name": backup},
            )
            ok = False
        if owner is not None and backup is not None and owner.pk == backup.pk:
            self.field_error(
                group.origin.get("backup_owner", group.row),
                "backup_owner",
                _("The backup owner must be someone other than the owner."),
            )
            ok = False
        return ok

    # Contacts ----------------------------------------------------------------------------

    def _phone(self, region: str | None, raw: str) -> str:
        key = (region, raw)
        found = self.phones.get(key)
        if found is None:
            try:
                found = normalize_phone(raw, region)
            except ValidationError as exc:
                found = _Bad(exc.messages[0])
            self.phones[key] = found
        if isinstance(found, _Bad):
            raise found
        return found

    def _check_contacts(self, group: _Group, region: str | None) -> tuple[list[_ContactIn], bool]:
        """Phones in E.164 for the customer's country; a name for each contact. The contacts,
        repeated ones (same email, else same name) merged, and whether all were good."""
        merged: list[_ContactIn] = []
        by_email: dict[str, _ContactIn] = {}
        by_name: dict[str, _ContactIn] = {}
        for contact in group.contacts:
            fields = contact.fields
            for name in PHONE_FIELDS:
                raw = fields.get(name)
                if raw:
                    try:
                        fields[name] = self._phone(region, raw)
                    except _Bad as exc:
                        self.field_error(contact.row, contact_key(contact.slot, name), exc.message)
                        contact.bad = True
            if not fields.get("name"):
                fallback = next(
                    (
                        fields[n]
                        for n in ("email", "mobile", "phone", "whatsapp", "wechat")
                        if fields.get(n)
                    ),
                    "",
                )
                if not fallback:
                    if not contact.bad:
                        self.field_error(
                            contact.row,
                            contact_key(contact.slot, "name"),
                            _("The contact's name is missing."),
                        )
                    contact.bad = True
                    continue
                fields["name"] = fallback[:CONTACT_NAME_MAX]
            if contact.bad:
                continue
            email = fields.get("email", "")
            folded = fields["name"].casefold()
            same = by_email.get(email) if email else None
            if same is None:
                same = by_name.get(folded)
                if same is not None and email and same.fields.get("email"):
                    same = None
            if same is None:
                merged.append(contact)
                same = contact
            else:
                for name, value in fields.items():
                    same.fields.setdefault(name, value)
            if same.fields.get("email"):
                by_email[same.fields["email"]] = same
            by_name.setdefault(folded, same)
        return merged, not any(contact.bad for contact in group.contacts)

    @staticmethod
    def _new_contact(fields: dict[str, Any], *, primary: bool) -> dict[str, Any]:
        contact = {**CONTACT_DEFAULTS, **fields, "is_primary": primary}
        contact["email_domain"] = contact["email"].rpartition("@")[2]
        return contact

    # Planning ------------------------------------------------------------------------------

    def _plan_create(self, group: _Group, assignable: set[int]) -> None:
        values, by = group.values, self.by
        ok = True
        if not values.get("name"):
            if "name" not in group.failed:
                self.field_error(group.row, "name", _("The company name is missing."))
            ok = False
        country = values.get("country")
        if not country:
            if "country" not in group.failed:
                self.field_error(group.row, "country", _("The country is missing."))
            ok = False
        owner = values.get("owner")
        if owner is None:
            owner = by if by.is_rep else None
        elif owner is POOL:
            owner = None
        backup = values.get("backup_owner")
        backup = None if backup is POOL else backup
        ok &= self._owner_checks(
            group,
            owner,
            backup,
            owner_changed=owner is not None,
            backup_changed=backup is not None,
            existing=False,
            assignable=assignable,
        )
        ok &= self._lost_rule(group, before=None, after=values.get("status"))
        contacts, contacts_ok = self._check_contacts(group, country)
        if not ok or not contacts_ok or group.failed:
            return
        city = values.get("city", "")
        zone = self.zones.get((country, city))
        if zone is None:
            zone = self.zones[(country, city)] = reference.timezone_for(country, city)
        customer = {
            **CUSTOMER_DEFAULTS,
            **values,
            "country": country,
            "time_zone": zone,
            "owner": owner,
            "backup_owner": backup,
        }
        customer.pop("tags", None)
        terms = self._hold_terms(customer)
        new = [self._new_contact(c.fields, primary=index == 0) for index, c in enumerate(contacts)]
        tags = values.get("tags", [])
        customer["name_key"] = group.key
        customer["search_text"] = _search_text(
            customer["name"],
            customer["local_name"],
            city,
            [(c["is_primary"], c["name"], 0, c["email"]) for c in new],
            tags,
        )
        self.creates.append(_Create(customer, tags, new, terms=terms))

    def _lost_rule(self, group: _Group, *, before: str | None, after: str | None) -> bool:
        """The customer file's rule for "lost" (``customers.services._lost_reason_of``): a
        customer becomes lost only with its reason, which a sheet does not carry, and leaves it
        only by an order. False (with the row's error) when the row breaks it."""
        lost = CustomerStatus.LOST
        if after == lost and before != lost:
            message = _(
                "A customer is marked lost with its reason, one by one (“Mark lost”): an import "
                "cannot set the status Lost."
            )
        elif before == lost and after != lost:
            message = _(
                "A lost customer comes back with an order (it is then won back); its status "
                "does not change by import."
            )
        else:
            return True
        self.field_error(group.origin.get("status", group.row), "status", message)
        return False

    def _hold_terms(self, customer: dict[str, Any]) -> dict[str, Any]:
        """A new customer's payment terms and credit limit are set only by an approved request
        (as ``customer_create`` does): written without them, asked for once written."""
        terms = {
            name: customer[name]
            for name in Customer.GUARDED_FIELDS
            if customer.get(name) not in ("", None)
        }
        for name in terms:
            customer[name] = Customer._meta.get_field(name).get_default()
        if terms and needs_approval(customer_terms_requirements(terms)):
            self.held_terms += 1
        return terms

    def _plan_update(
        self, group, target, assignable, existing: list[dict[str, Any]], tags: list[str]
    ) -> None:
        """Compare a repeated customer with its light row from the book; what differs is
        applied in ``_apply_updates`` (on the full record, loaded only for those)."""
        values = group.values
        changed: dict[str, Any] = {}
        for name, value in values.items():
            if name in ("owner", "backup_owner", "tags"):
                continue
            if name == "territory":
                if target.territory_id != value.pk:
                    changed[name] = value
            elif getattr(target, name) != value:
                changed[name] = value
        guarded_ok = True
        for name in sorted(set(changed) & set(Customer.GUARDED_FIELDS)):
            self.field_error(
                group.origin.get(name, group.row),
                name,
                _("An existing customer's %(field)s change only by an approved request.")
                % {"field": Customer._meta.get_field(name).verbose_name},
            )
            guarded_ok = False
        if "status" in changed:
            guarded_ok &= self._lost_rule(group, before=target.status, after=changed["status"])
        owner = _Ref(target.owner_id) if target.owner_id else None
        if "owner" in values:
            owner = None if values["owner"] is POOL else values["owner"]
        backup = _Ref(target.backup_owner_id) if target.backup_owner_id else None
        if "backup_owner" in values:
            backup = None if values["backup_owner"] is POOL else values["backup_owner"]
        owner_changed = _pk(owner) != target.owner_id
        backup_changed = _pk(backup) != target.backup_owner_id
        ok = self._owner_checks(
            group,
            owner,
            backup,
            owner_changed=owner_changed,
            backup_changed=backup_changed,
            existing=True,
            assignable=assignable,
        )
        if owner_changed:
            changed["owner"] = owner
        if backup_changed:
            changed["backup_owner"] = backup
        country = changed.get("country", target.country)
        contacts, contacts_ok = self._check_contacts(group, country)
        if not ok or not contacts_ok or not guarded_ok or group.failed:
            return
        if ("country" in changed or "city" in changed) and not target.time_zone_overridden:
            zone = reference.timezone_for(country, changed.get("city", target.city))
            if zone != target.time_zone:
                changed["time_zone"] = zone
        tags_added = sorted(set(values.get("tags", ())) - set(tags))
        # Contacts: matched by email, else by name (when one of the two has no email).
        by_email = {c["email"]: c for c in existing if c["email"]}
        by_name: dict[str, dict[str, Any]] = {}
        for contact in existing:
            by_name.setdefault(contact["name"].casefold(), contact)
        new_contacts: list[dict[str, Any]] = []
        changed_contacts: list[tuple[dict[str, Any], dict[str, Any], list[str]]] = []
        touched: set[int] = set()
        for incoming in contacts:
            fields = incoming.fields
            email = fields.get("email", "")
            match = by_email.get(email) if email else None
            if match is None:
                match = by_name.get(fields["name"].casefold())
                if match is not None and email and match["email"]:
                    match = None
            if match is None:
                primary = not existing and not new_contacts
                new_contacts.append(self._new_contact(fields, primary=primary))
                continue
            names = [name for name, value in fields.items() if value and match[name] != value]
            if names and match["pk"] not in touched:
                touched.add(match["pk"])
                before = _snapshot(match, Contact.AUDITED_FIELDS)
                match.update((name, fields[name]) for name in names)
                if "email" in names:
                    match["email_domain"] = match["email"].rpartition("@")[2]
                    names.append("email_domain")
                changed_contacts.append((match, before, names))
        if not changed and not tags_added and not new_contacts and not changed_contacts:
            self.result.customers_unchanged += 1
            return
        self.pending.append(
            _Pending(
                target.pk,
                changed,
                sorted(tags),
                tags_added,
                existing,
                new_contacts,
                changed_contacts,
            )
        )

    def _apply_updates(self) -> None:
        """What the changing customers become, worked out as ``customer_update`` does it (the
        name key, the touch dates by the model's own rule, the search text) from light rows:
        attribute values to write and audit snapshots (``snapshot`` format) before and after."""
        pending = {plan.pk: plan for plan in self.pending}
        users = {user.pk: user for user in User.objects.all()}
        territories = {t.pk: t for t in self.territories.values()}
        extras: dict[int, tuple] = {}
        for chunk in self._chunks(sorted(pending)):
            rows = Customer.objects.filter(pk__in=chunk).order_by().values_list(*EXTRA_FIELDS)
            extras.update((row[0], row[1:]) for row in rows)
        probe = Customer()  # the model's rule for touch dates, run on each customer's values
        for pk in sorted(pending):
            plan, light = pending[pk], self.targets[pk]
            created_at, last_outbound_at, owned_since, touch_due_at, pool_return_at, text = extras[
                pk
            ]
            changed = plan.changed
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            values: dict[str, Any] = {}
            for name in CUSTOMER_SNAPSHOT_FIELDS:
                if name not in changed:
                    continue
                new = changed[name]
                attname = ATTNAMES.get(name, name)
                current = getattr(light, attname)
                if name in ("owner", "backup_owner"):
                    current = users.get(current)
                elif name == "territory":
                    current = territories.get(current)
                before[name] = _plain(current)
                after[name] = _plain(new)
                values[attname] = _pk(new) if name in ATTNAMES else new

            def final(name: str, light=light, changed=changed):
                return changed[name] if name in changed else getattr(light, name)

            owner_id = _pk(changed["owner"]) if "owner" in changed else light.owner_id
            probe.tier, probe.cadence_days = final("tier"), final("cadence_days")
            probe.created_at, probe.last_outbound_at = created_at, last_outbound_at
            probe.owner_id = owner_id
            probe.owned_since = (
                (self.now if owner_id else None) if "owner" in changed else owned_since
            )
            probe.refresh_touch_dates()
            for attname, old in (
                ("owned_since", owned_since),
                ("touch_due_at", touch_due_at),
                ("pool_return_at", pool_return_at),
            ):
                if getattr(probe, attname) != old:
                    values[attname] = getattr(probe, attname)
            if "name" in changed:
                values["name_key"] = name_key(changed["name"])
            everyone = [(c["is_primary"], c["name"], c["pk"], c["email"]) for c in plan.existing]
            everyone += [
                (c["is_primary"], c["name"], UNSAVED, c["email"]) for c in plan.new_contacts
            ]
            search_text = _search_text(
                final("name"),
                final("local_name"),
                final("city"),
                everyone,
                sorted({*plan.tags, *plan.tags_added}),
            )
            if search_text != text:
                values["search_text"] = search_text
            self.updates.append(
                _Update(
                    pk=pk,
                    name=final("name"),
                    values=values,
                    before=before,
                    after=after,
                    tags_before=plan.tags,
                    tags_added=plan.tags_added,
                    owner_move=(users.get(light.owner_id), changed["owner"])
                    if "owner" in changed
                    else None,
                    backup_move=(users.get(light.backup_owner_id), changed["backup_owner"])
                    if "backup_owner" in changed
                    else None,
                    new_contacts=plan.new_contacts,
                    changed_contacts=plan.changed_contacts,
                )
            )

    # Writing -----------------------------------------------------------------------------

    def write(self) -> None:
        """Everything planned, in bulk: ids are drawn first so that contacts, tag links, audit
        entries and ownership records can point at their customer."""
        now = self.now
        db_now = bulk.db_datetime(Customer, now)
        tag_ids = self._tags_by_name(
            {name for plan in self.creates for name in plan.tags}
            | {name for plan in self.updates for name in plan.tags_added}
        )
        touch_dates = _TouchDates(now)
        rows = []
        for plan in self.creates:
            v = plan.values
            rows.append(
                (
                    v["name"],
                    v["external_id"],
                    v["local_name"],
                    v["country"],
                    v["city"],
                    v["time_zone"],
                    False,
                    v["type"],
                    _pk(v["territory"]),
                    v["tier"],
                    v["status"],
                    _pk(v["owner"]),
                    _pk(v["backup_owner"]),
                    v["source"],
                    v["currency"],
                    v["incoterm"],
                    v["payment_terms"],
                    v["credit_limit"],
                    v["notes"],
                    v["cadence_days"],
                    *touch_dates(v["tier"], v["cadence_days"], v["owner"] is not None),
                    v["name_key"],
                    v["search_text"],
                    db_now,
                    db_now,
                )
            )
        ids = bulk.insert(Customer, CUSTOMER_COLUMNS, rows, now=now)
        for plan, pk in zip(self.creates, ids, strict=True):
            plan.pk = pk
        contacts = [(plan.pk, c) for plan in self.creates for c in plan.contacts] + [
            (plan.pk, c) for plan in self.updates for c in plan.new_contacts
        ]
        contact_ids = bulk.insert(
            Contact,
            CONTACT_COLUMNS,
            [(customer_id, *(c[n] for n in CONTACT_VALUES), db_now) for customer_id, c in contacts],
            now=now,
        )
        for (_customer_id, contact), pk in zip(contacts, contact_ids, strict=True):
            contact["pk"] = pk
        links = [(plan.pk, tag_ids[name]) for plan in self.creates for name in plan.tags] + [
            (plan.pk, tag_ids[name]) for plan in self.updates for name in plan.tags_added
        ]
        bulk.insert(Customer.tags.through, ("customer_id", "tag_id"), links, now=now)
        self._write_updates(now)
        self._write_audit(now, db_now)
        self._write_ownership(now, db_now)
        self._request_terms()
        result = self.result
        result.customers_created = len(self.creates)
        result.customers_updated = len(self.updates)
        result.contacts_created = len(contacts)
        result.contacts_updated = sum(len(plan.changed_contacts) for plan in self.updates)

    def _request_terms(self) -> None:
        from tend.approvals.models import RequestKind
        from tend.approvals.services import request_create

        planned = {plan.pk: plan.terms for plan in self.creates if plan.terms}
        for customer in Customer.objects.filter(pk__in=list(planned)).order_by("pk"):
            request_create(
                by=self.by,
                kind=RequestKind.CREDIT_TERMS,
                customer=customer,
                reason=_("Terms given when the customer file was created."),
                proposed={
                    name: None if value is None else str(value)
                    for name, value in planned[customer.pk].items()
                },
            )

    @staticmethod
    def _tags_by_name(names: set[str]) -> dict[str, int]:
        if not names:
            return {}
        ordered = sorted(names)
        Tag.objects.bulk_create(
            [Tag(name=n) for n in ordered], ignore_conflicts=True, batch_size=BATCH
        )
        found: dict[str, int] = {}
        for start in range(0, len(ordered), LOOKUP_CHUNK):
            chunk = ordered[start : start + LOOKUP_CHUNK]
            found.update(Tag.objects.filter(name__in=chunk).values_list("name", "pk"))
        return found

    def _write_updates(self, now) -> None:
        by_fields: dict[tuple[str, ...], list[tuple]] = {}
        for plan in self.updates:
            if plan.values:
                names = tuple(sorted(plan.values))
                row = (*(plan.values[name] for name in names), now, plan.pk)
                by_fields.setdefault(names, []).append(row)
        for names, rows in by_fields.items():
            bulk.update(Customer, [*names, "updated_at"], rows)
        contacts_by_fields: dict[tuple[str, ...], list[tuple]] = {}
        for plan in self.updates:
            for contact, _before, names in plan.changed_contacts:
                key = tuple(sorted(names))
                row = (*(contact[name] for name in key), contact["pk"])
                contacts_by_fields.setdefault(key, []).append(row)
        for names, rows in contacts_by_fields.items():
            bulk.update(Contact, names, rows)

    def _write_audit(self, now, db_now) -> None:
        """One entry per created customer and contact, one per changed one, in the format
        ``audit.services.audit_record`` writes (``snapshot`` values, old -> new)."""
        actor = self.by.pk
        rows: list[tuple] = []
        add = rows.append
        customer_entity = Customer._meta.model_name
        contact_entity = Contact._meta.model_name
        for plan in self.creates:
            values = plan.values
            after = _snapshot(values, CUSTOMER_AUDIT_FIELDS, tags=plan.tags)
            add(
                (
                    db_now,
                    actor,
                    AuditAction.CREATE,
                    customer_entity,
                    plan.pk,
                    values["name"][:300],
                    plan.pk,
                    json.dumps(audit_changes({}, after)),
                )
            )
            for contact in plan.contacts:
                after = _snapshot(contact, Contact.AUDITED_FIELDS)
                add(
                    (
                        db_now,
                        actor,
                        AuditAction.CREATE,
                        contact_entity,
                        contact["pk"],
                        contact["name"][:300],
                        plan.pk,
                        json.dumps(audit_changes({}, after)),
                    )
                )
        for plan in self.updates:
            before, after = dict(plan.before), dict(plan.after)
            if plan.tags_added:
                before["tags"] = _plain(plan.tags_before)
                after["tags"] = _plain([*plan.tags_before, *plan.tags_added])
            changes = audit_changes(before, after)
            if changes:
                add(
                    (
                        db_now,
                        actor,
                        AuditAction.UPDATE,
                        customer_entity,
                        plan.pk,
                        plan.name[:300],
                        plan.pk,
                        json.dumps(changes),
                    )
                )
            for contact, contact_before, _names in plan.changed_contacts:
                changes = audit_changes(contact_before, _snapshot(contact, Contact.AUDITED_FIELDS))
                if changes:
                    add(
                        (
                            db_now,
                            actor,
                            AuditAction.UPDATE,
                            contact_entity,
                            contact["pk"],
                            contact["name"][:300],
                            plan.pk,
                            json.dumps(changes),
                        )
                    )
            for contact in plan.new_contacts:
                after = _snapshot(contact, Contact.AUDITED_FIELDS)
                add(
                    (
                        db_now,
                        actor,
                        AuditAction.CREATE,
                        contact_entity,
                        contact["pk"],
                        contact["name"][:300],
                        plan.pk,
                        json.dumps(audit_changes({}, after)),
                    )
                )
        bulk.insert(AuditEntry, AUDIT_COLUMNS, rows, now=now)

    def _write_ownership(self, now, db_now) -> None:
        """The ownership record every owner or backup change leaves, with its timeline entry,
        as ``customers.services.ownership.ownership_record`` writes them."""
        from tend.customers.models import OwnershipEvent, OwnershipMove
        from tend.customers.services.ownership import ownership_title
        from tend.timeline.kinds import OWNERSHIP
        from tend.timeline.models import TITLE_KEY, TimelineEntry

        by = self.by
        events: list[tuple[int, str, User | None, User | None, str]] = []
        for plan in self.creates:
            for role, name in (("owner", "owner"), ("backup", "backup_owner")):
                person = plan.values[name]
                if person is not None:
                    events.append((plan.pk, role, None, person, OwnershipMove.IMPORT))
        for plan in self.updates:
            if plan.owner_move:
                events.append((plan.pk, "owner", *plan.owner_move, OwnershipMove.EDIT))
            if plan.backup_move:
                events.append((plan.pk, "backup", *plan.backup_move, OwnershipMove.EDIT))
        if not events:
            return
        event_ids = bulk.insert(
            OwnershipEvent,
            ("customer_id", "at", "role", "from_user_id", "to_user_id", "by_id", "move", "reason"),
            [
                (customer_id, db_now, role, _pk(old), _pk(new), by.pk, str(move), "")
                for customer_id, role, old, new, move in events
            ],
            now=now,
        )
        titles: dict[tuple, tuple[str, dict]] = {}
        source_type = OwnershipEvent._meta.label_lower
        entries = []
        for (customer_id, role, old, new, move), event_id in zip(events, event_ids, strict=True):
            key = (move, role, _pk(old), _pk(new))
            if key not in titles:
                text = ownership_title(move, role, old, new, "")
                titles[key] = (str(text)[:300], text.to_data())
            title, title_data = titles[key]
            data = {
                "role": role,
                "move": str(move),
                "from": _pk(old),
                "to": _pk(new),
                TITLE_KEY: title_data,
            }
            entries.append(
                (
                    customer_id,
                    db_now,
                    OWNERSHIP.key,
                    by.pk,
                    title,
                    "",
                    json.dumps(data),
                    source_type,
                    event_id,
                )
            )
        bulk.insert(
            TimelineEntry,
            (
                "customer_id",
                "at",
                "kind",
                "actor_id",
                "title",
                "body",
                "data",
                "source_type",
                "source_id",
            ),
            entries,
            now=now,
        )

    # Result ------------------------------------------------------------------------------

    def finish(self) -> ImportResult:
        result = self.result
        self.errors.sort(key=lambda item: (item[0], item[1]))
        result.errors = [error for _row, _index, error in self.errors]
        result.good_rows = result.rows - len(self.bad_rows)
        result.terms_held_for_approval = self.held_terms
        if not result.committed:
            result.customers_created = len(self.creates)
            result.customers_updated = len(self.pending)
            result.contacts_created = sum(len(p.contacts) for p in self.creates) + sum(
                len(p.new_contacts) for p in self.pending
            )
            result.contacts_updated = sum(len(p.changed_contacts) for p in self.pending)
        return result


UNSAVED = float("inf")
CUSTOMER_COLUMNS = (
    "name",
    "external_id",
    "local_name",
    "country",
    "city",
    "time_zone",
    "time_zone_overridden",
    "type",
    "territory_id",
    "tier",
    "status",
    "owner_id",
    "backup_owner_id",
    "source",
    "currency",
    "incoterm",
    "payment_terms",
    "credit_limit",
    "notes",
    "cadence_days",
    "owned_since",
    "touch_due_at",
    "pool_return_at",
    "name_key",
    "search_text",
    "created_at",
    "updated_at",
)
CONTACT_VALUES = (
    "name",
    "title",
    "email",
    "phone",
    "mobile",
    "whatsapp",
    "wechat",
    "language",
    "role",
    "is_primary",
    "email_domain",
)
CONTACT_COLUMNS = ("customer_id", *CONTACT_VALUES, "created_at")
AUDIT_COLUMNS = (
    "at",
    "actor_id",
    "action",
    "entity",
    "entity_id",
    "entity_label",
    "customer_id",
    "changes",
)
ATTNAMES = {"owner": "owner_id", "backup_owner": "backup_owner_id", "territory": "territory_id"}
# Every audited field a file leaves out starts at the model's default (None for relations).
CUSTOMER_DEFAULTS = {
    name: None
    if Customer._meta.get_field(name).is_relation
    else Customer._meta.get_field(name).get_default()
    for name in CUSTOMER_SNAPSHOT_FIELDS
}
CONTACT_DEFAULTS = {
    name: Contact._meta.get_field(name).get_default()
    for name in ("title", "email", "phone", "mobile", "whatsapp", "wechat", "language", "role")
}
CONTACT_NAME_MAX = Contact._meta.get_field("name").max_length
EXTRA_FIELDS = (
    "pk",
    "created_at",
    "last_outbound_at",
    "owned_since",
    "touch_due_at",
    "pool_return_at",
    "search_text",
)
LIGHT_FIELDS = (
    "pk",
    *(Customer._meta.get_field(name).attname for name in CUSTOMER_SNAPSHOT_FIELDS),
    "time_zone_overridden",
    "name_key",
)
EMAIL_MAX = Contact._meta.get_field("email").max_length


class _TouchDates:
    """``owned_since``, ``touch_due_at`` and ``pool_return_at`` of a customer created ``now``,
    derived by the model's own ``refresh_touch_dates`` once per (tier, cadence, owned)."""

    def __init__(self, now):
        self.now = now
        self.known: dict[tuple, tuple] = {}

    def __call__(self, tier: str, cadence_days: int | None, owned: bool) -> tuple:
        key = (tier, cadence_days, owned)
        found = self.known.get(key)
        if found is None:
            now = self.now
            customer = Customer(
                tier=tier,
                cadence_days=cadence_days,
                created_at=now,
                owner_id=-1 if owned else None,
                owned_since=now if owned else None,
            )
            customer.refresh_touch_dates()
            found = self.known[key] = tuple(
                bulk.db_datetime(Customer, value) if value is not None else None
                for value in (customer.owned_since, customer.touch_due_at, customer.pool_return_at)
            )
        return found


PLAIN_TYPES = (str, bool, int, type(None))


def _snapshot(values: dict[str, Any], fields, tags: list[str] | None = None) -> dict[str, object]:
    """``audit.services.snapshot`` of values not (yet) in a model instance: each through
    ``_plain``, plain scalars passed straight through (what ``_plain`` would return)."""
    out = {}
    for name in fields:
        value = tags if name == "tags" else values[name]
        out[name] = value if type(value) in PLAIN_TYPES else _plain(value)
    return out


def _pk(instance) -> int | None:
    return instance.pk if instance is not None else None


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def _search_text(name: str, local_name: str, city: str, contacts: list[tuple], tags) -> str:
    """What ``customer_refresh_search_text`` stores: the names and city, the contacts (primary
    first, then by name; each as (is_primary, name, pk, email)) and the tags."""
    parts = [name, local_name, city]
    for contact in sorted(contacts, key=lambda c: (not c[0], c[1], c[2])):
        parts.append(contact[1])
        parts.append(contact[3])
    parts.extend(sorted(tags))
    return " ".join(part for part in parts if part).lower()


def audit_changes(before: dict[str, object], after: dict[str, object]) -> dict[str, list]:
    """Old -> new per changed field, exactly as ``audit.services.audit_record`` computes them."""
    if not before:  # a creation: every value that is not None
        return {key: [None, value] for key, value in after.items() if value is not None}
    keys = list(dict.fromkeys([*before, *after]))
    return {
        key: [before.get(key), after.get(key)] for key in keys if before.get(key) != after.get(key)
    }
