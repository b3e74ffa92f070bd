"""The report's "Customer voice" section on a hand-made set (report month June 2026):

==========  ============  =====  ==========================
customer    seen by rep1  month  answers
==========  ============  =====  ==========================
rep1_owned  yes           June   NPS 10, NPS 9, CSAT 5
rep1_backup yes           June   NPS 8, CSAT 3
rep2_owned  no            June   NPS 3 (a detractor)
pool        no (pool)     May    NPS 10, NPS 10
==========  ============  =====  ==========================

June for everyone: 2 promoters, 1 passive, 1 detractor → NPS 25, n 4; the values +1 +1 0 −1
have mean 0.25 and plug-in variance 0.75 − 0.0625 = 0.6875, so the margin is
1.96 · sqrt(0.6875 / 4) · 100 = 81.3 points: −56.3 … 106.3. CSAT (5 + 3) / 2 = 4.00, n 2.
The year: 4 promoters, 1 passive, 1 detractor of 6 → NPS 50, inside June's interval."""

from datetime import UTC, date, datetime

import pytest

from tend.reports.registry import ReportFilters, section
from tend.voice.models import SurveyKind

from .test_reports import answer

pytestmark = pytest.mark.django_db

JUNE = ReportFilters(end=date(2026, 6, 1))
JUNE_NUMBER = 2026 * 12 + 5
MID_JUNE = datetime(2026, 6, 15, 12, tzinfo=UTC)
MID_MAY = datetime(2026, 5, 15, 12, tzinfo=UTC)


@pytest.fixture
def voices(book):
    for key, score, kind in [
        ("rep1_owned", 10, SurveyKind.NPS),
        ("rep1_owned", 9, SurveyKind.NPS),
        ("rep1_owned", 5, SurveyKind.CSAT),
        ("rep1_backup", 8, SurveyKind.NPS),
        ("rep1_backup", 3, SurveyKind.CSAT),
        ("rep2_owned", 3, SurveyKind.NPS),
    ]:
        answer(book[key], score, MID_JUNE, kind=kind, days_ago=0)
    for _n in range(2):
        answer(book["pool"], 10, MID_MAY, days_ago=0)
    return book


def last(result, key):
    return result.figures[key][-1]


def test_the_voice_section_counts_the_set_by_hand(voices, admin_user, rep1):
    voice = section("customer_voice")
    result = voice.compute(JUNE, admin_user)
    assert result.figures["months"][-2:] == ["2026-05", "2026-06"]
    assert result.figures["nps"][-2:] == [100.0, 25.0]
    assert result.figures["nps_n"][-2:] == [2, 4]
    assert (last(result, "nps_low"), last(result, "nps_high")) == (-56.3, 106.3)
    assert (result.figures["nps_low"][-2], result.figures["nps_high"][-2]) == (100.0, 100.0)
    assert (last(result, "csat"), last(result, "csat_n")) == (4.0, 2)
    assert result.figures["nps_n"][:-2] == [0] * 10
    assert result.sample == 8
    assert result.headline == "NPS +25 last month (n = 4), within the noise of the year's +50"
    june_row = result.table.rows[-1]
    assert [str(cell) for cell in june_row] == ["2026-06", "25", "4", "-56 … 106", "1", "4.00", "2"]
    drill = june_row[4].drill
    assert drill == f"detractors-{JUNE_NUMBER}"
    assert list(voice.customers(JUNE, admin_user, drill)) == [voices["rep2_owned"]]
    # A rep sees their own book only: no detractor, June 66.7 of 3.
    mine = voice.compute(JUNE, rep1)
    assert (last(mine, "nps"), last(mine, "nps_n")) == (66.7, 3)
    assert mine.figures["nps_n"][-2] == 0  # the pool is nobody's result
    assert not voice.customers(JUNE, rep1, drill).exists()
    for bad in ("detractors-x", "detractors-1", "breach-1", f"detractors-{JUNE_NUMBER + 1}"):
        assert voice.customers(JUNE, admin_user, bad) is None


@pytest.mark.parametrize("who, sees", [("admin_user", True), ("rep1", False), ("rep2", True)])
def test_the_detractors_drill_down_shows_only_visible_customers(
    voices, client, request, who, sees, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(who))
    with django_assert_max_num_queries(8):
        response = client.get(
            f"/reports/customer_voice/customers/?end=2026-06&drill=detractors-{JUNE_NUMBER}"
        )
    assert response.status_code == 200
    assert ("Berlin Haushalt GmbH" in response.content.decode()) is sees


def test_the_report_page_shows_the_section_with_its_figures(voices, client, admin_user):
    client.force_login(admin_user)
    page = client.get("/reports/?end=2026-06").content.decode()
    assert "Customer voice" in page
    assert "within the noise of the year" in page


@pytest.mark.parametrize("key", ["customer_voice", "service_cases"])
def test_the_sections_chart_export_and_pdf_render(voices, client, admin_user, key):
    client.force_login(admin_user)
    chart = client.get(f"/reports/{key}/chart.svg?end=2026-06")
    assert chart.status_code == 200 and b"<svg" in chart.content
    export = client.get(f"/reports/{key}/export/?end=2026-06")
    assert export.status_code == 200 and b"2026-06" in b"".join(export.streaming_content)
    assert client.get("/reports/report.pdf?end=2026-06").content.startswith(b"%PDF")
