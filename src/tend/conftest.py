"""The shared cast, after healthchecks' hc/test.py: two teams, a rep in each, a manager of
team 1, an admin, and customers owned across them plus one in the pool."""

import importlib

import pytest

from tend.accounts.models import Role
from tend.accounts.tests.factories import TeamFactory, UserFactory
from tend.browser_fixtures import browser, page  # noqa: F401  (Playwright fixtures)
from tend.customers.tests.factories import CustomerFactory
from tend.smtp_fixtures import smtp_inbox  # noqa: F401  (real SMTP server for mail tests)

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings, request):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    if "real_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = FAST_HASHERS


# The rows data migrations write, as (module, function): what a deployed database starts with.
DATA_MIGRATIONS = [
    ("tend.approvals.migrations.0002_default_policies", "create"),
    ("tend.health.migrations.0002_default_playbooks", "create"),
    ("tend.health.migrations.0003_playbook_per_owner", "group_departed_owners"),
    ("tend.health.migrations.0004_single_thread_playbook_wording", "forward"),
    ("tend.voice.migrations.0002_default_surveys", "create"),
    ("tend.cases.migrations.0002_default_sla_policies", "create"),
]


@pytest.fixture
def deployed_rows(transactional_db):
    """A transactional test (the browser's live server, real concurrency) starts from a database
    that a transactional test before it emptied, rows of data migrations too (the default
    approval policies, for one). Writing them again makes it start from the database a
    deployment has, whichever test ran before it. (Serialized rollback would too, but clashes
    with the content types that an ordinary flush re-creates.)"""
    from django.apps import apps

    from tend.approvals.models import ApprovalPolicy
    from tend.cases.models import SlaPolicy
    from tend.health.models import PlaybookRule
    from tend.voice.models import Survey

    emptied = {
        "approvals": not ApprovalPolicy.objects.exists(),
        "health": not PlaybookRule.objects.exists(),
        "voice": not Survey.objects.exists(),
        "cases": not SlaPolicy.objects.exists(),
    }
    for module, function in DATA_MIGRATIONS:
        if emptied[module.split(".")[1]]:
            getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def team1(db):
    return TeamFactory(name="Middle East")


@pytest.fixture
def team2(db):
    return TeamFactory(name="Europe")


@pytest.fixture
def rep1(team1):
    return UserFactory(username="alice", first_name="Alice", role=Role.REP, team=team1)


@pytest.fixture
def rep2(team2):
    return UserFactory(username="bob", first_name="Bob", role=Role.REP, team=team2)


@pytest.fixture
def manager1(team1):
    return UserFactory(username="maria", first_name="Maria", role=Role.MANAGER, team=team1)


@pytest.fixture
def admin_user(db):
    return UserFactory(
        username="root",
        first_name="Ada",
        role=Role.ADMIN,
        team=None,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def book(rep1, rep2, manager1, admin_user):
    """One customer owned by each rep, one backed up by rep1, and one in the pool."""
    return {
        "rep1_owned": CustomerFactory(name="Al Noor Trading", owner=rep1),
        "rep2_owned": CustomerFactory(name="Berlin Haushalt GmbH", country="DE", owner=rep2),
        "rep1_backup": CustomerFactory(
            name="Hamburg Küchen AG", country="DE", owner=rep2, backup_owner=rep1
        ),
        "pool": CustomerFactory(name="Pool Imports", owner=None),
    }


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only run in the PostgreSQL half of `make test`."""
    from django.conf import settings

    on_postgres = "postgresql" in settings.DATABASES["default"]["ENGINE"]
    skip = pytest.mark.skip(reason="needs PostgreSQL: runs in the PostgreSQL half of make test")
    for item in items:
        if "postgres_only" in item.keywords and not on_postgres:
            item.add_marker(skip)


def pytest_sessionstart(session):
    import os

    from django.conf import settings

    if (
        os.environ.get("TEND_REQUIRE_POSTGRES")
        and "postgresql" not in settings.DATABASES["default"]["ENGINE"]
    ):
        raise pytest.UsageError("TEND_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")
