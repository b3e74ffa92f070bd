"""The "At risk" page: the latest day's customers ranked by value at risk, what each person may
see, the filters, the summary by level and cause, the export, and a query count that does not
grow with the rows."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tend.customers.models import CustomerStatus
from tend.customers.tests.factories import CustomerFactory
from tend.health.selectors import risk as selectors

from .snapshots import (
    DAY,
    PROMISES,
    PROMISES_TEXT,
    RHYTHM,
    RHYTHM_TEXT,
    SINGLE,
    SINGLE_TEXT,
    score_run,
    snapshot,
)

URL = "/health/at-risk/"
USERS = ["rep1", "rep2", "manager1", "admin_user"]
VISIBLE = {
    "rep1": {"rep1_owned", "rep1_backup", "pool"},
    "rep2": {"rep2_owned", "rep1_backup", "pool"},
    "manager1": {"rep1_owned", "rep1_backup", "pool"},
    "admin_user": {"rep1_owned", "rep2_owned", "rep1_backup", "pool"},
}


@pytest.fixture
def scored(book):
    """The book scored on DAY: two high (a tie on value at risk, broken by risk), one medium
    worth more, and the pool customer low. An older day says otherwise and must not show."""
    book["rep1_owned"].tier = "A"
    book["rep1_owned"].save(update_fields=["tier"])
    snapshot(book["rep1_owned"], risk=0.6, annual=20_000, reasons=[RHYTHM, PROMISES, SINGLE])
    snapshot(book["rep2_owned"], risk=0.3, annual=50_000, reasons=[PROMISES])
    snapshot(book["rep1_backup"], risk=0.8, annual=15_000, reasons=[SINGLE])
    snapshot(book["pool"], risk=0.1, annual=30_000, reasons=[SINGLE])
    snapshot(book["pool"], risk=0.9, annual=30_000, day=DAY - timedelta(days=1))
    score_run()
    return book


def listed(response) -> list[int]:
    """Customer ids in the table, in order."""
    return [int(pk) for pk in re.findall(r'<tr id="at-risk-(\d+)"', response.content.decode())]


def row_html(response, customer) -> str:
    match = re.search(
        rf'<tr id="at-risk-{customer.pk}">(.*?)</tr>', response.content.decode(), re.DOTALL
    )
    assert match, f"{customer} is not listed"
    return match.group(1)


def ids(book, *keys) -> list[int]:
    return [book[key].pk for key in keys]


def test_ranked_by_value_at_risk_then_risk_high_and_medium_by_default(client, admin_user, scored):
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    # 15,000 medium; then two at 12,000: risk 80% before 60%. The low pool customer is left out.
    assert listed(response) == ids(scored, "rep2_owned", "rep1_backup", "rep1_owned")
    assert "scored on 2026-06-01" in response.content.decode()


def test_a_row_shows_level_risk_values_cause_and_the_two_strongest_reasons(
    client, admin_user, scored
):
    client.force_login(admin_user)
    row = row_html(client.get(URL), scored["rep1_owned"])
    assert f'href="/customers/{scored["rep1_owned"].pk}/"' in row
    assert "Al Noor Trading" in row
    assert ">High<" in row and "60%" in row
    assert "12,000" in row and "20,000" in row
    assert "Buying rhythm" in row
    assert RHYTHM_TEXT in row and PROMISES_TEXT in row
    assert SINGLE_TEXT not in row  # the third reason waits for the customer page


def test_amounts_are_in_the_base_currency(client, admin_user, scored, settings):
    settings.TEND_BASE_CURRENCY = "EUR"
    client.force_login(admin_user)
    body = client.get(URL).content.decode()
    assert "Value at risk (EUR)" in body and "Annual value (EUR)" in body


@pytest.mark.parametrize("user", USERS)
def test_each_person_sees_exactly_the_customers_they_may_see(client, request, scored, user):
    client.force_login(request.getfixturevalue(user))
    response = client.get(URL, {"level": "all"})
    assert set(listed(response)) == {scored[key].pk for key in VISIBLE[user]}


FILTERS = [
    # (query as a function of the cast, who looks, expected customers in order)
    (lambda c: {"team": c["team1"].pk}, "admin_user", ["rep1_owned"]),
    (lambda c: {"team": c["team2"].pk}, "admin_user", ["rep2_owned", "rep1_backup"]),
    (lambda c: {"owner": c["rep2"].pk}, "admin_user", ["rep2_owned", "rep1_backup"]),
    (lambda c: {"owner": "pool", "level": "all"}, "admin_user", ["pool"]),
    (lambda c: {"owner": "me"}, "rep1", ["rep1_owned"]),
    (lambda c: {"country": "DE"}, "admin_user", ["rep2_owned", "rep1_backup"]),
    (lambda c: {"tier": "A"}, "admin_user", ["rep1_owned"]),
    (lambda c: {"cause": "service"}, "admin_user", ["rep2_owned"]),
    (lambda c: {"cause": "people", "level": "all"}, "admin_user", ["rep1_backup", "pool"]),
    (lambda c: {"level": "high"}, "admin_user", ["rep1_backup", "rep1_owned"]),
    (lambda c: {"level": "medium"}, "admin_user", ["rep2_owned"]),
    (lambda c: {"level": "low"}, "admin_user", ["pool"]),
    (
        lambda c: {"level": "all"},
        "admin_user",
        ["rep2_owned", "rep1_backup", "rep1_owned", "pool"],
    ),
    (lambda c: {"country": "DE", "level": "high"}, "manager1", ["rep1_backup"]),
]


@pytest.mark.parametrize(("query", "user", "expected"), FILTERS)
def test_filters(client, request, scored, team1, team2, rep1, rep2, query, user, expected):
    cast = {"team1": team1, "team2": team2, "rep1": rep1, "rep2": rep2}
    client.force_login(request.getfixturevalue(user))
    response = client.get(URL, query(cast))
    assert listed(response) == ids(scored, *expected)


def test_a_customer_marked_lost_since_the_scoring_leaves_the_list(client, admin_user, scored):
    scored["rep2_owned"].status = CustomerStatus.LOST
    scored["rep2_owned"].save(update_fields=["status"])
    client.force_login(admin_user)
    assert listed(client.get(URL)) == ids(scored, "rep1_backup", "rep1_owned")


def test_the_summary_adds_up_by_level_and_by_cause(admin_user, scored):
    summary = selectors.at_risk_summary(user=admin_user, filters=selectors.AtRiskFilters())
    assert summary.day == DAY
    assert (summary.count, summary.value_at_risk) == (3, 39_000)
    assert [(b.key, b.count, b.value_at_risk) for b in summary.by_level] == [
        ("high", 2, 24_000),
        ("medium", 1, 15_000),
        ("low", 1, 3_000),
    ]
    assert [(b.label, b.count, b.value_at_risk) for b in summary.by_cause] == [
        ("Service", 1, 15_000),
        ("Buying rhythm", 1, 12_000),
        ("People", 1, 12_000),
    ]


def test_the_summary_is_scoped_like_the_list(rep2, scored):
    summary = selectors.at_risk_summary(user=rep2, filters=selectors.AtRiskFilters())
    assert [(b.key, b.count) for b in summary.by_cause] == [("service", 1), ("people", 1)]
    assert summary.value_at_risk == 27_000


def test_the_page_shows_the_value_at_risk_by_cause(client, manager1, scored):
    client.force_login(manager1)
    body = client.get(URL).content.decode()
    strip = re.search(r'<ul class="cause-strip" id="at-risk-by-cause">(.*?)</ul>', body, re.S)
    assert strip is not None
    causes = re.findall(r"<strong>(.*?)</strong></a> ([\d,]+) USD", strip.group(1))
    assert causes == [("Buying rhythm", "12,000"), ("People", "12,000")]
    assert "2 customers, 24,000 USD at risk" in body


def test_before_any_scoring_the_page_says_to_run_tend_score(client, manager1, book):
    client.force_login(manager1)
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="not-scored"' in body and "<code>tend score</code>" in body
    assert 'id="at-risk-list"' not in body


def test_the_main_navigation_links_to_the_page_and_keeps_lost(client, rep1):
    client.force_login(rep1)
    body = client.get("/customers/").content.decode()
    assert f'<a href="{URL}">At risk</a>' in body
    assert '<a href="/health/lost/">Lost</a>' in body


def test_the_pages_follow_the_filters(client, admin_user, book, settings):
    settings.TEND_PAGE_SIZE = 2
    for i, customer in enumerate(CustomerFactory.create_batch(3, owner=None)):
        snapshot(customer, risk=0.5, annual=1_000 * (i + 1))
    client.force_login(admin_user)
    first = client.get(URL, {"owner": "pool"})
    second = client.get(URL, {"owner": "pool", "page": 2})
    assert len(listed(first)) == 2 and len(listed(second)) == 1
    assert "Page 1 of 2" in first.content.decode()
    assert "?owner=pool&amp;page=2" in first.content.decode()


def test_the_query_count_does_not_grow_with_the_rows(
    client, admin_user, scored, django_assert_max_num_queries
):
    client.force_login(admin_user)
    with django_assert_max_num_queries(9):
        client.get(URL)
    for i, customer in enumerate(CustomerFactory.create_batch(60, owner=None)):
        snapshot(customer, risk=0.5 + i / 200, annual=1_000, reasons=[RHYTHM, PROMISES])
    with django_assert_max_num_queries(9):
        response = client.get(URL)
    assert len(listed(response)) == 50


# --- export ----------------------------------------------------------------------------------


def test_the_csv_export_holds_the_filtered_list_in_order(client, rep2, scored):
    client.force_login(rep2)
    response = client.get(URL + "export/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="at-risk-2026-06-01.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == selectors.EXPORT_HEADERS
    assert [row[:11] for row in rows[1:]] == [
        ["Berlin Haushalt GmbH", str(scored["rep2_owned"].pk), "DE", "C", str(rep2), "Medium",
         "30.0", "15000.00", "50000.00", "USD", "Service"],
        ["Hamburg Küchen AG", str(scored["rep1_backup"].pk), "DE", "C", str(rep2), "High",
         "80.0", "12000.00", "15000.00", "USD", "People"],
    ]  # fmt: skip
    assert rows[1][11] == PROMISES_TEXT
    assert rows[1][16] == "2026-06-01"


def test_the_excel_export_follows_the_filters_and_lists_every_reason(client, admin_user, scored):
    client.force_login(admin_user)
    response = client.get(URL + "export/", {"format": "xlsx", "level": "high"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["Hamburg Küchen AG", "Al Noor Trading"]
    assert rows[2][11] == f"{RHYTHM_TEXT}; {PROMISES_TEXT}; {SINGLE_TEXT}"


def test_an_unknown_export_format_is_refused(client, admin_user, scored):
    client.force_login(admin_user)
    assert client.get(URL + "export/", {"format": "pdf"}).status_code == 400


def _list_figures(user, filters) -> tuple[int, object, dict]:
    """What the list holds, counted in Python from its rows: count, value, and by cause."""
    rows = list(selectors.at_risk_list(user=user, filters=filters))
    by_cause: dict[str, tuple[int, object]] = {}
    for row in rows:
        count, value = by_cause.get(row.cause, (0, 0))
        by_cause[row.cause] = (count + 1, value + row.value_at_risk)
    return len(rows), sum(row.value_at_risk for row in rows), by_cause


@pytest.mark.parametrize("who", ["rep1", "rep2", "manager1", "admin_user"])
def test_the_summary_equals_the_list_after_ownership_changes_and_a_lost_mark(
    request, scored, rep1, rep2, manager1, who
):
    """One definition: the summary's figures are the list's, counted row by row, after the
    book changed under the scoring (a claim, a release, an assignment, a customer lost)."""
    from tend.customers.services import ownership
    from tend.health.services.lost import mark_lost

    user = request.getfixturevalue(who)
    before = _list_figures(user, selectors.AtRiskFilters(levels=()))
    ownership.customer_claim(by=rep2, customer=scored["pool"])
    ownership.customer_release(by=rep2, customer=scored["rep2_owned"], reason="Moving on")
    ownership.customer_assign(by=manager1, customer=scored["rep1_owned"], owner=None)
    mark_lost(scored["rep1_backup"], by=manager1, reason="competition")
    assert _list_figures(user, selectors.AtRiskFilters(levels=())) != before  # it moved
    for filters in [
        selectors.AtRiskFilters(),
        selectors.AtRiskFilters(levels=()),
        selectors.AtRiskFilters(owner="pool", levels=()),
        selectors.AtRiskFilters(country="DE", levels=()),
    ]:
        summary = selectors.at_risk_summary(user=user, filters=filters)
        count, value, by_cause = _list_figures(user, filters)
        assert (summary.count, summary.value_at_risk) == (count, value)
        assert {b.key: (b.count, b.value_at_risk) for b in summary.by_cause} == by_cause
    everything = selectors.at_risk_summary(user=user, filters=selectors.AtRiskFilters(levels=()))
    assert sum(b.count for b in everything.by_level) == everything.count
