"""A rep's day in a real browser: log in, create a customer with its first contact, find it
again through the live search, and see a form error where it belongs.

Chromium (Debian's /usr/bin/chromium) through Playwright against pytest-django's live server;
see ``tend.browser_fixtures`` for the launch flags and the skip/fail rule.
"""

import re

import pytest
from playwright.sync_api import expect

from tend.accounts.tests.factories import PASSWORD
from tend.customers.models import Contact, Customer

pytestmark = pytest.mark.browser


def result_count(page):
    """The line above the results: "4 customers", then links to export them."""
    return page.locator("#results > p").first


def log_in(page, user) -> None:
    """Through the login page, as a person would: the list redirects there and back."""
    page.goto("/customers/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/customers/$"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")


def test_rep_creates_customer_with_contact_and_finds_it_through_search(page, rep1, book):
    # rep1 sees what they own, what they back up, and the pool: three customers.
    log_in(page, rep1)
    expect(result_count(page)).to_have_text(re.compile(r"^3 customers\b"))

    page.get_by_role("link", name="New customer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New customer")
    company = page.get_by_role("group", name="Company")
    company.get_by_label("Company name").fill("Gulf Kitchen Supplies LLC")
    company.get_by_label("Country").select_option("AE")
    company.get_by_label("City").fill("Dubai")
    company.get_by_label("Type").select_option(label="Distributor")
    company.get_by_label("Tier").select_option("A")
    company.get_by_label("Status").select_option(label="Active")
    contact = page.get_by_role("group", name="First contact")
    contact.get_by_label("Name").fill("Fatima Al Mansouri")
    contact.get_by_label("Email").fill("Fatima@GulfKitchen.example")
    contact.get_by_label("Phone").fill("050 123 4567")  # written locally, as a UAE rep would
    page.get_by_role("button", name="Create customer").click()

    # The customer page.
    customer = Customer.objects.get(name="Gulf Kitchen Supplies LLC")
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.get_by_role("status")).to_have_text("Customer “Gulf Kitchen Supplies LLC” created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gulf Kitchen Supplies LLC")
    expect(page.locator("main > div p.muted").first).to_contain_text(
        "Distributor · Dubai, United Arab Emirates"
    )
    contacts = page.get_by_role("region", name="Contacts")
    row = contacts.get_by_role("row").filter(has_text="Fatima Al Mansouri")
    expect(row.get_by_role("link", name="+971501234567")).to_have_attribute(
        "href", "tel:+971501234567"
    )
    expect(row.get_by_role("link", name="fatima@gulfkitchen.example")).to_be_visible()
    expect(row).to_contain_text("primary")
    facts = page.get_by_role("region", name="File")
    expect(facts.locator("dt:text-is('Local time') + dd")).to_contain_text("(Asia/Dubai)")
    expect(facts.locator("dt:text-is('Owner') + dd")).to_have_text(str(rep1))
    page.screenshot(path="/tmp/tend-browser-customer.png", full_page=True)

    # What the browser showed is what was stored.
    assert customer.owner == rep1
    assert (customer.country, customer.time_zone, customer.tier) == ("AE", "Asia/Dubai", "A")
    stored = Contact.objects.get(customer=customer)
    assert (stored.phone, stored.email) == ("+971501234567", "fatima@gulfkitchen.example")

    # Back to the list: one more customer.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    expect(page).to_have_url(re.compile(r"/customers/$"))
    count = result_count(page)
    expect(count).to_have_text(re.compile(r"^4 customers\b"))

    # The search updates the results in place (htmx), without reloading the page: a value
    # set on the window before typing survives the new results.
    page.evaluate("window.tendMarker = 'still the same page'")
    search = page.get_by_role("searchbox", name="Search")
    with page.expect_response(
        lambda r: (
            re.search(r"[?&]q=gulf(\+|%20)kit(&|$)", r.url)
            and r.request.headers.get("hx-request") == "true"
        )
    ):
        search.press_sequentially("gulf kit", delay=30)
    expect(count).to_have_text(re.compile(r"^1 customer\b"))
    expect(page).to_have_url(re.compile(r"/customers/\?(.*&)?q=gulf(\+|%20)kit(&|$)"))
    assert page.evaluate("window.tendMarker") == "still the same page"
    results = page.locator("#results tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("United Arab Emirates")
    expect(results.first).to_contain_text("Distributor")
    page.screenshot(path="/tmp/tend-browser-list.png", full_page=True)

    page.get_by_role("link", name="Gulf Kitchen Supplies LLC").click()
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gulf Kitchen Supplies LLC")


def test_a_bad_contact_phone_shows_next_to_its_field_and_creates_nothing(page, rep1, book):
    before = (Customer.objects.count(), Contact.objects.count())
    log_in(page, rep1)
    page.get_by_role("link", name="New customer").click()
    company = page.get_by_role("group", name="Company")
    company.get_by_label("Company name").fill("Sharjah Home Traders")
    company.get_by_label("Country").select_option("AE")
    contact = page.get_by_role("group", name="First contact")
    contact.get_by_label("Name").fill("Omar Haddad")
    contact.get_by_label("Phone").fill("12345")
    page.get_by_role("button", name="Create customer").click()

    # The same form again, the error next to the phone field and described by it.
    expect(page).to_have_url(re.compile(r"/customers/new/$"))
    contact = page.get_by_role("group", name="First contact")
    phone = contact.get_by_label("Phone")
    expect(phone).to_have_value("12345")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_accessible_description(re.compile(r"“12345” is not a valid phone number"))
    field = contact.locator(".field.has-error")
    expect(field).to_have_count(1)
    expect(field.locator(".errorlist")).to_have_text(
        "“12345” is not a valid phone number; write it with the country code, "
        "e.g. +971 50 123 4567."
    )
    expect(field.get_by_label("Phone")).to_be_visible()
    # What was typed is kept, and nothing else is flagged.
    expect(page.get_by_role("group", name="Company").get_by_label("Company name")).to_have_value(
        "Sharjah Home Traders"
    )
    expect(page.locator(".field.has-error")).to_have_count(1)
    assert (Customer.objects.count(), Contact.objects.count()) == before
    assert not Customer.objects.filter(name="Sharjah Home Traders").exists()


def test_the_customer_pages_panels_load_after_the_page(page, rep1, book):
    """The page arrives with placeholders; each panel fills in by itself right after (htmx),
    without scrolling: a printed or full-page view holds every panel."""
    from tend.customers import services

    customer = book["rep1_owned"]
    services.customer_update(by=rep1, customer=customer, fields={"city": "Sharjah"}, tags=None)
    log_in(page, rep1)
    with page.expect_response(re.compile(rf"/customers/{customer.pk}/panels/orders/$")) as orders:
        page.goto(customer.get_absolute_url())
    assert orders.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#customer-orders")).to_contain_text("No orders yet.")
    page.evaluate("window.tendMarker = 'no reload'")
    history = page.locator("#customer-history")
    expect(history).to_contain_text("Sharjah")  # far below the fold, loaded unscrolled
    expect(page.locator(".panel-pending")).to_have_count(0)  # every placeholder swapped
    assert page.evaluate("window.tendMarker") == "no reload"
