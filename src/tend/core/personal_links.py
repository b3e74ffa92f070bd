"""Personal links: a page without sign-in for one recipient (a survey to answer, a notice to
acknowledge), reached from an email.

What every such link must hold, kept in one place:

- Unguessable: 32 random bytes, URL-safe. Only the token's SHA-256 is stored, so a copy of the
  database does not yield working links.
- Never acted on by opening it: mail scanners and link previews open links before people do.
  The page answers GET with a button; only the POST of that button records anything.
- Single use and expiring: ``claim`` marks the link used with one conditional UPDATE, so two
  presses (or two tabs) record once.
- Private: no referrer leaves for another site (``same-origin``: a stricter ``no-referrer``
  makes browsers send ``Origin: null`` with the page's own button, which CSRF rightly refuses),
  search engines and caches are told to keep away.

Each use (a survey send, a notice recipient) is a model of its app that inherits
``PersonalLink``; its view calls ``find`` and ``claim`` and renders a template extending
``core/personal_link_page.html``.
"""

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from functools import wraps

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

TOKEN_BYTES = 32
# token_urlsafe(32) is 43 characters of [A-Za-z0-9_-]; anything else is not one of ours.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
DEFAULT_VALID_DAYS = 14


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class LinkState(models.TextChoices):
    OPEN = "open", _("open")
    USED = "used", _("already used")
    EXPIRED = "expired", _("expired")


class PersonalLink(models.Model):
    """Abstract: the token, its expiry and its single use."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("link expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def issue_token(self, *, now: datetime | None = None, days: int = DEFAULT_VALID_DAYS) -> str:
        """Give this link a fresh token valid for ``days`` and return it (the only time it is
        seen in clear: put it in the email, never store it). The caller saves the row."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        self.token_hash = token_digest(token)
        self.expires_at = (now or timezone.now()) + timedelta(days=days)
        return token

    @classmethod
    def find(cls, token: str):
        """The link this token opens, or None (malformed, tampered or unknown tokens alike)."""
        if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
            return None
        return cls._default_manager.filter(token_hash=token_digest(token)).first()

    def state(self, *, now: datetime | None = None) -> str:
        if self.used_at is not None:
            return LinkState.USED
        if self.expires_at <= (now or timezone.now()):
            return LinkState.EXPIRED
        return LinkState.OPEN

    def claim(self, *, now: datetime | None = None) -> bool:
        """Mark the link used, once: True for the one caller that did, False for a used or
        expired link. Call inside the transaction that records the answer, so a failure to
        record leaves the link open."""
        now = now or timezone.now()
        claimed = (
            type(self)
            ._default_manager.filter(pk=self.pk, used_at__isnull=True, expires_at__gt=now)
            .update(used_at=now)
        )
        if claimed:
            self.used_at = now
        return bool(claimed)


def personal_link_page(view):
    """A personal-link page: nothing cached or indexed, the address (which holds the token)
    never sent to another site, and no CSRF check: nothing here rides on a session or a cookie
    (the recipient is not signed in), so there is no ambient authority to forge; the token is
    the proof, and phones whose mail app's browser drops cookies can still press the button."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped
