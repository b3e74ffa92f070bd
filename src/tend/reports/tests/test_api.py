"""The report's figures as JSON, with the page's visibility and its refusals."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_lists_the_sections_and_returns_a_sections_figures(client, hand_book, rep1):
    client.force_login(rep1)

    sections = client.get("/api/v1/reports").json()
    body = client.get("/api/v1/reports/revenue_retention?end=2026-06").json()

    assert [s["key"] for s in sections][:5] == [
        "cohorts",
        "revenue_retention",
        "churn",
        "reliability",
        "value_at_risk",
    ]
    assert body["end"] == "2026-06"
    assert body["figures"]["start"] == "3000.00"  # rep1's own customers only
    assert body["figures"]["nrr"] == pytest.approx(0.5)
    assert body["headers"][:2] == ["Group", "Customers"]
    assert body["rows"][0][:6] == ["All", 2, "3000.00", "2000.00", "0.00", "500.00"]
    assert body["sample"] == 2


def test_an_admin_sees_the_whole_book(client, hand_book, admin_user):
    client.force_login(admin_user)

    body = client.get("/api/v1/reports/revenue_retention?end=2026-06").json()

    assert body["figures"]["start"] == "4600.00"


@pytest.mark.parametrize(
    ("query", "field"),
    [("end=2026-13", "end"), ("end=26-1", "end"), ("tier=Q", "tier"), ("grain=day", "grain"),
     ("team_id=0", "team_id"), ("team_id=99999999999999999999", "team_id")],
)  # fmt: skip
def test_bad_parameters_are_a_422_naming_the_field(client, admin_user, query, field):
    client.force_login(admin_user)

    response = client.get(f"/api/v1/reports/cohorts?{query}")

    assert response.status_code == 422
    assert field in str(response.json())


def test_unknown_sections_and_teams_are_404(client, admin_user):
    client.force_login(admin_user)

    assert client.get("/api/v1/reports/nothing").status_code == 404
    assert client.get("/api/v1/reports/cohorts?team_id=424242").status_code == 404


def test_the_api_needs_a_login(client):
    assert client.get("/api/v1/reports").status_code == 401
