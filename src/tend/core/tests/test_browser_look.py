"""In Chromium: the pages look finished. The navigation fits on one line at common laptop
widths, disabled buttons look disabled, the browser finds its icon, and logging an interaction
leaves the console clean."""

import os

import pytest
from playwright.sync_api import expect

from tend.accounts.tests.factories import PASSWORD
from tend.engagement.services import interaction_log

pytestmark = pytest.mark.browser

SCREENSHOTS = os.environ.get("TEND_SCREENSHOTS", "")


def _log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png")


def test_logging_an_interaction_on_a_busy_timeline_leaves_the_console_clean(page, rep1, book):
    customer = book["rep1_owned"]
    interaction_log(by=rep1, customer=customer, channel="call", direction="out", subject="Hello")
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in {"error", "warning"} else 0)
    page.on("pageerror", lambda error: problems.append(str(error)))
    _log_in(page, rep1)
    page.goto(f"/customers/{customer.pk}/")
    page.get_by_text("Log an interaction").click()
    form = page.locator("#log-interaction")
    form.get_by_label("Subject").fill("Second call")
    with page.expect_response(lambda r: "/interactions/" in r.url) as answer:
        form.get_by_role("button", name="Log it").click()
    assert answer.value.status == 200
    expect(page.locator("#timeline-entries li").first).to_contain_text("Second call")
    page.wait_for_timeout(300)  # htmx logs after settling
    _shot(page, "timeline")
    assert problems == []


@pytest.mark.parametrize("width", [1400, 1280])
def test_the_navigation_fits_on_one_line(page, admin_user, team1, width):
    """An admin in a team sees every item (Handover and Settings too): the longest bar."""
    admin_user.team = team1
    admin_user.save()
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, admin_user)
    _shot(page, f"nav-{width}")
    middles = page.eval_on_selector_all(
        "header.top nav > a, header.top nav .more summary, header.top .me summary",
        "els => els.map(e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2 })",
    )
    assert len(middles) >= 9
    assert max(middles) - min(middles) < 4, middles
    header = page.locator("header.top").bounding_box()
    assert header["height"] < 60
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width
    # The other pages open from "More".
    page.locator("header.top nav .more summary").click()
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
    page.locator("header.top nav .more summary").click()
    # The account links open from the name.
    page.locator("header.top .me summary").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    _shot(page, f"nav-{width}-menu")


def test_a_disabled_button_looks_disabled(page, rep1):
    _log_in(page, rep1)
    page.set_content(
        "<link rel='stylesheet' href='/static/tend/app.css'>"
        "<button id='on'>Save</button> <button id='off' disabled>Save</button>"
        "<button id='off2' class='secondary' disabled>Save</button>"
    )

    def look(selector):
        return page.eval_on_selector(
            selector,
            "e => { const s = getComputedStyle(e); return [s.opacity, s.cursor]; }",
        )

    assert look("#on") == ["1", "pointer"]
    assert look("#off") == ["0.45", "not-allowed"]
    assert look("#off2") == ["0.45", "not-allowed"]


def test_the_browser_finds_the_icon(page, rep1):
    _log_in(page, rep1)
    href = page.eval_on_selector("link[rel=icon]", "e => e.href")
    assert page.request.get(href).status == 200
    icon = page.request.get("/favicon.ico")
    assert icon.status == 200
    assert icon.headers["content-type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
