"""Capture's periodic jobs, run by ``tend worker``: fetching the mailboxes, and failing the
uploads whose worker died (so their page stops waiting and offers to try again)."""

from datetime import timedelta

from django.conf import settings

from tend.jobs.registry import register_periodic

from .imap import mailboxes_fetch
from .services.uploads import mail_uploads_recover

register_periodic(
    "capture.mailboxes_fetch",
    timedelta(minutes=settings.TEND_CAPTURE_FETCH_MINUTES),
    mailboxes_fetch,
)
register_periodic("capture.mail_uploads_recover", timedelta(minutes=5), mail_uploads_recover)
