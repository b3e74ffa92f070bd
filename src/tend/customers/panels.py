"""The customer page's panels: each app adds its own (orders, tasks, health...).

A panel is a template that reads what it shows through its own template tags, given the
customer and the signed-in user. The page renders the eager panels in place and, for the
others, a placeholder that loads the panel right after the page (htmx ``load``: the page is
drawn at once, the panels follow in parallel, and a full-page view or print holds them all),
from ``/customers/<pk>/panels/<slug>/``; without JavaScript the placeholder is a link to the
same URL, which then answers a full page holding that panel. Either way the panel is served
only to a user who may see the customer (the page's rule, ``customer_get_for_user``).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CustomerPanel:
    slug: str  # its URL's last part: letters, digits and dashes
    template: str
    title: str  # the placeholder's heading and link (a lazy translation)
    eager: bool = False  # rendered with the page (a panel that is usually empty, say)
    # Extra context for the template, given (request, customer); None: the template reads its own.
    context: Callable | None = None


# In the page's order. Apps append from their AppConfig.ready() through register_panel().
CUSTOMER_PANELS: list[CustomerPanel] = []
# Panels after the timeline (the customers app's history of changes).
CUSTOMER_END_PANELS: list[CustomerPanel] = []


def register_panel(panel: CustomerPanel, *, end: bool = False) -> None:
    """Add a panel to the customer page once (ready() may run more than once in tests)."""
    panels = CUSTOMER_END_PANELS if end else CUSTOMER_PANELS
    if all(known.slug != panel.slug for known in CUSTOMER_PANELS + CUSTOMER_END_PANELS):
        panels.append(panel)


def panel_for_slug(slug: str) -> CustomerPanel | None:
    for panel in CUSTOMER_PANELS + CUSTOMER_END_PANELS:
        if panel.slug == slug:
            return panel
    return None


def panel_url(customer_pk: int, slug: str) -> str:
    """Where a panel is served on its own (``?``-less; the page links to it)."""
    from django.urls import reverse

    return reverse("customers:panel", args=[customer_pk, slug])
