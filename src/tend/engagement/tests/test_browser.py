"""In a real browser: log an interaction with a promise from the customer's page; it appears on
the timeline and among the open promises without a page reload, and the agenda lists it."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tend.accounts.tests.factories import PASSWORD
from tend.engagement.models import Promise

pytestmark = pytest.mark.browser


def test_log_an_interaction_with_a_promise_without_reloading(page, rep1, book):
    customer = book["rep1_owned"]
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(rep1.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")

    page.goto(f"/customers/{customer.pk}/")
    page.evaluate("window.tendMarker = 'no reload'")
    page.get_by_text("Log an interaction").click()
    form = page.locator("#log-interaction")
    form.get_by_label("Channel").select_option("whatsapp")
    form.get_by_label("Subject").fill("Catalogue for 2027")
    form.get_by_label("We promised").select_option("information")
    due = timezone.localtime() + timedelta(minutes=5)  # due today: on the agenda
    form.get_by_label("by").fill(due.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Details").fill("Send the 2027 catalogue with prices")
    with page.expect_response(re.compile(r"/engagement/customers/\d+/interactions/")):
        form.get_by_role("button", name="Log it").click()

    timeline = page.locator("#timeline-entries")
    expect(timeline.locator("li").first).to_contain_text(
        "Promised: Send the 2027 catalogue with prices"
    )
    expect(timeline).to_contain_text("→ WhatsApp: Catalogue for 2027")
    expect(page.locator("#customer-promises")).to_contain_text(
        "Send the 2027 catalogue with prices"
    )
    assert page.evaluate("window.tendMarker") == "no reload"
    assert Promise.objects.get().customer == customer

    # Due today: the agenda lists it, with one-click closing.
    page.goto("/today/")
    expect(page.locator("#contact-first")).to_contain_text("Send the 2027 catalogue with prices")
    section = page.locator("#section-promises")
    section.locator("> summary").click()  # the sections start collapsed
    expect(section).to_contain_text("Send the 2027 catalogue with prices")
    section.get_by_role("button", name="Done").click()
    expect(section.locator("tbody")).to_contain_text("Kept")
    assert page.evaluate("window.tendMarker === undefined")
