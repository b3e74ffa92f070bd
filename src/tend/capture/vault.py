"""Mailbox passwords encrypted at rest with Fernet (``cryptography``).

Why Fernet: authenticated encryption (AES-CBC + HMAC) from a well-kept, audited library, with
a versioned token format, so nothing cryptographic is written here. The key comes from
``TEND_CAPTURE_KEY`` when set (rotate it apart from Django's secret), else is derived from
``SECRET_KEY`` with HKDF; tokens made under either key still open while both are known."""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derived(secret: str) -> bytes:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tend.capture.mailbox")
    return base64.urlsafe_b64encode(key.derive(secret.encode()))


def _fernet() -> MultiFernet:
    keys = []
    explicit = getattr(settings, "TEND_CAPTURE_KEY", "")
    if explicit:
        keys.append(Fernet(_derived(explicit)))
    keys.append(Fernet(_derived(settings.SECRET_KEY)))
    return MultiFernet(keys)


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt(token: str) -> str:
    """The password, or '' when it was encrypted under a key no longer known."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
