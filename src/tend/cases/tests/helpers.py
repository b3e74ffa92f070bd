"""Scene-setting for the cases tests: a fixed clock, shipped orders with lots."""

from datetime import date
from decimal import Decimal

from tend.orders.models import OrderStatus
from tend.orders.services import order_create


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


_numbers = iter(range(1, 10**6))


def ship(*, by, customer, product, lot: str, quantity: int, day=date(2026, 9, 1)):
    """A shipped order of one line of ``lot``."""
    return order_create(
        by=by,
        customer=customer,
        fields={
            "number": f"SO-{next(_numbers)}-{customer.pk}",
            "order_date": day,
            "currency": "USD",
            "status": OrderStatus.SHIPPED,
            "actual_ship_date": day,
        },
        lines=[
            {
                "product": product,
                "quantity": Decimal(quantity),
                "unit_price": Decimal("10"),
                "batch_number": lot,
            }
        ],
    )
