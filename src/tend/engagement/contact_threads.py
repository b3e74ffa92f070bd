"""The stored contact threads per customer (``ContactThread``), kept by triggers.

Why triggers: interactions and their links to our people and the customer's contacts are
written by the services (``people.set``, ``contacts.set``), the API, the mail and drive capture
(bulk inserts of the link rows), deletions cascading from a customer, a contact or a user, bulk
updates and the demo builder; a hook in each would miss the next path. Triggers on the
interactions and on both link tables see every insert, update and delete in the same
transaction, so the single-threading rule never reads a stale count.

Either order of writes keeps the counts exact: a link row counts under its interaction's
customer when both rows exist. A link written or deleted while its interaction is absent does
nothing; the interaction's own insert or delete counts the links it finds. (Django deletes the
link rows before their interaction, and inserts them after it.) An interaction moved to another
customer takes its links' counts along. ``contact_threads_rebuild`` recomputes the table (after
a restore made without triggers, say), and ``contact_threads_mismatches`` lists where it
disagrees with a direct computation."""

from django.db import connection, transaction

from .models import ContactThread, Interaction, ThreadKind

TABLE = ContactThread._meta.db_table
INTERACTIONS = Interaction._meta.db_table
# (kind, link table, the link's column naming the person or contact, short name)
LINKS = (
    (ThreadKind.PERSON.value, Interaction.people.through._meta.db_table, "user_id", "people"),
    (
        ThreadKind.CONTACT.value,
        Interaction.contacts.through._meta.db_table,
        "contact_id",
        "contacts",
    ),
)
WHOLE = ThreadKind.INTERACTIONS.value


def _upsert(select: str) -> str:
    return (
        f"INSERT INTO {TABLE} (customer_id, kind, ref_id, interactions) {select} "
        f"ON CONFLICT (customer_id, kind, ref_id) DO UPDATE SET "
        f"interactions = {TABLE}.interactions + excluded.interactions"
    )


def _customer_of(row: str) -> str:
    return f"(SELECT i.customer_id FROM {INTERACTIONS} i WHERE i.id = {row}.interaction_id)"


def _link_added(kind: int, column: str, row: str) -> list[str]:
    return [
        _upsert(
            f"SELECT i.customer_id, {kind}, {row}.{column}, 1 FROM {INTERACTIONS} i "
            f"WHERE i.id = {row}.interaction_id"
        )
    ]


def _link_removed(kind: int, column: str, row: str) -> list[str]:
    where = f"kind = {kind} AND ref_id = {row}.{column} AND customer_id = {_customer_of(row)}"
    return [
        f"UPDATE {TABLE} SET interactions = interactions - 1 WHERE {where}",
        f"DELETE FROM {TABLE} WHERE {where} AND interactions <= 0",
    ]


def _interaction_added(row: str) -> list[str]:
    return [
        _upsert(f"VALUES ({row}.customer_id, {WHOLE}, 0, 1)"),
        *(
            _upsert(
                f"SELECT {row}.customer_id, {kind}, l.{column}, 1 FROM {links} l "
                f"WHERE l.interaction_id = {row}.id"
            )
            for kind, links, column, _name in LINKS
        ),
    ]


def _interaction_removed(row: str) -> list[str]:
    mine = f"customer_id = {row}.customer_id"
    return [
        f"UPDATE {TABLE} SET interactions = interactions - 1 "
        f"WHERE {mine} AND kind = {WHOLE} AND ref_id = 0",
        *(
            f"UPDATE {TABLE} SET interactions = interactions - 1 WHERE {mine} AND kind = {kind} "
            f"AND ref_id IN (SELECT l.{column} FROM {links} l WHERE l.interaction_id = {row}.id)"
            for kind, links, column, _name in LINKS
        ),
        f"DELETE FROM {TABLE} WHERE {mine} AND interactions <= 0",
    ]


def _sources():
    """(name, table, statements on insert of NEW, on delete of OLD, the columns whose update
    counts as a delete and an insert)."""
    yield "interaction", INTERACTIONS, _interaction_added, _interaction_removed, ("customer_id",)
    for kind, links, column, name in LINKS:
        yield (
            name,
            links,
            lambda row, kind=kind, column=column: _link_added(kind, column, row),
            lambda row, kind=kind, column=column: _link_removed(kind, column, row),
            ("interaction_id", column),
        )


def trigger_sql(vendor: str) -> list[str]:
    """The statements creating the triggers for ``vendor`` (dropping any old ones first)."""
    statements = drop_sql(vendor)
    for name, table, added, removed, columns in _sources():
        changed = " OR ".join(f"OLD.{c} <> NEW.{c}" for c in columns)
        if vendor == "postgresql":

            def block(lines):
                return ";\n    ".join(lines)

            statements += [
                f"""CREATE FUNCTION engagement_threads_{name}_keep() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {block(removed("OLD"))};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {block(added("NEW"))};
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
                f"""CREATE TRIGGER engagement_threads_{name} AFTER INSERT OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION engagement_threads_{name}_keep()""",
                f"""CREATE TRIGGER engagement_threads_{name}_update
AFTER UPDATE OF {", ".join(columns)} ON {table}
FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION engagement_threads_{name}_keep()""",
            ]
            continue

        def block(lines):
            return ";\n  ".join(lines)

        statements += [
            f"""CREATE TRIGGER engagement_threads_{name}_insert AFTER INSERT ON {table}
FOR EACH ROW BEGIN
  {block(added("NEW"))};
END""",
            f"""CREATE TRIGGER engagement_threads_{name}_delete AFTER DELETE ON {table}
FOR EACH ROW BEGIN
  {block(removed("OLD"))};
END""",
            f"""CREATE TRIGGER engagement_threads_{name}_update
AFTER UPDATE OF {", ".join(columns)} ON {table} FOR EACH ROW WHEN {changed} BEGIN
  {block(removed("OLD"))};
  {block(added("NEW"))};
END""",
        ]
    return statements


def drop_sql(vendor: str) -> list[str]:
    statements = []
    for name, table, *_rest in _sources():
        if vendor == "postgresql":
            statements += [
                f"DROP TRIGGER IF EXISTS engagement_threads_{name} ON {table}",
                f"DROP TRIGGER IF EXISTS engagement_threads_{name}_update ON {table}",
                f"DROP FUNCTION IF EXISTS engagement_threads_{name}_keep()",
            ]
        else:
            statements += [
                f"DROP TRIGGER IF EXISTS engagement_threads_{name}_{event}"
                for event in ("insert", "delete", "update")
            ]
    return statements


def triggers_drop(conn) -> None:
    """For a bulk load of interactions or links (a restore, the demo book): ``install``
    afterwards fills the table in one statement and puts the triggers back."""
    with conn.cursor() as cursor:
        for statement in drop_sql(conn.vendor):
            cursor.execute(statement)


def _direct_sql() -> str:
    """Every customer's threads computed from the interactions and links themselves."""
    return " UNION ALL ".join(
        [
            f"SELECT customer_id, {WHOLE} AS kind, 0 AS ref_id, COUNT(*) AS interactions "
            f"FROM {INTERACTIONS} GROUP BY customer_id",
            *(
                f"SELECT i.customer_id, {kind}, l.{column}, COUNT(*) FROM {links} l "
                f"JOIN {INTERACTIONS} i ON i.id = l.interaction_id GROUP BY i.customer_id, "
                f"l.{column}"
                for kind, links, column, _name in LINKS
            ),
        ]
    )


def install(connection_=None) -> None:
    """Create the triggers and fill the table from the interactions (the migration, and after
    a bulk load, call this)."""
    conn = connection_ or connection
    with conn.cursor() as cursor:
        for statement in trigger_sql(conn.vendor):
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} (customer_id, kind, ref_id, interactions) " + _direct_sql()
        )


def contact_threads_rebuild() -> None:
    """Recompute every row from the interactions, in one transaction (idempotent)."""
    with transaction.atomic():
        install()


def contact_threads_mismatches(limit: int = 20) -> list[tuple]:
    """Rows where the stored table and the interactions disagree: ``(customer, kind, ref,
    stored count, direct count)``; empty when they agree."""
    direct = _direct_sql()
    sql = f"""
        SELECT s.customer_id, s.kind, s.ref_id, s.interactions, d.interactions
        FROM {TABLE} s LEFT JOIN ({direct}) d
          ON d.customer_id = s.customer_id AND d.kind = s.kind AND d.ref_id = s.ref_id
        WHERE d.customer_id IS NULL OR d.interactions <> s.interactions
        UNION ALL
        SELECT d.customer_id, d.kind, d.ref_id, NULL, d.interactions
        FROM ({direct}) d LEFT JOIN {TABLE} s
          ON d.customer_id = s.customer_id AND d.kind = s.kind AND d.ref_id = s.ref_id
        WHERE s.customer_id IS NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchmany(limit)
