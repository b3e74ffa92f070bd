"""Writes about people: accounts and API tokens (the login throttle is in ``throttle``)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, Role, Team, User


def user_create(
    *,
    username: str,
    password: str,
    role: str = Role.REP,
    team: Team | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    time_zone: str = "UTC",
) -> User:
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        team=team,
        time_zone=time_zone,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.full_clean(exclude=["password"])
    # Django's validators (length, common, numeric, similar to the name) refuse an empty or weak
    # password for every path that creates a person, not only the pages.
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save()
    return user


def user_language_set(*, user: User, language: str) -> None:
    """Remember the language a person reads Tend in ("" for the browser's)."""
    if language not in {"", *dict(settings.LANGUAGES)}:
        raise ValidationError({"language": _("Choose English or Simplified Chinese.")})
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored nor shown again."""
    key = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "API token", key_hash=ApiToken.hash_key(key), hint=key[:9]
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_authenticate(*, key: str) -> User | None:
    if not key.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user", "user__team")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
