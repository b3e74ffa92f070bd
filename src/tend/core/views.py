from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico on pages without a <link rel=icon> (the admin, files)."""
    return redirect(static("tend/favicon.ico"), permanent=True)
