"""The service floor per tier: what every customer of a tier is owed, however small.

The touch cadence is stored per tier (``TierPolicy``; ``TEND_CADENCE_DAYS`` gives the defaults)
and read through ``tier_cadence``, which keeps the three numbers in memory so a page of
customers costs no query per row: for the length of one request (a page reads them once, so
every server process shows a change at once), and for a minute in the worker. Case SLAs
(cases) and the survey rhythm (voice) are keyed by the same tier value; those apps add their
line to the tiers page with ``register_floor_item`` (``voice/floor.py``, ``cases/integrations.py``).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise

CACHE_SECONDS = 60
_cache: dict[str, object] = {"at": 0.0, "cadence": None}


def cadence_defaults() -> dict[str, int]:
    return dict(settings.TEND_CADENCE_DAYS)


def tier_cadences() -> dict[str, int]:
    """Days between touches for each tier: the stored floor, else the settings."""
    now = time.monotonic()
    cached = _cache["cadence"]
    if cached is None or now - float(_cache["at"]) > CACHE_SECONDS:
        from .models import TierPolicy

        cached = {
            **cadence_defaults(),
            **dict(TierPolicy.objects.values_list("tier", "cadence_days")),
        }
        _cache.update(at=now, cadence=cached)
    return cached  # type: ignore[return-value]


def tier_cadence(tier: str) -> int:
    cadences = tier_cadences()
    return cadences.get(tier) or cadence_defaults().get(tier) or 30


def forget(*args, **kwargs) -> None:
    """Drop the cached floor: after it changed, at the start of each request (connected to
    ``request_started``), and between tests."""
    _cache.update(at=0.0, cadence=None)


@dataclass(frozen=True)
class FloorItem:
    """One line of the service floor shown on the tiers page: a label and, per tier, its value
    in words (e.g. cases: "first response within 4 working hours")."""

    key: str
    label: str | Promise
    value_for: Callable[[str], str]


_ITEMS: dict[str, FloorItem] = {}


def register_floor_item(key: str, label, value_for: Callable[[str], str]) -> FloorItem:
    item = FloorItem(key, label, value_for)
    _ITEMS[key] = item
    return item


def floor_items() -> list[FloorItem]:
    return list(_ITEMS.values())
