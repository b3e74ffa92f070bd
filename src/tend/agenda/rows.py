"""Agenda rows: an item, its customer, and the customer's local moment."""

from django.db.models import QuerySet

from .local import LocalMoment, local_moment
from .registry import AgendaContext, SectionResult


class Row:
    """One row of a section. ``local``, the customer's local moment (their time zone, weekend
    and public holiday), is worked out when first read: Today reads every section's first 21
    rows for the ranking and its badges, and shows the local time of its top 12 customers
    only."""

    __slots__ = ("item", "customer", "overdue", "_local", "_now")

    def __init__(
        self, item, customer, local: LocalMoment | None = None, overdue: bool = False, *, now=None
    ):
        self.item = item
        self.customer = customer
        self.overdue = overdue
        self._local = local
        self._now = now  # with a customer and no ``local``: when to work it out for

    @property
    def local(self) -> LocalMoment | None:
        if self._local is None and self._now is not None and self.customer is not None:
            self._local = local_moment(
                country=self.customer.country, time_zone=self.customer.time_zone, now=self._now
            )
        return self._local


def rows_of(queryset: QuerySet, ids: list) -> list:
    """``queryset``'s rows of ``ids`` (found by ``queryset`` itself), in that order, with its
    related rows and columns: read by key alone, without its conditions again (the inquiries'
    cutoff per clock cost as much to compile and plan as the ids' query)."""
    if queryset.query.annotations:
        found = queryset.filter(pk__in=ids)
    else:
        found = queryset.model._base_manager.filter(pk__in=ids)
        found.query.select_related = queryset.query.select_related
        found.query.deferred_loading = queryset.query.deferred_loading
        found = found.prefetch_related(*queryset._prefetch_related_lookups)
    by_pk = {row.pk: row for row in found}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def page_and_total(
    queryset, limit: int, *, exact: bool = True, by_ids: bool = False
) -> tuple[list, int, bool]:
    """The first ``limit`` items, how many there are, and whether there are more than that.

    ``exact``: count them all, only when the page is full (a count and a page are each cheaper
    than one query doing both: the count may join by hash, the page stop early). Otherwise
    (Today's badges) read one row past the page instead of counting: the total is then at most
    ``limit``, and ``more`` says there are others, at no query of its own.
    ``by_ids``: find the page's ids first, which an index can answer alone, then read only
    those rows, instead of reading every candidate row to sort."""
    if limit < 1:
        return [], queryset.count(), False
    wanted = limit if exact else limit + 1
    if by_ids and isinstance(queryset, QuerySet):
        ids = list(queryset.values_list("pk", flat=True)[:wanted])
        items = rows_of(queryset, ids) if ids else []
    else:
        items = list(queryset[:wanted])
    if not exact:
        return items[:limit], min(len(items), limit), len(items) > limit
    return items, len(items) if len(items) < limit else queryset.count(), False


# The customer's columns that "contact first" ranks by (tier, name) and shows (name, tier,
# country, local time): with the section's ``columns``, all Today reads of a row.
CONTACT_COLUMNS = ("name", "tier", "country", "time_zone")


def ranking_columns(queryset: QuerySet, columns: tuple[str, ...], customer: str) -> QuerySet:
    """``queryset`` reading only ``columns`` and its customer's ``CONTACT_COLUMNS`` (through
    ``customer``, the path to the row's customer; "" when the row is the customer), with no
    other related row joined or prefetched. Today's ranking reads about 180 rows and shows 12
    customers: their whole rows (and their datetimes) were half of its Python time."""
    contact = [f"{customer}__{name}" if customer else name for name in CONTACT_COLUMNS]
    queryset = queryset.select_related(None).prefetch_related(None)
    if customer:
        queryset = queryset.select_related(customer)
        contact.append(customer)
    return queryset.only(*columns, *contact)


def section_rows(
    queryset,
    context: AgendaContext,
    limit: int,
    customer_of=lambda item: item.customer,
    overdue=lambda item: False,
    by_ids: bool = False,
    columns: tuple[str, ...] | None = None,
    customer: str = "customer",
    ids: list | None = None,
) -> SectionResult:
    """The section's first ``limit`` rows. ``columns``: the item's columns that its reason and
    ``overdue`` read; on Today (``context.ranking_only``) the rows are read with those only
    (``ranking_columns``), else whole. ``ids``: every row's id in the section's order, found
    already; ``queryset`` then only says how to read a row (``rows_of``)."""
    if columns is not None and context.ranking_only:
        queryset = ranking_columns(queryset, columns, customer)
    if ids is None:
        items, total, more = page_and_total(
            queryset, limit, exact=context.exact_totals, by_ids=by_ids
        )
    else:
        page = ids[:limit] if limit > 0 else []
        items = rows_of(queryset, page) if page else []
        exact = context.exact_totals or limit < 1 or len(ids) <= limit
        total, more = (len(ids), False) if exact else (limit, True)
    rows = []
    for item in items:
        customer = customer_of(item)
        rows.append(Row(item=item, customer=customer, overdue=overdue(item), now=context.now))
    return SectionResult(rows=rows, total=total, more=more)
