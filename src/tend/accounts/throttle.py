"""The one sign-in throttle, shared by every path that checks a password (the login page, the
Django admin's login, anything calling ``django.contrib.auth.authenticate``) through
``ThrottledModelBackend``.

The rule, over a window of ``TEND_LOGIN_WINDOW_MINUTES``:

- **an account, from one address**: ``TEND_LOGIN_MAX_FAILURES`` (10) wrong passwords for one
  account from one client address lock that account *from that address* for
  ``TEND_LOGIN_LOCK_MINUTES``. Someone guessing from one place locks out only themselves: the
  real person, signing in from elsewhere, still gets in.
- **an address**: ``TEND_LOGIN_MAX_FAILURES_PER_ADDRESS`` (30) wrong passwords from one address,
  whatever the accounts, lock that address out of every account. Spraying one common password
  over many accounts stops there.
- **an account, from everywhere**: ``TEND_LOGIN_MAX_FAILURES_PER_ACCOUNT`` (50) wrong passwords
  for one account from all addresses together lock the account for everyone. It takes several
  places to reach it (each stops at 10), and it caps what a botnet can guess.

A locked attempt is refused before the password is looked at, so the right password does not get
in and nothing is counted. A success forgets that account's failures from that address only.
Failures are not deleted on a lock: they age out of the window, which is why the lock lasts at
least as long as the window.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from .models import LoginFailure, LoginLock

EVERY_ACCOUNT = "*"  # no username contains it (Django's username validator refuses it)
EVERY_ADDRESS = "*"
UNKNOWN_ADDRESS = "unknown"  # authenticate() called without a request (shell, tests)


def client_address(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or the last hop of the header a trusted proxy
    sets when ``TEND_CLIENT_IP_HEADER`` names one (e.g. ``X-Forwarded-For``). The header is
    ignored unless configured: a client could otherwise pick its own address."""
    if request is None:
        return UNKNOWN_ADDRESS
    header = settings.TEND_CLIENT_IP_HEADER
    if header:
        key = "HTTP_" + header.upper().replace("-", "_")
        hops = [hop.strip() for hop in request.META.get(key, "").split(",") if hop.strip()]
        if hops:
            return hops[-1][:45]
    return (request.META.get("REMOTE_ADDR") or UNKNOWN_ADDRESS)[:45]


@dataclass(frozen=True)
class _Limit:
    username: str
    address: str
    failures: Q
    most: int


def _limits(username: str, address: str) -> list[_Limit]:
    limits = [
        _Limit(username, address, Q(username=username, address=address), _max("FAILURES")),
        _Limit(username, EVERY_ADDRESS, Q(username=username), _max("FAILURES_PER_ACCOUNT")),
    ]
    if address != UNKNOWN_ADDRESS:
        limits.append(
            _Limit(EVERY_ACCOUNT, address, Q(address=address), _max("FAILURES_PER_ADDRESS"))
        )
    return limits


def _max(name: str) -> int:
    return getattr(settings, f"TEND_LOGIN_MAX_{name}")


def login_locked_until(
    *, username: str, address: str, now: datetime | None = None
) -> datetime | None:
    """When the lock that keeps this account from this address ends, or None."""
    now = now or timezone.now()
    username = username.lower()
    scopes = Q()
    for limit in _limits(username, address):
        scopes |= Q(username=limit.username, address=limit.address)
    return LoginLock.objects.filter(scopes, until__gt=now).aggregate(until=Max("until"))["until"]


def login_record_failure(
    *, username: str, address: str, now: datetime | None = None
) -> datetime | None:
    """Count a wrong password; lock what filled its window. Returns the lock's end, if any."""
    now = now or timezone.now()
    username = username.lower()
    window_start = now - timedelta(minutes=settings.TEND_LOGIN_WINDOW_MINUTES)
    until = now + timedelta(minutes=settings.TEND_LOGIN_LOCK_MINUTES)
    locked = None
    with transaction.atomic():
        LoginFailure.objects.create(username=username, address=address, at=now)
        for limit in _limits(username, address):
            failures = LoginFailure.objects.filter(limit.failures, at__gt=window_start).count()
            if failures >= limit.most:
                LoginLock.objects.update_or_create(
                    username=limit.username, address=limit.address, defaults={"until": until}
                )
                locked = until
    return locked


def login_record_success(*, username: str, address: str) -> None:
    LoginFailure.objects.filter(username=username.lower(), address=address).delete()
