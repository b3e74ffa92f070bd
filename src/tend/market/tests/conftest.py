from datetime import date
from decimal import Decimal

import pytest

from tend.market import floor
from tend.orders.services import order_create


@pytest.fixture(autouse=True)
def fresh_floor():
    """The tier floor is cached per process: each test starts and ends without it."""
    floor.forget()
    yield
    floor.forget()


_numbers = iter(range(1, 10**6))


def place_order(customer, product, *, amount, day, lot="", quantity=1, status="delivered", by=None):
    """One order of one line worth ``amount`` (USD) on ``day``."""
    return order_create(
        by=by,
        customer=customer,
        fields={
            "number": f"T-{next(_numbers):06d}",
            "order_date": day,
            "currency": "USD",
            "status": status,
        },
        lines=[
            {
                "product": product,
                "quantity": Decimal(quantity),
                "unit_price": Decimal(str(amount)) / Decimal(quantity),
                "batch_number": lot,
            }
        ],
    )


TODAY = date(2026, 12, 5)
