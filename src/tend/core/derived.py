"""Tables the database keeps by triggers from other tables (``DERIVED_BY_TRIGGERS`` on the
model), and how to set those triggers aside for a bulk load.

A bulk load (a restore from another engine) writes millions of source rows; a trigger per row
would keep the derived tables current one row at a time. Their app registers instead how to
drop its triggers and how to rebuild its tables in one set-based statement, triggers included:
``derived_suspended`` drops them for the load and rebuilds afterwards, even when the load
fails."""

from collections.abc import Callable
from contextlib import contextmanager

from django.db import connections, transaction

_REGISTERED: dict[str, tuple[Callable, Callable]] = {}


def register_derived(name: str, *, suspend: Callable, rebuild: Callable) -> None:
    """``suspend(connection)`` drops the triggers; ``rebuild(connection)`` fills the derived
    tables from their sources and puts the triggers back. ``name`` lets a load that writes only
    some sources suspend only the tables derived from them."""
    _REGISTERED[name] = (suspend, rebuild)


@contextmanager
def derived_suspended(*, using: str = "default", work_mem: str = "", only: tuple[str, ...] = ()):
    """``work_mem``: PostgreSQL's memory per sort and hash for the rebuild (its aggregates run
    over every source row). ``only``: the names of the derived tables to set aside (every one
    by default, as a restore needs); the others keep their triggers, so a load of other sources
    does not rebuild them for nothing."""
    connection = connections[using]
    chosen = [_REGISTERED[name] for name in only] if only else list(_REGISTERED.values())
    with transaction.atomic(using=using):
        for suspend, _rebuild in chosen:
            suspend(connection)
    try:
        yield
    finally:
        with transaction.atomic(using=using):
            if work_mem and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL work_mem = '{work_mem}'")
            for _suspend, rebuild in chosen:
                rebuild(connection)
