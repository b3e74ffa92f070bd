"""``tend demo``: a believable exporter's customer book for trying Tend out.

    tend demo --customers 2000 --seed 7            # into an empty database
    tend demo --customers 2000 --seed 7 --reset    # delete the book first

The same seed and day (``--today``, default today) give the same book.
"""

import time
from contextlib import contextmanager
from datetime import date

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tend.demo import data
from tend.demo.builder import build_demo


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be a date like 2026-01-31, not {value!r}.") from exc


@contextmanager
def _mail_kept_in_memory():
    """The stories email made-up people (approval notifications, customer updates): keep those
    messages in memory, never in the output or on a real mail server."""
    previous = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    try:
        yield mail.outbox
    finally:
        settings.EMAIL_BACKEND = previous


class Command(BaseCommand):
    help = "Build a believable demo book: people, customers, contacts, tags and audit log."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=2000, help="how many (default 2000)")
        parser.add_argument("--seed", type=int, default=7, help="same seed, same book")
        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="the day the book is built as of (YYYY-MM-DD; default: today)",
        )
        parser.add_argument(
            "--only",
            default=None,
            help="run only these steps, comma-separated (e.g. people,reference,customers)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the existing book (customers, contacts, tags, territories, audit log, "
            "demo people) first",
        )

    def handle(self, *args, customers, seed, today, reset, only, **options):
        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        today = today or timezone.localdate()
        started = time.perf_counter()
        self.stdout.write(
            f"Building a demo book of {customers:,} customers (seed {seed}, {today})…"
        )
        with _mail_kept_in_memory() as outbox:
            ctx = build_demo(
                customers=customers,
                seed=seed,
                today=today,
                reset=reset,
                write=self.stdout.write,
                only=[name.strip() for name in only.split(",") if name.strip()] if only else None,
            )
        total = time.perf_counter() - started
        counts = ", ".join(
            f"{value:,} {key.replace('_', ' ')}" for key, value in ctx.counts.items()
        )
        self.stdout.write(self.style.SUCCESS(f"Done in {total:.1f} s: {counts}."))
        for label, seconds in ctx.timings:
            self.stdout.write(f"  {label:<24} {seconds:7.2f} s")
        if outbox:
            self.stdout.write(f"{len(outbox)} emails the stories send were kept, not sent.")
        self.stdout.write("")
        self.stdout.write(f"Log in with any of these (password “{data.PASSWORD}”):")
        for username, role, team in ctx.logins:
            self.stdout.write(f"  {username:<8} {role:<8} {team}")
