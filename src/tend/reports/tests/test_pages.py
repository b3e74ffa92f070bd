"""The report page, its charts, exports, drill-downs and PDF: visibility per role, bad input,
no network, pinned query counts."""

import csv
import io
import socket

import openpyxl
import pytest
from pypdf import PdfReader

from tend.customers.tests.factories import CustomerFactory
from tend.health.tests.test_lost import place
from tend.reports import charts, registry
from tend.reports.pdf import report_pdf

pytestmark = pytest.mark.django_db

Q = "end=2026-06"


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a chart tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_every_chart_renders_as_svg_and_in_the_pdf_with_no_network(
    hand_book, filters, admin_user, no_network
):
    results = [(s, s.compute(filters, admin_user)) for s in registry.sections(admin_user)]
    for _section, result in results:
        svg = charts.svg(result.chart)
        assert svg.startswith("<?xml") and "<svg" in svg
        assert result.chart.title in svg.replace("&#8220;", "“").replace("&#8221;", "”")
    pdf = report_pdf(user=admin_user, filters=filters, results=results)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # The chart's own labels are in the PDF: the cohort triangle's row labels and the revenue
    # retention chart's title (drawn inside the chart, not a paragraph).
    assert "2024 Q3" in text and "+7" in text
    headline = {s.key: r for s, r in results}["revenue_retention"].headline
    assert headline.split(" (")[0] in text.replace("\n", " ")


def test_the_page_shows_every_section_with_chart_caption_sample_and_table(
    client, hand_book, manager1
):
    client.force_login(manager1)

    response = client.get(f"/reports/?{Q}")

    assert response.status_code == 200
    page = response.content.decode()
    for section in registry.sections(manager1):
        assert f'id="section-{section.key}"' in page
        assert f"/reports/{section.key}/chart.svg?end=2026-06" in page
        assert f'id="table-{section.key}"' in page
    assert "n = " in page
    assert '<a href="/reports/">Reports</a>' in page
    # the stored revenue months are never stale, and the page says so
    assert "current to the last order" in page


def test_visibility_per_role(client, hand_book, rep1, rep2, manager1, admin_user):
    """Reps: their own customers; managers: their team and the pool; admins: everything."""
    expected = {rep1: "3000.00", rep2: "1000.00", manager1: "3600.00", admin_user: "4600.00"}
    for user, start in expected.items():
        client.force_login(user)
        response = client.get(f"/reports/?{Q}")
        results = {s.key: r for s, r in response.context["results"]}
        assert results["revenue_retention"].figures["start"] == start, user.username


def test_drill_down_shows_only_customers_the_user_may_see(client, hand_book, rep1, admin_user):
    client.force_login(rep1)
    response = client.get(f"/reports/revenue_retention/customers/?{Q}&drill=all")
    assert [c.name for c in response.context["page"]] == ["Churner", "Expander"]
    client.force_login(admin_user)
    response = client.get(f"/reports/revenue_retention/customers/?{Q}&drill=all:churned&format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["Customer", "Country", "Tier", "Status", "Owner"],
        ["Churner", "AE", "B", hand_book["churner"].get_status_display(), str(rep1)],
    ]


def test_a_section_table_exports_to_excel_and_csv(client, hand_book, admin_user):
    client.force_login(admin_user)

    xlsx = client.get(f"/reports/revenue_retention/export/?{Q}&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("Group", "Customers", "Start revenue")
    assert rows[1][:6] == ("All", 4, 4600, 2000, 600, 500)
    text = b"".join(client.get(f"/reports/cohorts/export/?{Q}").streaming_content).decode()
    assert "2024 Q3,2,1.0,0.0,0.0,0.0,0.5" in text


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/reports/?end=2026-13", "end"),
        ("/reports/?end=99999-01", "end"),
        ("/reports/?team=99999999999999999999999", "team"),
        ("/reports/?tier=Z", "tier"),
        ("/reports/?grain=week", "grain"),
        ("/reports/cohorts/customers/?drill=abc", "drill"),
        ("/reports/churn/customers/?drill=lost-999999", "drill"),
        ("/reports/value_at_risk/customers/?drill=2026-02-30:people", "drill"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, admin_user, url, field):
    client.force_login(admin_user)

    response = client.get(url)

    assert response.status_code == 400
    assert field in response.content.decode()


def test_unknown_sections_and_formats(client, admin_user):
    client.force_login(admin_user)

    assert client.get("/reports/nothing/chart.svg").status_code == 404
    assert client.get("/reports/cohorts/export/?format=pdf").status_code == 400
    assert client.get("/reports/").status_code == 200
    client.logout()
    assert client.get("/reports/").status_code == 302


def test_the_pdf_download(client, hand_book, manager1):
    client.force_login(manager1)

    response = client.get(f"/reports/report.pdf?{Q}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) >= 2


def test_the_page_asks_the_same_number_of_queries_for_more_rows(
    client, hand_book, admin_user, django_assert_max_num_queries
):
    client.force_login(admin_user)
    with django_assert_max_num_queries(40) as few:
        client.get(f"/reports/?{Q}")
    for n in range(15):
        customer = CustomerFactory(owner=hand_book["expander"].owner)
        place(customer, f"SO-MORE-{n}", hand_book["expander"].orders.first().order_date, "10")
    with django_assert_max_num_queries(len(few)):
        response = client.get(f"/reports/?{Q}")
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        client.get(f"/reports/cohorts/chart.svg?{Q}")
    with django_assert_max_num_queries(8):
        client.get(f"/reports/revenue_retention/customers/?{Q}&drill=all")
