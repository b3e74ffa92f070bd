"""The change token of who sees which customer: a number the database changes, by triggers,
whenever a change could move a customer in or out of someone's at-risk figures or customer list,
so the at-risk summary and the customer list's count can be kept in the cache under it and are
never served stale.

What the summary depends on: the day's snapshots (their latest id changes with every scoring,
which replaces the day's rows; nothing else writes them: read-only in the admin), and who sees
which customer with which filters: a customer's owner, backup owner, status, country and tier,
and a user's role, team and whether they are active. Those columns are written by the services,
the pages, the API, imports, the admin, the handover and the market's tiers; a hook in each
would miss the next path, so triggers on ``customers_customer`` and ``accounts_user`` give the
token a new random value on every insert, delete, or update that changes one of them.

On PostgreSQL they are deferred to the commit and change the token once per transaction (its
id is stored beside it): writers do not queue on the token's row while their transaction runs,
and a reader never sees a new token before the data it stands for. A summary computed inside a
transaction is never cached (its own changes are not committed, and may never be). A
transaction that writes customers or users and then alters their table must first run the
queued triggers (``SET CONSTRAINTS ALL IMMEDIATE``): PostgreSQL refuses to alter a table with
pending trigger events (the demo build does, before it adds its foreign keys back)."""

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection

from .models import AtRiskToken

TABLE = AtRiskToken._meta.db_table
ROW = 1
# How long a figure cached under the token is kept: the token already says when it is stale;
# this only lets figures nobody asks for again leave the cache.
CACHE_SECONDS = 3600
# (table, the columns whose change moves a customer between at-risk figures)
WATCHED = (
    ("customers_customer", ("owner_id", "backup_owner_id", "status", "country", "tier")),
    ("accounts_user", ("role", "team_id", "is_active")),
)
_NAMES = ("insert_delete", "update")


def _changed(columns) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)


def _sqlite_changed(columns) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def trigger_sql(vendor: str) -> list[str]:
    """The statements creating the triggers for ``vendor`` (dropping any old ones first)."""
    statements = drop_sql(vendor)
    if vendor == "postgresql":
        statements.append(
            f"""CREATE OR REPLACE FUNCTION health_at_risk_token_change() RETURNS trigger AS $$
BEGIN
  UPDATE {TABLE} SET token = floor(random() * 9.0e18)::bigint, txid = txid_current()
  WHERE id = {ROW} AND txid IS DISTINCT FROM txid_current();
  RETURN NULL;
END $$ LANGUAGE plpgsql"""
        )
        for table, columns in WATCHED:
            each = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
            run = "EXECUTE FUNCTION health_at_risk_token_change()"
            statements += [
                f"CREATE CONSTRAINT TRIGGER health_at_risk_{table}_insert_delete "
                f"AFTER INSERT OR DELETE ON {table} {each} {run}",
                f"CREATE CONSTRAINT TRIGGER health_at_risk_{table}_update "
                f"AFTER UPDATE OF {', '.join(columns)} ON {table} {each} "
                f"WHEN ({_changed(columns)}) {run}",
            ]
        return statements
    change = f"UPDATE {TABLE} SET token = random() WHERE id = {ROW};"
    for table, columns in WATCHED:
        statements += [
            f"CREATE TRIGGER health_at_risk_{table}_insert AFTER INSERT ON {table} "
            f"BEGIN {change} END",
            f"CREATE TRIGGER health_at_risk_{table}_delete AFTER DELETE ON {table} "
            f"BEGIN {change} END",
            f"CREATE TRIGGER health_at_risk_{table}_update AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} FOR EACH ROW WHEN {_sqlite_changed(columns)} BEGIN {change} END",
        ]
    return statements


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            *(
                f"DROP TRIGGER IF EXISTS health_at_risk_{table}_{name} ON {table}"
                for table, _columns in WATCHED
                for name in _NAMES
            ),
            "DROP FUNCTION IF EXISTS health_at_risk_token_change()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS health_at_risk_{table}_{name}"
        for table, _columns in WATCHED
        for name in ("insert", "delete", "update")
    ]


def triggers_drop(conn) -> None:
    """For a bulk load (a restore): ``install`` afterwards puts them back."""
    with conn.cursor() as cursor:
        for statement in drop_sql(conn.vendor):
            cursor.execute(statement)


def install(conn=None) -> None:
    """Create the triggers, and the token's row if it is missing (the migration; restores and
    bulk loads, which suspend the triggers, call this after). An existing token is kept: the
    rows a restore brings back are the ones that token stood for when the backup was made."""
    conn = conn or connection
    random = "floor(random() * 9.0e18)::bigint" if conn.vendor == "postgresql" else "random()"
    with conn.cursor() as cursor:
        for statement in trigger_sql(conn.vendor):
            cursor.execute(statement)
        cursor.execute(
            f"INSERT INTO {TABLE} (id, token) SELECT {ROW}, {random} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE id = {ROW})"
        )


def current(conn=None) -> int | None:
    """The token now; None where nothing may be cached under it: inside a transaction (its own
    changes are not committed, and may never be) or with no token row (a flushed database).
    Read it before what is cached under it: a change committed in between then lands under the
    old token, never the reverse."""
    conn = conn or connection
    if conn.in_atomic_block:
        return None
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {TABLE} WHERE id = %s", [ROW])
        row = cursor.fetchone()
    return None if row is None else row[0]


def cache_key(prefix: str, *parts: Any) -> str:
    """Where a figure is cached: ``parts`` hold the token read for it and what it was computed
    for (the user, the filters)."""
    return f"{prefix}:{hashlib.blake2b(repr(parts).encode()).hexdigest()}"


def cached(key: str | None, compute: Callable[[], Any]) -> Any:
    """The figure cached under ``key`` (made with the token read before it), else computed and
    cached there; ``key`` None: computed, never cached."""
    if key is not None and (value := cache.get(key)) is not None:
        return value
    value = compute()
    if key is not None:
        cache.set(key, value, CACHE_SECONDS)
    return value
