"""Going back where the user came from, never to another site."""

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def redirect_back(request, default: str, *, field: str = "next"):
    """Redirect to the ``next`` the form carried when it is a URL on this site (checked with
    ``url_has_allowed_host_and_scheme``: no other host, no ``//evil``, no ``javascript:``), else
    to ``default`` (a URL name or path)."""
    target = request.POST.get(field) or request.GET.get(field) or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect(default)
