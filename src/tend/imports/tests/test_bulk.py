"""``bulk.append`` stores rows with ids the database gives, and ids drawn afterwards by
``bulk.insert`` do not collide with them (one sequence on PostgreSQL, the highest id on
SQLite)."""

import pytest
from django.db import transaction
from django.utils import timezone

from tend.customers.models import Tag
from tend.imports import bulk


@pytest.mark.django_db
def test_appended_rows_get_the_databases_ids_and_later_inserts_draw_past_them():
    now = timezone.now()
    with transaction.atomic():
        appended = bulk.append(Tag, ["name"], [("alpha",), ("beta",)], now=now)
        drawn = bulk.insert(Tag, ["name"], [("gamma",)], now=now)
        assert bulk.append(Tag, ["name"], [], now=now) == 0

    stored = dict(Tag.objects.values_list("name", "pk"))
    assert appended == 2
    assert {"alpha", "beta", "gamma"} <= set(stored)
    assert stored["gamma"] == drawn[0]
    assert drawn[0] > max(stored["alpha"], stored["beta"])
