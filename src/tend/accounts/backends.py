"""Password sign-in through the one throttle, whichever page asked."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from . import throttle

LOCKED_UNTIL = "tend_login_locked_until"  # set on the request for the form's message


class ThrottledModelBackend(ModelBackend):
    """Django's backend behind the login throttle: a locked account or address is refused
    before its password is checked, and every wrong password is counted. Both the login page
    and ``/admin/login/`` go through here, so neither can skip the lock."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if not username or password is None:
            return None
        address = throttle.client_address(request)
        until = throttle.login_locked_until(username=username, address=address)
        if until is None:
            user = super().authenticate(request, username=username, password=password)
            if user is not None:
                throttle.login_record_success(username=username, address=address)
                return user
            until = throttle.login_record_failure(username=username, address=address)
            if until is None:
                return None
        if request is not None:
            setattr(request, LOCKED_UNTIL, until)
        raise PermissionDenied
