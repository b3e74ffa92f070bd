"""The services' "now": the real time, or the demo book's day while the demo builds it (a book
built for a past ``--today`` must date its cases around that day, within the same rules)."""

import contextvars
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_book_now: contextvars.ContextVar[datetime | None] = contextvars.ContextVar(
    "cases_book_now", default=None
)


def now() -> datetime:
    return _book_now.get() or timezone.now()


@contextmanager
def book_clock(moment: datetime):
    token = _book_now.set(moment)
    try:
        yield
    finally:
        _book_now.reset(token)
