"""A small hand-made book whose report figures are worked out by hand in the tests.

Report month: June 2026, so the starting year is July 2024 – June 2025 and the year since is
July 2025 – June 2026.

=========  ====  =====  =====================================  ==============================
customer   tier  owner  orders (USD)                           a year ago → since
=========  ====  =====  =====================================  ==============================
expander   A     rep1   2025-01-10 1000; 2026-02-01 1500       1000 → 1500 (expanded 500)
churner    B     rep1   2024-09-01 2000                        2000 → 0 (churned 2000)
shrinker   A     rep2   2024-08-01 1000; 2024-12-01 500        1000 → 400 (contracted 600)
                        cancelled; 2025-08-01 400
newcomer   C     rep2   2026-03-01 800                         new: left out
steady     B     pool   2025-06-30 600; 2025-07-01 600         600 → 600
=========  ====  =====  =====================================  ==============================
"""

from datetime import date
from decimal import Decimal

import pytest

from tend.customers.tests.factories import CustomerFactory
from tend.health.tests.test_lost import place
from tend.orders.models import OrderStatus
from tend.reports.registry import ReportFilters

END = date(2026, 6, 1)


@pytest.fixture
def filters():
    return ReportFilters(end=END)


@pytest.fixture
def hand_book(rep1, rep2, manager1, admin_user):
    c = {
        "expander": CustomerFactory(name="Expander", tier="A", owner=rep1),
        "churner": CustomerFactory(name="Churner", tier="B", owner=rep1),
        "shrinker": CustomerFactory(name="Shrinker", tier="A", owner=rep2, country="DE"),
        "newcomer": CustomerFactory(name="Newcomer", tier="C", owner=rep2, country="DE"),
        "steady": CustomerFactory(name="Steady", tier="B", owner=None),
    }
    orders = [
        ("expander", date(2025, 1, 10), "1000"),
        ("expander", date(2026, 2, 1), "1500"),
        ("churner", date(2024, 9, 1), "2000"),
        ("shrinker", date(2024, 8, 1), "1000"),
        ("shrinker", date(2025, 8, 1), "400"),
        ("newcomer", date(2026, 3, 1), "800"),
        ("steady", date(2025, 6, 30), "600"),
        ("steady", date(2025, 7, 1), "600"),
    ]
    for n, (key, day, amount) in enumerate(orders):
        place(c[key], f"SO-{n}", day, amount)
    place(c["shrinker"], "SO-X", date(2024, 12, 1), "500", status=OrderStatus.CANCELLED)
    return c


def money(text: str) -> Decimal:
    return Decimal(text)
