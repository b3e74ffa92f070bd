"""In a real browser: Today opens on the "contact first" list; a touch logged there replaces
its row; a collapsed section loads its rows when opened, and pages on, without a reload; no
console errors."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tend.accounts.tests.factories import PASSWORD
from tend.customers.tests.factories import CustomerFactory
from tend.engagement.models import Interaction

pytestmark = pytest.mark.browser


def test_today_ranks_then_collapses_and_pages(page, rep1):
    now = timezone.now()
    overdue = [
        CustomerFactory(
            name=f"Overdue {index:02d}",
            tier="C",
            owner=rep1,
            touch_due_at=now - timedelta(days=30 - index),
            pool_return_at=now + timedelta(days=300),
        )
        for index in range(14)
    ]
    Interaction.objects.create(
        customer=overdue[13],
        channel="email",
        direction="in",
        logged_by=rep1,
        # Ten days: past the alert's 24 working hours in Dubai whatever holidays fall between.
        at=now - timedelta(days=10),
        needs_answer=True,
        subject="Price for KT-300?",
    )
    errors = []

    def on_console(message):
        # The browser asks for /favicon.ico on its own; Tend has none (not this page's doing).
        if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
            errors.append(f"{message.text} at {message.location['url']}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(rep1.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")

    first = page.locator("#contact-first tbody tr")
    expect(first).to_have_count(12)
    # The inquiry lifts the least overdue customer to the top.
    expect(first.first).to_contain_text("Overdue 13")
    expect(first.first).to_contain_text("Inquiry unanswered since")
    # The collapsed sections carry their title and count, not their rows.
    expect(page.locator("#h-touches .badge")).to_have_text("14")
    expect(page.locator("#section-touches tbody tr")).to_have_count(0)
    page.screenshot(path="/tmp/today_work/today.png", full_page=True)

    row = page.locator(f"#first-{overdue[0].pk}")
    row.get_by_role("button", name="Log touch").click()
    expect(page.locator("#contact-first")).to_contain_text("Touch logged for Overdue 00.")

    section = page.locator("#section-touches")
    with page.expect_response(lambda response: "/today/section/touches/" in response.url):
        section.locator("> summary").click()
    expect(section.locator("tbody tr")).to_have_count(10)
    expect(section).to_contain_text("1–10 of 13")
    page.evaluate("window.tendMarker = 'no reload'")
    section.get_by_role("link", name="Next →").click()
    expect(section).to_contain_text("11–13 of 13")
    expect(section.locator("tbody tr")).to_have_count(3)
    assert page.evaluate("window.tendMarker") == "no reload"
    page.screenshot(path="/tmp/today_work/today_paged.png", full_page=True)
    assert errors == []
