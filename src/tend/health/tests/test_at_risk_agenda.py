"""The agenda's "Your customers at high risk" section: only the person's own customers, high
risk on the latest day, ranked by value at risk, with the strongest reason; a digest line; a
bounded number of queries."""

from datetime import UTC, datetime, timedelta

from tend.agenda import registry
from tend.agenda.views import agenda_context
from tend.customers.models import CustomerStatus
from tend.customers.tests.factories import CustomerFactory

from .snapshots import DAY, PROMISES, RHYTHM, RHYTHM_TEXT, SINGLE, snapshot

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)
KEY = "health_at_risk"


def section():
    return next(s for s in registry.sections() if s.key == KEY)


def rows(user, limit=50):
    return section().rows(agenda_context(user=user, viewer=user, now=NOW), limit)


def test_my_own_customers_at_high_risk_ranked_by_value_at_risk(book, rep1, rep2):
    bigger = CustomerFactory(name="Doha Home Supplies", owner=rep1)
    snapshot(book["rep1_owned"], risk=0.6, annual=20_000, reasons=[RHYTHM, PROMISES])
    snapshot(bigger, risk=0.55, annual=40_000, reasons=[PROMISES])
    snapshot(CustomerFactory(owner=rep1), risk=0.4, annual=90_000)  # medium: not here
    snapshot(book["rep1_backup"], risk=0.9, annual=90_000, reasons=[SINGLE])  # backed up only
    snapshot(book["pool"], risk=0.9, annual=90_000)  # the pool is nobody's own
    lost = CustomerFactory(owner=rep1, status=CustomerStatus.LOST)
    snapshot(lost, risk=0.9, annual=90_000)
    stale = CustomerFactory(owner=rep1)
    snapshot(stale, risk=0.9, annual=90_000, day=DAY - timedelta(days=1))
    snapshot(stale, risk=0.1, annual=90_000)

    result = rows(rep1)

    assert result.total == 2
    assert [row.customer for row in result.rows] == [bigger, book["rep1_owned"]]
    assert [row.customer for row in rows(rep2).rows] == [book["rep1_backup"]]


def test_the_digest_line_says_value_risk_and_the_strongest_reason(book, rep1):
    snapshot(book["rep1_owned"], risk=0.6, annual=20_000, reasons=[RHYTHM, PROMISES])
    line = section().digest_line(rows(rep1).rows[0])
    assert line == f"Al Noor Trading: 12,000 USD at risk (60%) — {RHYTHM_TEXT}"


def test_nothing_before_the_first_scoring(book, rep1):
    result = rows(rep1)
    assert (result.total, result.rows) == (0, [])


def test_the_query_count_does_not_grow_with_the_rows(book, rep1, django_assert_num_queries):
    for customer in CustomerFactory.create_batch(30, owner=rep1):
        snapshot(customer, risk=0.7, annual=5_000)
    context = agenda_context(user=rep1, viewer=rep1, now=NOW)
    with django_assert_num_queries(2):  # a count and a page, the latest day a subquery
        result = section().rows(context, 20)
    assert (result.total, len(result.rows)) == (30, 20)


def test_the_agenda_page_shows_the_section_with_links(client, book, rep1):
    snapshot(book["rep1_owned"], risk=0.6, annual=20_000, reasons=[RHYTHM])
    client.force_login(rep1)
    body = client.get("/today/").content.decode()
    assert 'id="section-health_at_risk"' in body
    assert f'href="/customers/{book["rep1_owned"].pk}/#customer-health"' in body
    assert RHYTHM_TEXT in body


def test_the_api_agenda_carries_the_section(client, book, rep1):
    snapshot(book["rep1_owned"], risk=0.6, annual=20_000, reasons=[RHYTHM])
    client.force_login(rep1)
    sections = client.get("/api/v1/agenda").json()["sections"]
    found = next(s for s in sections if s["key"] == KEY)
    assert found["total"] == 1
    assert found["items"][0]["customer_id"] == book["rep1_owned"].pk
    assert found["items"][0]["text"].endswith(RHYTHM_TEXT)
