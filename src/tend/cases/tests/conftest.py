from datetime import UTC, datetime

import pytest

from .helpers import Clock


@pytest.fixture
def clock(monkeypatch):
    """Patch ``timezone.now`` for the services; set ``clock.now`` to move time."""
    fixed = Clock(datetime(2026, 11, 30, 5, 0, tzinfo=UTC))
    monkeypatch.setattr("django.utils.timezone.now", fixed)
    return fixed
