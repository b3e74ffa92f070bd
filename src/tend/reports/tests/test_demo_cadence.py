"""The demo book comes with a year of "touched in cadence" history, so the reliability chart has
a line on a new demo book, and this month's row is what the periodic job records now."""

from datetime import date

import pytest

from tend.demo.builder import build_demo
from tend.reports.cadence import cadence_now
from tend.reports.models import CadenceMonth
from tend.reports.scope import month_number

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)


def test_the_demo_book_records_a_year_of_cadence_months():
    build_demo(customers=150, seed=7, today=DAY, write=lambda _: None)

    months = sorted(set(CadenceMonth.objects.values_list("month", flat=True)))
    assert months == list(range(month_number(DAY) - 12, month_number(DAY) + 1))
    rows = list(CadenceMonth.objects.all())
    assert all(0 <= row.touched <= row.customers for row in rows)
    # Some months some customers were overdue, some in cadence: the history is not flat.
    shares = {row.touched / row.customers for row in rows}
    assert len(shares) > 5
    # This month's rows are what the job computes now, from the customers' own touch dates.
    current = CadenceMonth.objects.filter(month=month_number(DAY))
    taken_at = current.first().taken_at
    expected = cadence_now(people=current.values("person"), now=taken_at)
    assert {row.person_id: (row.customers, row.touched) for row in current} == expected
