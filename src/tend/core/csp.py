"""Content-Security-Policy: the browser runs only script files served by Tend itself.

A small middleware rather than a dependency: one header from one dictionary. Django's admin
and the API docs (Swagger served from ``ninja``'s static files) need nothing more. Django 6.0
brings its own CSP middleware with the same shape, so moving to it is a settings change.

Inline ``<script>`` and ``on*=`` handlers are refused, so markup that slips into a page cannot
run. Styles come from Tend's files too; only ``style=""`` attributes are allowed inline
(``style-src-attr``): they cannot run script nor read the page, and Tend's templates use
them (the admin and Swagger do not; once ours are classes in app.css this line can go).
"""

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
HEADER_VALUE = "; ".join(f"{name} {value}" for name, value in POLICY.items())


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that does not carry one already."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = HEADER_VALUE
        return response
