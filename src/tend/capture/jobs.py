"""Capture's periodic job, run by ``tend worker``."""

from datetime import timedelta

from django.conf import settings

from tend.jobs.registry import register_periodic

from .imap import mailboxes_fetch

register_periodic(
    "capture.mailboxes_fetch",
    timedelta(minutes=settings.TEND_CAPTURE_FETCH_MINUTES),
    mailboxes_fetch,
)
