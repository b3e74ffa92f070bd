"""The demo book is built by an ordered list of steps; any app can add its own.

A step is a function that takes the :class:`DemoContext` and writes its part of the book (people,
customers, later interactions, orders, ...). Steps run in registration order inside one
transaction. An app adds a step without touching ``tend.demo`` by putting a ``demo.py`` module in
the app (it is imported automatically, like ``admin.py``)::

    # src/tend/orders/demo.py
    from tend.demo.registry import register_step

    def reset(ctx):  # optional: delete what the step wrote; runs before `tend demo --reset`
        Order.objects.all().delete()

    @register_step("orders", after="customers", reset=reset)
    def build_orders(ctx):
        rng = ctx.rng("orders")                # random.Random for this step alone
        for customer in ctx.customers:         # DemoCustomer rows: id, country, owner_id, ...
            ...
        ctx.data["order_ids"] = [...]          # hand results to later steps

For tens of thousands of rows, ``tend.core.bulk.bulk_insert(Model, ["field", ...], rows)`` writes
plain tuples through the driver (COPY on PostgreSQL), much faster than ``bulk_create``. Rows that
point at customers are deleted by ``--reset`` even without a reset function (``bulk.delete_all``
clears whatever references a customer before the customers go).

Each step gets its own random stream (``ctx.rng(name)``, ``ctx.np_rng(name)``) derived from the
seed and the step's name, so adding a step never changes what the others build. Dates come from
``ctx.today`` / ``ctx.now`` (the ``--today`` option), never from the clock: the same seed and day
give the same book.
"""

import hashlib
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    """What later steps need to know about a demo customer, without a query."""

    id: int
    country: str
    territory: str
    type: str
    tier: str
    status: str
    owner_id: int | None
    backup_owner_id: int | None
    currency: str
    created_at: datetime
    contact_ids: tuple[int, ...]
    time_zone: str = "UTC"


@dataclass
class DemoContext:
    seed: int
    today: date
    now: datetime
    size: int  # how many customers were asked for
    write: Callable[[str], None] = print
    users: dict[str, Any] = field(default_factory=dict)  # username -> User
    teams: dict[str, Any] = field(default_factory=dict)  # name -> Team
    territories: dict[str, Any] = field(default_factory=dict)  # name -> Territory
    tags: dict[str, Any] = field(default_factory=dict)  # name -> Tag
    customers: list[DemoCustomer] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, team
    timings: list[tuple[str, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # what was written, for the summary
    data: dict[str, Any] = field(default_factory=dict)  # free space for steps to share results

    @property
    def customer_ids(self) -> list[int]:
        return [customer.id for customer in self.customers]

    @property
    def admin(self):
        return next(user for user in self.users.values() if user.is_admin)

    @property
    def reps(self) -> list:
        return [user for user in self.users.values() if user.is_rep]

    @property
    def managers(self) -> list:
        return [user for user in self.users.values() if user.is_manager]

    def _stream_seed(self, name: str) -> int:
        digest = hashlib.sha256(f"{self.seed}:{self.today.isoformat()}:{name}".encode()).digest()
        return int.from_bytes(digest[:8], "big")

    def rng(self, name: str) -> random.Random:
        """A random stream for one step (or one part of it), fixed by seed, day and name."""
        return random.Random(self._stream_seed(name))

    def np_rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self._stream_seed(name), zlib.crc32(name.encode())])


@dataclass(frozen=True)
class Step:
    name: str
    func: Callable[[DemoContext], None]
    reset: Callable[[DemoContext], None] | None = None


_steps: list[Step] = []


def register_step(
    name: str,
    func: Callable[[DemoContext], None] | None = None,
    *,
    after: str | None = None,
    reset: Callable[[DemoContext], None] | None = None,
):
    """Add a step to the demo build (usable as a decorator). It runs after the step named
    ``after`` (default: last). ``reset`` deletes what the step wrote; resets run in reverse step
    order before ``tend demo --reset`` builds again. Registering a name again replaces it."""

    def add(function: Callable[[DemoContext], None]):
        step = Step(name, function, reset)
        existing = [index for index, item in enumerate(_steps) if item.name == name]
        if existing:
            _steps[existing[0]] = step
            return function
        if after is None:
            _steps.append(step)
        else:
            names = [item.name for item in _steps]
            if after not in names:
                raise ValueError(f"No demo step called {after!r} to run {name!r} after.")
            position = names.index(after) + 1
            # Keep steps registered earlier after the same anchor in front of this one.
            while position < len(_steps) and _steps[position].name in _after_of:
                if _after_of[_steps[position].name] != after:
                    break
                position += 1
            _steps.insert(position, step)
        _after_of[name] = after
        return function

    return add(func) if func is not None else add


_after_of: dict[str, str | None] = {}


def steps() -> list[Step]:
    """The registered steps in order: the core ones first, then every app's ``demo`` module."""
    from django.utils.module_loading import autodiscover_modules

    from . import builder  # noqa: F401  (registers the core steps)

    autodiscover_modules("demo")
    return list(_steps)


class Timer:
    """``with Timer(ctx, "customers"):`` records how long a part took, for the summary."""

    def __init__(self, ctx: DemoContext, label: str):
        self.ctx, self.label = ctx, label

    def __enter__(self):
        self.position = len(self.ctx.timings)  # parts timed inside come after this line
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.ctx.timings.insert(self.position, (self.label, time.perf_counter() - self.start))
