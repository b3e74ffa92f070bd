from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from . import services


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing an account that failed too often recently."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed logins for this account. Try again after %(until)s "
            "(in %(minutes)s minutes)."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username:
            until = services.login_locked_until(username=username)
            if until:
                raise self._locked_error(until)
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                until = services.login_record_failure(username=username)
                if until:
                    raise self._locked_error(until) from None
            raise

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        services.login_record_success(username=user.get_username())

    def _locked_error(self, until):
        minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
        local = formats.date_format(timezone.localtime(until), "H:i T")
        return forms.ValidationError(
            self.error_messages["locked"],
            code="locked",
            params={"until": local, "minutes": minutes},
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
