"""Playwright fixtures for the browser tests: Debian's Chromium against pytest-django's
``live_server``.

Playwright's own browser download cannot work here, so the tests drive ``/usr/bin/chromium``.
Without it the browser tests are skipped, except under ``CI=true`` where they fail: CI must run
them (``make browser`` installs Chromium with apt when run as root).

Playwright's sync API keeps an asyncio event loop running in the test's thread, which makes
Django refuse ORM calls there (SynchronousOnlyOperation). Each browser test therefore sets
``DJANGO_ALLOW_ASYNC_UNSAFE`` for its own duration only, and Playwright is started and stopped
per test, so no later test in the session runs under a live event loop.
"""

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path(os.environ.get("TEND_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these three, Chromium's own background connections get refused here and
    # page loads stall.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = (
        f"Chromium not found at {CHROMIUM}: install it with `sudo apt-get install chromium` "
        "(or `make browser` as root) to run the browser tests."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true, so browser tests may not be skipped. {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium, launched for this test only."""
    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
            # While Playwright runs, Django keeps the thread's database connections in an
            # async-context store (asgiref sees a running loop), apart from the ones the
            # test database teardown closes. Close them here, or PostgreSQL refuses to drop
            # the test database ("being accessed by other users").
            connections.close_all()


@pytest.fixture
def page(browser, live_server, deployed_rows):
    """A fresh browser page (own cookies) whose relative URLs go to the live server, on the
    database a deployment starts with."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
