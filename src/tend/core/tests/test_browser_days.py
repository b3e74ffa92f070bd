"""A day per role in Chromium: the rep, the manager and the admin each walk Today, a customer,
an order and a request, and the browser reports no console error, no script error, no
Content-Security-Policy violation and no failed request along the way.

One small book for all three (``day_book``): customers in three countries for the rep, orders
(one of them late), a promise coming due, and two open requests: the rep's, which the manager
decides, and the manager's own, which only an admin can decide.
"""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tend.accounts.tests.factories import PASSWORD
from tend.approvals import services as approval_services
from tend.approvals.models import ApprovalRequest, RequestKind, RequestState
from tend.customers.models import Customer
from tend.customers.tests.factories import CustomerFactory
from tend.engagement.services import promise_make
from tend.health.services.scoring import score_book
from tend.orders import services as order_services
from tend.orders.models import Order
from tend.orders.tests.factories import ProductFactory

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/role-days")
CHINESE_WEEKDAYS = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]


class Watch:
    """Everything the browser complains about on a page: console errors, uncaught script
    errors, CSP violations (reported by the page itself) and answers of 400 or more."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));"
        )
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console: {message.text} at {message.location['url']}")

    def _request_failed(self, request):
        # A request the browser dropped because the test moved on to the next page (an icon
        # still loading, say) is not the page's fault; a missing file answers 404 instead.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.problems.append(f"failed: {request.url} {request.failure}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def place(by, customer, number, *, ordered_days_ago, promised_in_days, amount="1000"):
    today = timezone.localdate()
    return order_services.order_create(
        by=by,
        customer=customer,
        fields={
            "number": number,
            "order_date": today - timedelta(days=ordered_days_ago),
            "currency": "USD",
            "incoterm": "FOB",
            "promised_ship_date": today + timedelta(days=promised_in_days),
        },
        lines=[
            {
                "product": ProductFactory(sku="KT-300", name="Kettle KT-300"),
                "quantity": Decimal("100"),
                "unit_price": Decimal(amount) / 100,
            }
        ],
    )


@pytest.fixture
def day_book(rep1, manager1, admin_user, book):
    """The rep's customers in the UAE, China and Nigeria, touches overdue; eleven orders for
    the Chinese one (the oldest late), a promise due tomorrow; the rep's pending request for
    the Nigerian one and the manager's own for the UAE one."""
    now = timezone.now()
    al_noor = book["rep1_owned"]
    Customer.objects.filter(pk=al_noor.pk).update(tier="A", touch_due_at=now - timedelta(days=20))
    shanghai = CustomerFactory(
        name="Shanghai Bright Home Co.",
        country="CN",
        city="Shanghai",
        time_zone="Asia/Shanghai",
        tier="B",
        owner=rep1,
        touch_due_at=now - timedelta(days=10),
    )
    lagos = CustomerFactory(
        name="Lagos Kitchenware Ltd",
        country="NG",
        city="Lagos",
        time_zone="Africa/Lagos",
        tier="C",
        owner=rep1,
        touch_due_at=now + timedelta(days=5),
    )
    late = place(rep1, shanghai, "SH-2026-001", ordered_days_ago=60, promised_in_days=-12)
    for index in range(2, 12):
        place(
            rep1,
            shanghai,
            f"SH-2026-{index:03d}",
            ordered_days_ago=60 - index,
            promised_in_days=20 + index,
        )
    place(rep1, lagos, "LG-2026-001", ordered_days_ago=5, promised_in_days=30)
    promise_make(
        by=rep1,
        customer=shanghai,
        kind="quote",
        description="Quote for KT-400",
        due_at=now + timedelta(days=1),
    )
    rep_request = approval_services.request_create(
        by=rep1,
        kind=RequestKind.CREDIT_TERMS,
        customer=lagos,
        reason="A competitor offers them 60 days.",
        proposed={"payment_terms": "60 days net"},
    )
    manager_request = approval_services.request_create(
        by=manager1,
        kind=RequestKind.CREDIT_TERMS,
        customer=al_noor,
        reason="Their best year: they asked for 90 days.",
        proposed={"payment_terms": "90 days net"},
    )
    return {
        "al_noor": al_noor,
        "shanghai": shanghai,
        "lagos": lagos,
        "late": late,
        "rep_request": rep_request,
        "manager_request": manager_request,
    }


def test_a_reps_day(page, rep1, day_book):
    watch = Watch(page)
    al_noor, shanghai = day_book["al_noor"], day_book["shanghai"]
    log_in(page, rep1)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Today")
    first = page.locator("#contact-first")
    expect(first.locator(f"#first-{al_noor.pk}")).to_contain_text("Al Noor Trading")
    expect(first.locator(f"#first-{shanghai.pk}")).to_contain_text("Shanghai Bright Home Co.")
    shot(page, "rep-today")

    # A touch logged from the list replaces its row, without reloading the page.
    page.evaluate("window.tendMarker = 'same page'")
    row = first.locator(f"#first-{al_noor.pk}")
    row.get_by_label("What was said").fill("Called about the spring order")
    row.get_by_role("button", name="Log touch").click()
    expect(first).to_contain_text("Touch logged for Al Noor Trading.")
    assert page.evaluate("window.tendMarker") == "same page"

    # The customer, from the list.
    first.get_by_role("link", name="Shanghai Bright Home Co.").click()
    expect(heading).to_have_text("Shanghai Bright Home Co.")
    page.get_by_text("Log an interaction").click()
    form = page.locator("#log-interaction")
    form.get_by_label("Subject").fill("Asked for 60-day terms")
    form.get_by_role("button", name="Log it").click()
    expect(page.locator("#timeline-entries li").first).to_contain_text("Asked for 60-day terms")
    shot(page, "rep-customer")

    # Its orders, then the late one.
    page.get_by_role("link", name="All 11 orders →").click()
    expect(heading).to_have_text("Orders of Shanghai Bright Home Co.")
    expect(page.locator("#results tbody tr")).to_have_count(11)
    shot(page, "rep-orders")
    page.get_by_role("link", name="SH-2026-001", exact=True).click()
    expect(heading).to_have_text("Order SH-2026-001 · Shanghai Bright Home Co.")
    expect(page.get_by_text("Late by 12 days.")).to_be_visible()
    shot(page, "rep-order")

    # A new order, from the orders page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
    page.get_by_role("link", name="New order").click()
    expect(heading).to_have_text("New order")
    page.get_by_label("For which customer?").fill("Shanghai")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Shanghai Bright Home Co.").click()
    expect(heading).to_have_text("New order for Shanghai Bright Home Co.")
    page.get_by_label("Order number").fill("SH-2026-100")
    page.get_by_label("Promised ship date").fill(
        (timezone.localdate() + timedelta(days=45)).isoformat()
    )
    page.get_by_label("Product (1)").select_option(str(ProductFactory(sku="KT-300").pk))
    page.get_by_label("Quantity (1)").fill("200")
    page.get_by_label("Unit price (1)").fill("9.50")
    expect(page.locator("#order-total")).to_have_text("1900.00 USD")
    # The lines table stays inside its card (its inputs shrink to their columns).
    overflow = page.evaluate(
        "() => document.querySelector('#order-lines').getBoundingClientRect().right"
        " - document.querySelector('#order-form').getBoundingClientRect().right"
    )
    assert overflow < 0, overflow
    shot(page, "rep-order-new")
    page.get_by_role("button", name="Place the order").click()
    expect(page.get_by_role("status").first).to_have_text("Order SH-2026-100 placed.")
    assert Order.objects.get(number="SH-2026-100").amount == Decimal("1900.00")

    # Special terms, asked for from the customer's page.
    page.goto(shanghai.get_absolute_url())
    page.get_by_role("link", name="+ Request special terms / refund / credit terms").click()
    page.get_by_role("link", name="Payment terms or credit limit").click()
    page.get_by_label("New payment terms").fill("60 days net")
    page.get_by_label("Why").fill("They pay on time; the competitor offers 60 days.")
    shot(page, "rep-request-form")
    page.get_by_role("button", name="Ask for approval").click()
    expect(page.get_by_role("status").first).to_have_text("Request sent for approval.")
    asked = ApprovalRequest.objects.get(customer=shanghai)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    expect(heading).to_have_text("Approvals")
    mine = page.locator(f"#mine-{asked.pk}")
    expect(mine).to_contain_text("Shanghai Bright Home Co.")
    expect(mine).to_contain_text("Pending")
    expect(page.locator(f"#mine-{asked.pk}-waiting-on")).to_have_text("Ada Tester, Maria Tester")
    shot(page, "rep-approvals")
    assert watch.problems == []


def test_a_managers_day(page, manager1, rep1, day_book):
    watch = Watch(page)
    request = day_book["rep_request"]
    score_book(run_playbooks=False)
    log_in(page, manager1)
    heading = page.get_by_role("heading", level=1)
    shot(page, "manager-today")

    # In Chinese and back: the heading and the date read as a Chinese reader expects.
    page.get_by_role("button", name="中文").click()
    today = timezone.localdate()
    expect(heading).to_have_text(
        f"今天 {today.year}年{today.month}月{today.day}日 {CHINESE_WEEKDAYS[today.weekday()]}"
    )
    shot(page, "manager-today-zh")
    page.get_by_role("button", name="EN").click()
    expect(heading).to_contain_text("Today")

    # A team member's Today, through the person picker.
    page.get_by_label("Agenda of").select_option(label=str(rep1))
    expect(heading).to_contain_text(f"Today for {rep1}")
    expect(page.locator("#contact-first")).to_contain_text("Shanghai Bright Home Co.")
    shot(page, "manager-today-rep")

    # The rep's request: approved, and applied to the customer.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Approvals").click()
    waiting = page.locator(f"#waiting-{request.pk}")
    expect(waiting).to_contain_text("Lagos Kitchenware Ltd")
    waiting.get_by_role("link", name="Payment terms or credit limit").click()
    shot(page, "manager-request")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").first).to_contain_text("pplied")
    request.refresh_from_db()
    assert request.state == RequestState.APPLIED
    page.get_by_role("link", name="Lagos Kitchenware Ltd").first.click()
    expect(heading).to_have_text("Lagos Kitchenware Ltd")
    terms = page.get_by_role("region", name="Default terms")
    expect(terms.locator("dt:text-is('Payment terms') + dd")).to_have_text("60 days net")

    # The health of the book.
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="At risk").click()
    expect(heading).to_contain_text("Customers at risk")
    shot(page, "manager-at-risk")
    nav.locator(".more summary").click()  # the less used pages are under More
    nav.get_by_role("link", name="Reliability").click()
    expect(heading).to_have_text("Promise reliability")
    cadence = page.get_by_role("row", name=re.compile("^Alice Tester"))
    expect(cadence.locator("td").last).to_have_text("33% (1/3)")
    shot(page, "manager-reliability")

    # Late orders only.
    nav.get_by_role("link", name="Orders").click()
    expect(heading).to_have_text("Orders")
    page.get_by_label("Late or not").select_option("yes")
    expect(page).to_have_url(re.compile(r"[?&]late=yes"))
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("SH-2026-001")
    shot(page, "manager-late-orders")
    assert watch.problems == []


def test_an_admins_day(page, admin_user, manager1, day_book):
    watch = Watch(page)
    request = day_book["manager_request"]
    log_in(page, admin_user)
    heading = page.get_by_role("heading", level=1)
    # Both requests wait for an admin; the orders, placed at list price, were confirmed
    # without asking anyone (whichever browser test ran before this one).
    expect(page.locator("#h-approvals_waiting .badge")).to_have_text("2")
    shot(page, "admin-today")

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Approvals").click()
    waiting = page.locator(f"#waiting-{request.pk}")
    expect(waiting).to_contain_text("Al Noor Trading")
    expect(waiting).to_contain_text(str(manager1))
    waiting.get_by_role("link", name="Payment terms or credit limit").click()
    expect(page.locator("#waiting-on")).to_have_text(str(admin_user))
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").first).to_contain_text("pplied")
    request.refresh_from_db()
    assert request.state == RequestState.APPLIED

    nav.get_by_role("link", name="Orders").click()
    expect(heading).to_have_text("Orders")
    expect(page.locator("#results tbody tr")).to_have_count(12)
    shot(page, "admin-orders")

    nav.locator(".more summary").click()  # the less used pages are under More
    nav.get_by_role("link", name="Settings").click()
    expect(page).to_have_title(re.compile("Site administration"))
    shot(page, "admin-admin")
    page.get_by_role("link", name="Company profile").first.click()
    page.get_by_role("link", name="Add company profile").click()
    page.get_by_label("Name").fill("Ningbo Kettle Works Ltd")
    shot(page, "admin-company")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")

    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Tend API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "admin-api-docs.png"))
    assert watch.problems == []
