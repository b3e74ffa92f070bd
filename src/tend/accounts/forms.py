from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .backends import LOCKED_UNTIL


class LockMessageMixin:
    """Says when a locked sign-in may try again, instead of "wrong password". The lock itself
    is enforced by ``ThrottledModelBackend``, for every form that authenticates."""

    locked_message = _(
        "Too many failed logins for this account. Try again after %(until)s "
        "(in %(minutes)s minutes)."
    )

    def get_invalid_login_error(self):
        until = getattr(self.request, LOCKED_UNTIL, None)
        if until is None:
            return super().get_invalid_login_error()
        minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
        local = formats.date_format(timezone.localtime(until), "H:i T")
        return forms.ValidationError(
            self.locked_message, code="locked", params={"until": local, "minutes": minutes}
        )


class ThrottledAuthenticationForm(LockMessageMixin, AuthenticationForm):
    """The login page's form."""


class ThrottledAdminAuthenticationForm(LockMessageMixin, AdminAuthenticationForm):
    """The Django admin's login form, with the same message."""


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
