"""The whole API, property by property. Schemathesis reads the app's own OpenAPI document
(/api/v1/openapi.json, served in-process over WSGI) and generates requests for every operation,
sent with a rep's and a manager's API token to a small demo book: the documented examples, its
coverage cases (edges, wrong types, missing and unknown fields) and fuzzed ones. Every answer
must be documented: no server error, a documented status code and content type, and a body
that matches the operation's schema for that status.

Odd values are mixed into every generated integer and string (64-bit edges, NUL and escape
codes, the ends of the calendar), and ids of records the user may see into every id, so
requests reach past the validation into the handlers. Derandomized with a fixed seed, so a run
repeats; bounded so the whole module takes about two minutes on SQLite."""

from datetime import UTC, date, datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from tend.accounts.models import User
from tend.accounts.services import api_token_create
from tend.approvals.models import ApprovalRequest
from tend.customers.models import Contact, Territory
from tend.customers.selectors import customers_visible_to
from tend.demo.builder import build_demo
from tend.engagement.models import Interaction, Promise
from tend.market import selectors as market_selectors
from tend.orders.models import Disruption, Product, Sample
from tend.orders.selectors import orders_visible_to
from tend.tasks.models import TaskKind
from tend.tasks.selectors import tasks_visible_to
from tend.tasks.services import create_task
from tend.wsgi import application

DAY = date(2026, 3, 2)
EXAMPLES_PER_OPERATION = 12

ODD_INTEGERS = [2**63, -(2**63) - 1, 2**64, 10**30, 2**31, -1, 0]
ODD_STRINGS = [
    "\x00",
    "a\x00b",
    "\x1b[31m\x07",
    "\u202e",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "  ",
    "1e309",
    "NaN",
    "-0",
    "99999999999999999999999",
]

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260302,
        "dictionaries": {
            "odd_integers": {"values": ODD_INTEGERS},
            "odd_strings": {"values": ODD_STRINGS},
        },
        "generation": {
            "max-examples": EXAMPLES_PER_OPERATION,
            "deterministic": True,
            "database": "none",
            # Our token goes in every request; generated Authorization headers would only be 401s.
            "with-security-parameters": False,
            "dictionaries": {
                "integer": {"dictionary": "odd_integers", "probability": 0.2},
                "string": {"dictionary": "odd_strings", "probability": 0.2},
            },
        },
        "phases": {"stateful": {"enabled": False}},
    }
)
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# The ids of records the current user may see, by the name of the parameter that takes one.
KNOWN_IDS: dict[str, list[int]] = {}
ALIASES = {
    "customer": "customer_id",
    "referred_by_id": "customer_id",
    "owner_id": "person_id",
    "backup_owner_id": "person_id",
    "assignee_id": "person_id",
    "person": "person_id",
    "product_ids": "product_id",
    "order_ids": "order_id",
    "contact_ids": "contact_id",
    "person_ids": "person_id",
    "referrer_id": "customer_id",
    "referred_id": "customer_id",
    "dealer_id": "customer_id",
    "customer_ids": "customer_id",
}


def _with_known_ids(values):
    """``values`` as generated, or with each id-taking entry swapped for a known id."""
    if not isinstance(values, dict):
        return st.just(values)
    swaps = {}
    for name, value in values.items():
        known = KNOWN_IDS.get(ALIASES.get(name, name))
        if not known:
            continue
        one = st.sampled_from(known)
        swaps[name] = st.one_of(
            st.just(value),
            st.lists(one, min_size=1, max_size=2) if isinstance(value, list) else one,
        )
    if not swaps:
        return st.just(values)
    return st.fixed_dictionaries(swaps).map(lambda chosen: {**values, **chosen})


@SCHEMA.hook
def flatmap_path_parameters(context, path_parameters):
    return _with_known_ids(path_parameters)


@SCHEMA.hook
def flatmap_query(context, query):
    return _with_known_ids(query)


@SCHEMA.hook
def flatmap_body(context, body):
    return _with_known_ids(body)


def _first(queryset) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True)[:6])


def _visible_ids(user: User) -> dict[str, list[int]]:
    customers = customers_visible_to(user=user)
    return {
        "customer_id": _first(customers),
        "contact_id": _first(Contact.objects.filter(customer__in=customers)),
        "interaction_id": _first(Interaction.objects.filter(customer__in=customers)),
        "promise_id": _first(Promise.objects.filter(customer__in=customers)),
        "order_id": _first(orders_visible_to(user=user)),
        "sample_id": _first(Sample.objects.filter(customer__in=customers)),
        "task_id": _first(tasks_visible_to(user=user)),
        "request_id": _first(ApprovalRequest.objects.filter(customer__in=customers)),
        "product_id": _first(Product.objects.all()),
        "disruption_id": _first(Disruption.objects.all()),
        "person_id": _first(User.objects.filter(is_active=True)),
        "alert_id": _first(market_selectors.alerts_visible(user=user)),
        "notice_id": _first(market_selectors.notices_visible(user=user)),
        "check_id": _first(market_selectors.checks_visible(user=user)),
        "territory_id": _first(Territory.objects.all()),
        "passed_id": _first(market_selectors.business_passed_visible(user=user)),
    }


@pytest.fixture(scope="module")
def demo_book(django_db_setup, django_db_blocker):
    """A demo book of 30 customers for the module, rolled back at its end; each test runs in a
    savepoint of it. Requests go through the WSGI handler, which would close the connection at
    each request's end: not inside a test's transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo(customers=30, seed=7, today=DAY, write=lambda _: None)
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            yield
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            transaction.set_rollback(True)


@pytest.fixture(params=["kevin", "helen"], ids=["rep", "manager"])
def token(request, demo_book, db):
    """An API token of a rep (kevin) or a manager (helen) of the demo, with the ids they see
    (and an open task of their own: the demo opens few)."""
    user = User.objects.get(username=request.param)
    for customer in customers_visible_to(user=user).order_by("pk")[:2]:
        create_task(
            customer=customer,
            assignee=user,
            kind=TaskKind.CALL,
            title="Call about the spring order",
            due_at=datetime(2026, 3, 4, 9, tzinfo=UTC),
            created_by=user,
        )
    KNOWN_IDS.update(_visible_ids(user))
    _token, key = api_token_create(user=user, name="contract")
    yield key
    KNOWN_IDS.clear()


@SCHEMA.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_answer_is_documented_and_none_is_a_server_error(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
