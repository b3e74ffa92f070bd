"""A book whose every text field holds markup renders it as text: the main pages carry no
script, no event handler and no element that came from the data, and send the CSP header.

The demo book (all apps) is built, then each free-text field people or imports can fill is
overwritten with hostile markup that fits the column (unique columns get the row's id)."""

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db.models import CharField, TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from tend.accounts.models import Role, User
from tend.core.guard import approval_applying
from tend.customers.models import Customer
from tend.demo.builder import build_demo

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
BOTH = IMG + SCRIPT
SCRIPT_AS_TEXT = "&lt;script&gt;alert(1)&lt;/script&gt;"

# Free text typed by people or read from import files, by model.
TEXT_FIELDS = {
    "accounts.Team": ["name"],
    "accounts.User": ["first_name", "last_name"],
    "customers.Territory": ["name"],
    "customers.Tag": ["name"],
    "customers.Customer": ["name", "local_name", "city", "payment_terms", "notes"],
    "customers.Contact": ["name", "title", "wechat"],
    "timeline.TimelineEntry": ["title", "body"],
    "engagement.Interaction": ["subject", "summary"],
    "engagement.Promise": ["description", "outcome_reason"],
    "orders.Product": ["name", "local_name", "category"],
    "orders.Order": ["number", "payment_terms", "port", "quality_standard", "remarks"],
    "orders.OrderUpdate": ["subject", "body", "reason"],
    "orders.Disruption": ["title", "description"],
    "orders.EstimateChange": ["reason"],
    "approvals.ApprovalRequest": ["reason", "state_note"],
    "approvals.ApprovalDecision": ["comment"],
    "approvals.Concession": ["description"],
    "approvals.Notification": ["text"],
    "tasks.Task": ["title", "detail", "outcome"],
    "health.PlaybookStep": ["title"],
    "health.LostRecord": ["competitor", "note"],
}


def _hostile_value(field):
    """The most hostile text the column holds; unique columns end with the row's id."""
    room = field.max_length or 10_000
    unique = field.unique
    if unique:
        room -= 8
    text = next((text for text in (BOTH, IMG, SCRIPT) if len(text) <= room), None)
    if text is None:
        return None
    if unique:
        return Concat(Value(text + "#"), Cast("pk", CharField()))
    return Value(text)


def _poison_every_text_field() -> None:
    # As if the hostile terms had been approved: the four-eyes guard is not what is tested here.
    with approval_applying():
        for label, names in TEXT_FIELDS.items():
            _poison(apps.get_model(label), names)


def _poison(model, names) -> None:
    updates = {}
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, CharField | TextField), f"{model.__name__}.{name}"
        value = _hostile_value(field)
        if value is not None:
            updates[name] = value
    model.objects.update(**updates)


class _Markup(HTMLParser):
    """What a browser would run or load from the page."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script {attrs}>")
        if tag == "img" and attributes.get("src") == "x":
            self.problems.append(f"<img {attrs}>")
        self.problems.extend(f"<{tag} {name}=...>" for name in attributes if name.startswith("on"))


def _problems(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    return parser.problems


@pytest.fixture
def hostile_book(db):
    build_demo(customers=40, seed=7, today=timezone.localdate(), write=lambda _: None)
    _poison_every_text_field()


def _busiest_rep() -> User:
    return max(User.objects.filter(role=Role.REP), key=lambda rep: rep.owned_customers.count())


def _pages(user) -> list[str]:
    customers = Customer.objects.visible_to(user)
    richest = max(customers, key=lambda customer: customer.timeline_entries.count())
    return [
        "/today/",
        "/customers/",
        f"/customers/{richest.pk}/",
        "/approvals/",
        "/health/at-risk/",
        "/orders/disruptions/",
    ]


@pytest.mark.parametrize("role", [Role.REP, Role.MANAGER, Role.ADMIN])
def test_hostile_text_in_every_field_is_shown_as_text_on_the_main_pages(client, hostile_book, role):
    user = _busiest_rep() if role == Role.REP else User.objects.filter(role=role).first()
    client.force_login(user)
    for path in _pages(user):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 200, path
        assert "script-src 'self'" in response["Content-Security-Policy"], path
        assert _problems(html) == [], path
        assert SCRIPT_AS_TEXT in html, f"{path} shows none of the hostile text"


def test_the_checker_sees_markup_that_was_not_escaped():
    page = f'<p>{IMG}</p><script src="/static/tend/app.js"></script><b onclick="x()">b</b>'
    assert _problems(page) == [
        "<img [('src', 'x'), ('onerror', 'alert(1)')]>",
        "<img onerror=...>",
        "<b onclick=...>",
    ]
