"""The answer page on a phone in Chromium: readable without sideways scrolling, buttons big
enough to tap, no script or policy errors; opening records nothing, a tap records once."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.voice import services
from tend.voice.models import SurveyAnswer, SurveyOptOut

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, deployed_rows):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="en-US",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective));"
    )
    try:
        yield page, problems
    finally:
        context.close()


def test_answering_on_a_phone(phone):
    page, problems = phone
    customer = CustomerFactory(name="Shenzhen Home Ltd", country="CN")
    ContactFactory(customer=customer, name="Li Wei", is_primary=True)
    result = services.survey_request(customer=customer, kind="nps", trigger="manual")
    assert result.sent
    path = "/voice/a/" + mail.outbox[-1].body.split("/voice/a/")[1].split("/")[0] + "/"

    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_contain_text("recommend us")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    buttons = page.locator(".choices button")
    expect(buttons).to_have_count(11)
    for index in (0, 10):
        box = buttons.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert not SurveyAnswer.objects.exists()  # opening the page records nothing

    page.get_by_label("What is the main reason for your score?").fill("Quick answers")
    page.get_by_role("button", name="9", exact=True).tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answer.")
    answer = SurveyAnswer.objects.get()
    assert (answer.score, answer.comment) == (9, "Quick answers")

    page.go_back()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("already been answered")
    page.get_by_role("button", name="Do not send me surveys again").tap()
    expect(page.get_by_role("heading", level=1)).to_contain_text("not receive surveys")
    assert SurveyOptOut.objects.filter(contact__name="Li Wei").exists()
    assert SurveyAnswer.objects.count() == 1
    # The used link's page is a 410 on purpose; the browser logs that, and nothing else.
    assert [p for p in problems if "status of 410" not in p] == []
