"""Content-Security-Policy: the browser runs only script files served by Tend itself.

A small middleware rather than a dependency: one header, one dictionary, and a per-view
override for the one page that needs more (the API docs). Django 6.0 brings its own CSP
middleware; this one has the same shape, so moving to it is a settings change.

Inline ``<script>`` and ``on*=`` handlers are refused, so markup that slips into a page cannot
run. Styles come from Tend's files too; only ``style=""`` attributes are allowed inline
(``style-src-attr``): they cannot run script nor read the page, and many templates use them.
"""

from functools import wraps

POLICY: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
HEADER = "Content-Security-Policy"


def policy_header(overrides: dict[str, str] | None = None) -> str:
    directives = {**POLICY, **(overrides or {})}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def csp_override(**directives: str):
    """A view decorator changing some directives for that view only; keyword names use
    underscores (``style_src="'self' 'unsafe-inline'"``)."""
    overrides = {name.replace("_", "-"): value for name, value in directives.items()}

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.csp_overrides = overrides
            return response

        return wrapped

    return decorator


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that does not carry one already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = policy_header(getattr(response, "csp_overrides", None))
        return response
