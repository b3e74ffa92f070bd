"""The customer page's health panel: the latest score in plain words, every reason, and the
risk over the last 90 days as a small SVG drawn on the server; or "not scored yet"."""

import re
from datetime import date, timedelta

from tend.customers.panels import panel_url
from tend.health.sparkline import risk_sparkline
from tend.health.templatetags.health_risk import customer_health_panel

from .snapshots import (
    DAY,
    PROMISES,
    PROMISES_TEXT,
    RHYTHM,
    RHYTHM_TEXT,
    SINGLE,
    SINGLE_TEXT,
    snapshot,
)


def panel_html(client, customer) -> str:
    body = client.get(panel_url(customer.pk, "health")).content.decode()
    match = re.search(r'<section class="card" id="customer-health".*?</section>', body, re.S)
    assert match, "no health panel on the customer page"
    return match.group(0)


def test_before_any_scoring_the_panel_says_not_scored_yet(client, rep1, book):
    client.force_login(rep1)
    html = panel_html(client, book["rep1_owned"])
    assert "Not scored yet." in html
    assert "<svg" not in html


def test_the_panel_shows_the_latest_score_and_every_reason(client, rep1, book):
    customer = book["rep1_owned"]
    snapshot(customer, risk=0.2, annual=20_000, day=DAY - timedelta(days=7), reasons=[PROMISES])
    snapshot(
        customer,
        risk=0.6,
        annual=20_000,
        reasons=[RHYTHM, PROMISES, SINGLE],
        p_alive=0.347,
        expected_orders_12m=1.54,
        expected_value_12m=3_080,
        clv_36m=8_950,
    )
    client.force_login(rep1)
    html = panel_html(client, customer)
    assert "High risk" in html and "scored on 2026-06-01" in html
    assert "<strong>60%</strong> · mainly Buying rhythm" in html
    assert "12,000 USD" in html and "of 20,000 USD a year" in html
    assert "<dd>35%</dd>" in html  # probability still buying
    assert "1.5 orders expected, worth 3,080 USD" in html
    assert "8,950 USD" in html
    reasons = re.search(r'<ul id="health-reasons">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", reasons) == [RHYTHM_TEXT, PROMISES_TEXT, SINGLE_TEXT]


def test_the_trend_covers_the_90_days_up_to_the_latest_score(client, rep1, book):
    customer = book["rep1_owned"]
    for days_ago, risk in ((120, 0.9), (89, 0.1), (30, 0.3), (0, 0.6)):
        snapshot(customer, risk=risk, day=DAY - timedelta(days=days_ago))
    client.force_login(rep1)
    html = panel_html(client, customer)
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    points = re.search(r'<polyline points="([^"]+)"', svg).group(1).split()
    assert len(points) == 3  # 120 days ago is outside the window
    assert points[0].startswith("3.0,") and points[-1].startswith("237.0,")
    assert 'aria-label="Risk over the last 90 days: from 10% to 60%"' in svg
    assert "2026-03-04 to 2026-06-01, 3 scores" in html
    assert "<script" not in html


def test_the_panel_costs_two_queries(book, django_assert_num_queries):
    customer = book["rep1_owned"]
    for days_ago in range(0, 90, 3):
        snapshot(customer, risk=0.5, day=DAY - timedelta(days=days_ago))
    with django_assert_num_queries(2):
        panel = customer_health_panel(customer)
    assert panel["points"] == 30


def test_a_low_risk_customer_has_no_warning(client, rep1, book):
    snapshot(book["rep1_owned"], risk=0.0, reasons=[])
    client.force_login(rep1)
    html = panel_html(client, book["rep1_owned"])
    assert "Low risk" in html and "No warning signal." in html


# --- the sparkline itself (pure) -------------------------------------------------------------


def test_the_sparkline_places_points_by_day_and_risk():
    start = date(2026, 1, 1)
    svg = risk_sparkline(
        [(start, 0.0), (date(2026, 1, 11), 0.5), (date(2026, 1, 21), 1.0)],
        start=start,
        end=date(2026, 1, 21),
        label="Risk <trend>",
    )
    assert '<polyline points="3.0,45.0 120.0,24.0 237.0,3.0"' in svg
    assert '<circle cx="237.0" cy="3.0"' in svg
    assert 'aria-label="Risk &lt;trend&gt;"' in svg  # escaped


def test_one_score_is_a_dot_and_risk_is_kept_inside_the_box():
    day = date(2026, 1, 1)
    svg = risk_sparkline([(day, 1.7)], start=day, end=day)
    assert "<polyline" not in svg
    assert '<circle cx="3.0" cy="3.0"' in svg
