"""In a real browser, every main page works under the Content-Security-Policy: no violation is
reported, htmx still swaps, the delete confirmation and the agenda's person picker still work,
and the admin and the API docs render."""

import re

import pytest
from playwright.sync_api import expect

from tend.accounts.tests.factories import PASSWORD
from tend.customers.tests.factories import ContactFactory

pytestmark = pytest.mark.browser

WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def _watch(page) -> list[str]:
    """CSP reports from the console, plus the page's own violation events (read on demand)."""
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(WATCH_VIOLATIONS)
    return console


def _violations(page, console) -> list[str]:
    return console + page.evaluate("window.cspViolations || []")


def _log_in(page, user, path="/accounts/login/"):
    page.goto(path)
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_the_main_pages_run_without_a_policy_violation(page, rep1, book):
    console = _watch(page)
    _log_in(page, rep1)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")

    for path in ("/customers/", "/approvals/", "/health/at-risk/", "/orders/disruptions/"):
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert _violations(page, console) == [], path

    customer = book["rep1_owned"]
    page.goto(f"/customers/{customer.pk}/")
    page.get_by_text("Log an interaction").click()
    form = page.locator("#log-interaction")
    form.get_by_label("Subject").fill("Price list under the policy")
    with page.expect_response(re.compile(r"/engagement/customers/\d+/interactions/")):
        form.get_by_role("button", name="Log it").click()
    expect(page.locator("#timeline-entries")).to_contain_text("Price list under the policy")
    assert _violations(page, console) == []


def test_deleting_a_contact_asks_first_without_inline_script(page, rep1, book):
    console = _watch(page)
    customer = book["rep1_owned"]
    ContactFactory(customer=customer, name="Lin Wei")
    _log_in(page, rep1)
    page.goto(f"/customers/{customer.pk}/")
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("form[data-confirm]").get_by_role("button", name="Delete").first.click()
    assert asked == ["Delete this contact?"]
    assert list(customer.contacts.values_list("name", flat=True)) == ["Lin Wei"]
    assert _violations(page, console) == []


def test_the_agenda_person_picker_submits_on_change(page, manager1, rep1, book):
    console = _watch(page)
    _log_in(page, manager1)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    page.get_by_label("Agenda of").select_option(str(rep1.pk))
    expect(page).to_have_url(re.compile(rf"person={rep1.pk}"))
    assert _violations(page, console) == []


def test_the_admin_and_the_api_docs_run_without_a_policy_violation(page, admin_user, book):
    console = _watch(page)
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()
    page.goto("/admin/accounts/user/")
    page.get_by_role("link", name=admin_user.username).first.click()
    expect(page.locator("#user_form")).to_be_visible()
    assert _violations(page, console) == []

    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tend API")
    assert _violations(page, console) == []
