"""A paginator that does not count a million rows to draw page links."""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_BELOW = 10_000  # smaller tables (and any filtered list) are counted exactly


class EstimatedCountPaginator(Paginator):
    """For the admin's unfiltered lists of big tables: on PostgreSQL, the planner's estimate of
    the table's rows (kept by ANALYZE / autovacuum) instead of ``COUNT(*)`` over every row;
    filtered or searched lists, small tables and SQLite count exactly."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None or query.where or query.distinct or query.combinator:
            return super().count
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return super().count
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
                [connection.ops.quote_name(queryset.model._meta.db_table)],
            )
            row = cursor.fetchone()
        estimate = int(row[0]) if row and row[0] is not None else -1
        return estimate if estimate >= EXACT_BELOW else super().count
