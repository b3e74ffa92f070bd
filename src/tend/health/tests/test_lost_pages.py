"""Lost customers on the pages: the customer page's panel (mark as lost, the record), and the
"Lost and won back" report with its filters, visibility, exports and a pinned query count."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from tend.customers.models import CustomerStatus
from tend.customers.tests.factories import CustomerFactory
from tend.health.causes import LostReason
from tend.health.models import LostRecord
from tend.health.selectors.lost import LostFilters, lost_report
from tend.tasks.models import Task

from .test_lost import place

HTMX = {"HTTP_HX_REQUEST": "true"}


def lost_record(customer, reason, value, days_ago, *, by, competitor="", won_back=None, **extra):
    """A customer lost ``days_ago`` (the scene, written directly), won back by ``won_back``."""
    customer.status = CustomerStatus.WON_BACK if won_back else CustomerStatus.LOST
    customer.save()
    now = timezone.now()
    return LostRecord.objects.create(
        customer=customer,
        reason=reason,
        competitor=competitor,
        annual_value=Decimal(value),
        previous_status="active",
        marked_by=by,
        marked_at=now - timedelta(days=days_ago),
        won_back_at=now - timedelta(days=1) if won_back else None,
        won_back_order=won_back,
        **extra,
    )


@pytest.fixture
def scene(book, rep1, rep2, admin_user):
    """Five lost customers: four in the last 12 months, one won back since; one lost long ago."""
    extra = CustomerFactory(name="Köln Küchen", country="DE", owner=rep1)
    comeback = place(book["rep1_backup"], "SO-BACK", date(2026, 1, 5), "250.00")
    return {
        "rep1_owned": lost_record(
            book["rep1_owned"],
            LostReason.COMPETITION,
            "1000.00",
            10,
            by=rep1,
            win_back_on=date(2030, 6, 1),
        ),
        "rep2_owned": lost_record(
            book["rep2_owned"], LostReason.COMPETITION, "3000.00", 20, by=rep2, competitor="Acme"
        ),
        "rep1_backup": lost_record(
            book["rep1_backup"], LostReason.QUALITY, "1000.00", 30, by=rep2, won_back=comeback
        ),
        "extra": lost_record(extra, LostReason.CLOSED_DOWN, "0.00", 50, by=rep1),
        "pool": lost_record(book["pool"], LostReason.SERVICE, "500.00", 400, by=admin_user),
    }


def period(**filters) -> LostFilters:
    today = timezone.localdate()
    return LostFilters(start=today - timedelta(days=365), end=today, **filters)


def by_reason(report) -> list[tuple]:
    return [
        (row.reason, row.count, row.value, round(row.count_share, 2), round(row.value_share, 2))
        for row in report.by_reason
    ]


# -- the report --------------------------------------------------------------------------------


def test_the_report_counts_and_values_the_lost_by_reason_and_the_won_back(admin_user, scene):
    report = lost_report(user=admin_user, filters=period())

    assert by_reason(report) == [
        ("competition", 2, Decimal("4000.00"), 0.5, 0.8),
        ("quality", 1, Decimal("1000.00"), 0.25, 0.2),
        ("closed_down", 1, Decimal("0.00"), 0.25, 0.0),
    ]
    assert (report.lost_count, report.lost_value) == (4, Decimal("5000.00"))
    assert (report.won_back_count, report.won_back_value, report.won_back_orders_value) == (
        1,
        Decimal("1000.00"),
        Decimal("250.00"),
    )


@pytest.mark.parametrize(
    "who, expected",
    [
        ("rep1", {"Al Noor Trading", "Hamburg Küchen AG", "Köln Küchen"}),
        ("rep2", {"Berlin Haushalt GmbH", "Hamburg Küchen AG"}),
        ("manager1", {"Al Noor Trading", "Hamburg Küchen AG", "Köln Küchen"}),
        (
            "admin_user",
            {"Al Noor Trading", "Berlin Haushalt GmbH", "Hamburg Küchen AG", "Köln Küchen"},
        ),
    ],
)
def test_everyone_sees_only_the_lost_customers_they_may_see(request, client, scene, who, expected):
    client.force_login(request.getfixturevalue(who))

    response = client.get("/health/lost/")

    assert response.status_code == 200
    assert {record.customer.name for record in response.context["page"]} == expected
    assert response.context["report"].lost_count == len(expected)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("reason=competition", {"Al Noor Trading", "Berlin Haushalt GmbH"}),
        ("owner={rep1}", {"Al Noor Trading", "Köln Küchen"}),
        ("country=DE", {"Berlin Haushalt GmbH", "Hamburg Küchen AG", "Köln Küchen"}),
        ("team={team2}", {"Berlin Haushalt GmbH", "Hamburg Küchen AG"}),
        ("owner=pool&start=2020-01-01", {"Pool Imports"}),
    ],
)
def test_the_report_filters_by_reason_owner_country_team_and_period(
    client, admin_user, rep1, team2, scene, query, expected
):
    client.force_login(admin_user)

    response = client.get(f"/health/lost/?{query.format(rep1=rep1.pk, team2=team2.pk)}")

    assert {record.customer.name for record in response.context["page"]} == expected


def test_the_report_page_shows_the_table_the_won_back_and_the_list(client, admin_user, scene):
    client.force_login(admin_user)

    page = client.get("/health/lost/").content.decode()

    assert "<td>4</td>" not in page  # the total is in the footer
    assert "<tfoot><tr><th>Total</th><th>4</th><th>5,000</th>" in page
    assert "1 customer, 1,000 USD a year back (first order 250 USD)" in page
    assert "Acme" in page and "2030-06-01" in page and "SO-BACK" in page
    assert 'href="/health/lost/export/?' in page


def test_the_report_asks_the_same_number_of_queries_for_many_rows(
    client, admin_user, rep1, scene, django_assert_max_num_queries
):
    client.force_login(admin_user)
    with django_assert_max_num_queries(9) as few:
        client.get("/health/lost/")
    for n in range(40):
        lost_record(
            CustomerFactory(owner=rep1),
            LostReason.PEOPLE,
            "10.00",
            5,
            by=rep1,
            competitor=f"Rival {n}",
        )

    with django_assert_max_num_queries(len(few)):
        response = client.get("/health/lost/")

    assert response.context["report"].lost_count == 44


def test_the_main_navigation_links_to_the_report(client, rep1):
    client.force_login(rep1)

    assert '<a href="/health/lost/">Lost</a>' in client.get("/health/lost/").content.decode()


# -- exports -----------------------------------------------------------------------------------

EXPORT_HEADERS = [
    "Customer", "Country", "Reason", "Competitor", "Lost on", "Annual value lost",
    "Win-back date", "Owner", "Marked by", "Won back on", "Won back with order", "Note",
]  # fmt: skip


def test_the_list_exports_to_csv_as_filtered_and_as_seen(client, rep2, scene):
    client.force_login(rep2)

    response = client.get("/health/lost/export/?format=csv&reason=competition")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="lost-customers-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    lost_on = (timezone.localdate() - timedelta(days=20)).isoformat()
    assert rows == [
        EXPORT_HEADERS,
        ["Berlin Haushalt GmbH", "DE", "Went to a competitor", "Acme", lost_on, "3000.00",
         "", "Bob Tester", "Bob Tester", "", "", ""],
    ]  # fmt: skip


def test_the_list_exports_to_excel(client, admin_user, scene):
    client.force_login(admin_user)

    response = client.get("/health/lost/export/?format=xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_HEADERS
    assert [row[0] for row in rows[1:]] == [
        "Al Noor Trading",
        "Berlin Haushalt GmbH",
        "Hamburg Küchen AG",
        "Köln Küchen",
    ]
    hamburg = rows[3]
    assert (hamburg[9].date(), hamburg[10]) == (timezone.localdate() - timedelta(days=1), "SO-BACK")


def test_a_competitor_and_note_typed_like_formulas_export_as_text(client, admin_user, rep1):
    lost_record(
        CustomerFactory(name="@Evil Imports", owner=rep1),
        LostReason.COMPETITION,
        "10.00",
        3,
        by=rep1,
        competitor='=HYPERLINK("http://evil.example")',
        note="+1\x07 call me",
    )
    client.force_login(admin_user)

    text = b"".join(client.get("/health/lost/export/?format=csv").streaming_content)
    [row] = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))[1:]
    response = client.get("/health/lost/export/?format=xlsx")
    cells = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows())[1]

    expected = ["'@Evil Imports", '\'=HYPERLINK("http://evil.example")', "'+1 call me"]
    assert [row[0], row[3], row[11]] == expected
    assert [(cells[i].value, cells[i].data_type) for i in (0, 3, 11)] == [
        (value, "s") for value in expected
    ]


def test_an_unknown_export_format_is_refused(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/health/lost/export/?format=pdf")

    assert (response.status_code, response.content) == (400, b"Unknown format: use csv or xlsx.")


# -- the customer page's panel -----------------------------------------------------------------


def test_the_owner_sees_the_mark_as_lost_form_on_the_customer_page(client, rep1, book):
    client.force_login(rep1)

    page = client.get(f"/customers/{book['rep1_owned'].pk}/").content.decode()

    assert 'id="customer-lost"' in page
    assert f'hx-post="/health/customers/{book["rep1_owned"].pk}/lost/"' in page
    assert '<option value="competition">Went to a competitor</option>' in page


def test_a_rep_who_only_backs_up_a_customer_gets_no_form(client, rep1, book):
    client.force_login(rep1)

    page = client.get(f"/customers/{book['rep1_backup'].pk}/").content.decode()

    assert 'id="customer-lost"' not in page


def test_marking_lost_from_the_panel_reloads_the_page_which_then_shows_the_record(
    client, rep1, book
):
    customer = book["rep1_owned"]
    client.force_login(rep1)
    win_back = timezone.localdate() + timedelta(days=90)

    response = client.post(
        f"/health/customers/{customer.pk}/lost/",
        {
            "reason": "competition",
            "competitor": "Shenzhen Kettle Co",
            "note": "Price.",
            "win_back_on": win_back.isoformat(),
        },
        **HTMX,
    )

    assert (response.status_code, response["HX-Refresh"]) == (204, "true")
    record = LostRecord.objects.get(customer=customer)
    assert (record.reason, record.competitor, record.win_back_on) == (
        "competition",
        "Shenzhen Kettle Co",
        win_back,
    )
    assert Task.objects.get().assignee == rep1
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Went to a competitor · went to <strong>Shenzhen Kettle Co</strong>" in page
    assert f"<dd>{win_back.isoformat()}</dd>" in page
    assert "Mark as lost" not in page
    assert "Al Noor Trading is marked lost." in page


def test_a_bad_win_back_date_comes_back_on_the_form_and_nothing_changes(client, rep1, book):
    customer = book["rep1_owned"]
    client.force_login(rep1)

    response = client.post(
        f"/health/customers/{customer.pk}/lost/",
        {"reason": "quality", "win_back_on": "2020-01-01"},
        **HTMX,
    )

    assert response.status_code == 200
    assert "The win-back date must be after today" in response.content.decode()
    assert not LostRecord.objects.exists()
    customer.refresh_from_db()
    assert customer.status != CustomerStatus.LOST


def test_a_rep_who_does_not_own_the_customer_is_told_and_nothing_changes(client, rep1, book):
    client.force_login(rep1)

    response = client.post(
        f"/health/customers/{book['pool'].pk}/lost/", {"reason": "quality"}, **HTMX
    )

    assert "Only the customer&#x27;s owner, their manager or an admin" in response.content.decode()
    assert not LostRecord.objects.exists()


def test_a_customer_one_cannot_see_is_not_found(client, rep1, book):
    client.force_login(rep1)

    response = client.post(
        f"/health/customers/{book['rep2_owned'].pk}/lost/", {"reason": "quality"}, **HTMX
    )

    assert response.status_code == 404
    assert not LostRecord.objects.exists()


def test_a_won_back_customer_shows_how_it_came_back(client, rep2, scene):
    client.force_login(rep2)

    page = client.get(f"/customers/{scene['rep1_backup'].customer_id}/").content.decode()

    won = scene["rep1_backup"]
    assert (
        f"Won back on {timezone.localtime(won.won_back_at):%Y-%m-%d} with order SO-BACK "
        f"(lost on {timezone.localtime(won.marked_at):%Y-%m-%d}: Quality problems)."
    ) in page


@pytest.mark.parametrize(("parameter", "day"), [("start", "0001-01-01"), ("end", "9999-12-31")])
def test_a_period_at_the_ends_of_the_calendar_is_refused_naming_it(
    client, admin_user, parameter, day
):
    client.force_login(admin_user)

    page = client.get("/health/lost/", {parameter: day})
    export = client.get("/health/lost/export/", {parameter: day, "format": "csv"})

    assert page.status_code == 400
    assert page.context["form"].errors == {
        parameter: ["Pick a date between 1900-01-01 and 2999-12-31."]
    }
    assert (export.status_code, export.content.decode()) == (
        400,
        f"{parameter}: Pick a date between 1900-01-01 and 2999-12-31.",
    )
