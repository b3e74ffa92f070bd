"""Placing an order in a real browser: from the customer's page, two lines, the running total
in the order's currency, then the order's page with its status buttons.

Chromium through Playwright against pytest-django's live server (see ``tend.browser_fixtures``).
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tend.accounts.tests.factories import PASSWORD
from tend.orders.models import Order
from tend.orders.tests.factories import ProductFactory, RateFactory

pytestmark = pytest.mark.browser


def test_rep_places_an_order_with_two_lines(page, rep1, book):
    RateFactory(currency="EUR", valid_from=date(2020, 1, 1), rate=Decimal("1.10"))
    kettle, toaster = ProductFactory(sku="KT-1"), ProductFactory(sku="TS-1")
    customer = book["rep1_owned"]
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(rep1.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(customer.get_absolute_url())
    page.get_by_role("link", name="New order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New order for Al Noor Trading")
    page.get_by_label("Order number").fill("SO-2001")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Promised ship date").fill("2030-05-01")
    page.get_by_label("Product (1)").select_option(str(kettle.pk))
    page.get_by_label("Quantity (1)").fill("100")
    page.get_by_label("Unit price (1)").fill("9.90")
    page.get_by_label("Discount % (1)").fill("5")
    page.get_by_label("Product (2)").select_option(str(toaster.pk))
    page.get_by_label("Quantity (2)").fill("20")
    page.get_by_label("Unit price (2)").fill("15")
    expect(page.locator("#order-total")).to_have_text("1240.50 EUR")
    page.get_by_role("button", name="Place the order").click()

    order = Order.objects.get(number="SO-2001")
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/$"))
    expect(page.get_by_role("status").first).to_have_text("Order SO-2001 placed.")
    assert (order.amount, order.currency, order.lines.count()) == (Decimal("1240.50"), "EUR", 2)
    expect(page.get_by_role("button", name="In production")).to_be_visible()
