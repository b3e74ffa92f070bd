"""Customer health through the API: the at-risk list with the page's filters and paging, one
customer's health and history (404 for customers you may not see), the playbooks and the runs."""

from datetime import timedelta

import pytest

from tend.health.models import PlaybookRule, PlaybookStep

from .snapshots import (
    DAY,
    PROMISES,
    PROMISES_TEXT,
    RHYTHM,
    RHYTHM_TEXT,
    SINGLE,
    score_run,
    snapshot,
)

USERS = ["rep1", "rep2", "manager1", "admin_user"]
CUSTOMERS = ["rep1_owned", "rep2_owned", "rep1_backup", "pool"]
VISIBLE = {
    "rep1": {"rep1_owned", "rep1_backup", "pool"},
    "rep2": {"rep2_owned", "rep1_backup", "pool"},
    "manager1": {"rep1_owned", "rep1_backup", "pool"},
    "admin_user": set(CUSTOMERS),
}
MATRIX = [(user, customer) for user in USERS for customer in CUSTOMERS]


@pytest.fixture
def scored(book):
    snapshot(book["rep1_owned"], risk=0.6, annual=20_000, reasons=[RHYTHM, PROMISES])
    snapshot(book["rep2_owned"], risk=0.3, annual=50_000, reasons=[PROMISES])
    snapshot(book["rep1_backup"], risk=0.8, annual=15_000, reasons=[SINGLE])
    snapshot(book["pool"], risk=0.1, annual=30_000, reasons=[SINGLE])
    return book


def names(body) -> list[str]:
    return [row["customer_name"] for row in body["results"]]


def test_the_list_is_ranked_with_reasons_as_text_and_codes(client, admin_user, rep1, scored):
    client.force_login(admin_user)
    body = client.get("/api/v1/health/at-risk").json()
    assert (body["count"], body["day"], body["currency"]) == (3, "2026-06-01", "USD")
    assert names(body) == ["Berlin Haushalt GmbH", "Hamburg Küchen AG", "Al Noor Trading"]
    row = body["results"][2]
    assert {k: row[k] for k in ("customer_id", "country", "tier", "owner_id", "owner_name")} == {
        "customer_id": scored["rep1_owned"].pk,
        "country": "AE",
        "tier": "C",
        "owner_id": rep1.pk,
        "owner_name": str(rep1),
    }
    assert (row["level"], row["risk"], row["cause"]) == ("high", 0.6, "rhythm")
    assert (row["value_at_risk"], row["annual_value"]) == ("12000.00", "20000.00")
    assert row["reasons"] == [
        {"code": "rhythm_break", "cause": "rhythm", "weight": 0.5, "text": RHYTHM_TEXT,
         "params": {"days": 200, "gap": 30}},
        {"code": "broken_promises", "cause": "service", "weight": 0.3, "text": PROMISES_TEXT,
         "params": {"count": 2}},
    ]  # fmt: skip


@pytest.mark.parametrize("user", USERS)
def test_the_list_holds_only_visible_customers(client, request, scored, user):
    client.force_login(request.getfixturevalue(user))
    body = client.get("/api/v1/health/at-risk", {"all_levels": "true"}).json()
    assert {row["customer_id"] for row in body["results"]} == {
        scored[key].pk for key in VISIBLE[user]
    }
    assert body["count"] == len(VISIBLE[user])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"country": "DE"}, ["Berlin Haushalt GmbH", "Hamburg Küchen AG"]),
        ({"cause": "people", "all_levels": "true"}, ["Hamburg Küchen AG", "Pool Imports"]),
        ({"level": "high"}, ["Hamburg Küchen AG", "Al Noor Trading"]),
        ({"level": "low"}, ["Pool Imports"]),
        ({"pool": "true", "all_levels": "true"}, ["Pool Imports"]),
        ({"tier": "B"}, []),
    ],
)
def test_the_list_filters(client, admin_user, scored, query, expected):
    client.force_login(admin_user)
    assert names(client.get("/api/v1/health/at-risk", query).json()) == expected


def test_the_list_filters_by_owner_and_team(client, admin_user, rep2, team1, scored):
    client.force_login(admin_user)
    by_owner = client.get("/api/v1/health/at-risk", {"owner_id": rep2.pk}).json()
    by_team = client.get("/api/v1/health/at-risk", {"team_id": team1.pk}).json()
    assert names(by_owner) == ["Berlin Haushalt GmbH", "Hamburg Küchen AG"]
    assert names(by_team) == ["Al Noor Trading"]


def test_the_list_pages(client, admin_user, scored):
    client.force_login(admin_user)
    body = client.get("/api/v1/health/at-risk", {"page_size": 2, "page": 2}).json()
    assert (body["count"], body["page"], body["page_size"]) == (3, 2, 2)
    assert names(body) == ["Al Noor Trading"]


def test_an_unknown_level_is_refused(client, admin_user, scored):
    client.force_login(admin_user)
    response = client.get("/api/v1/health/at-risk", {"level": "extreme"})
    assert response.status_code == 422
    assert "level" in response.json()["errors"]


def test_before_any_scoring_the_list_is_empty(client, admin_user, book):
    client.force_login(admin_user)
    body = client.get("/api/v1/health/at-risk").json()
    assert (body["count"], body["day"], body["results"]) == (0, None, [])


def test_the_list_needs_a_login(client, scored):
    assert client.get("/api/v1/health/at-risk").status_code == 401


# --- one customer ----------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "customer"), MATRIX)
def test_a_customers_health_is_readable_exactly_when_the_customer_is(
    client, request, scored, user, customer
):
    client.force_login(request.getfixturevalue(user))
    pk = scored[customer].pk
    expected = 200 if customer in VISIBLE[user] else 404
    assert client.get(f"/api/v1/customers/{pk}/health").status_code == expected
    assert client.get(f"/api/v1/customers/{pk}/health/history").status_code == expected


def test_a_customers_health_in_full(client, rep1, book):
    snapshot(
        book["rep1_owned"],
        risk=0.6,
        annual=20_000,
        reasons=[RHYTHM],
        p_alive=0.35,
        expected_orders_12m=1.5,
        expected_value_12m=3_000,
        clv_36m=9_000,
        days_since_last_order=200,
        usual_gap_days=30.0,
        revenue_12m=8_000,
        revenue_prev_12m=20_000,
    )
    client.force_login(rep1)
    body = client.get(f"/api/v1/customers/{book['rep1_owned'].pk}/health").json()
    assert body == {
        "customer_id": book["rep1_owned"].pk,
        "day": "2026-06-01",
        "level": "high",
        "risk": 0.6,
        "cause": "rhythm",
        "value_at_risk": "12000.00",
        "annual_value": "20000.00",
        "currency": "USD",
        "p_alive": 0.35,
        "expected_orders_12m": 1.5,
        "expected_value_12m": "3000.00",
        "clv_36m": "9000.00",
        "days_since_last_order": 200,
        "usual_gap_days": 30.0,
        "revenue_12m": "8000.00",
        "revenue_prev_12m": "20000.00",
        "reasons": [
            {"code": "rhythm_break", "cause": "rhythm", "weight": 0.5, "text": RHYTHM_TEXT,
             "params": {"days": 200, "gap": 30}},
        ],
    }  # fmt: skip


def test_a_customer_not_scored_yet_is_a_404_that_says_so(client, rep1, book):
    client.force_login(rep1)
    response = client.get(f"/api/v1/customers/{book['rep1_owned'].pk}/health")
    assert response.status_code == 404
    assert response.json() == {"message": "Not scored yet.", "errors": {}}


def test_the_history_is_oldest_first_within_the_days_asked(client, rep1, book):
    customer = book["rep1_owned"]
    for days_ago, risk in ((100, 0.9), (20, 0.3), (0, 0.6)):
        snapshot(customer, risk=risk, annual=10_000, day=DAY - timedelta(days=days_ago))
    client.force_login(rep1)
    url = f"/api/v1/customers/{customer.pk}/health/history"
    assert client.get(url).json() == [
        {"day": "2026-05-12", "risk": 0.3, "level": "medium", "value_at_risk": "3000.00"},
        {"day": "2026-06-01", "risk": 0.6, "level": "high", "value_at_risk": "6000.00"},
    ]
    assert len(client.get(url, {"days": 365}).json()) == 3
    assert client.get(url, {"days": 0}).status_code == 422


# --- playbooks and runs ----------------------------------------------------------------------


def test_the_playbooks_with_their_steps(client, rep1, db):
    PlaybookRule.objects.all().delete()
    rule = PlaybookRule.objects.create(
        name="Broken promises: manager calls", cause="service", tiers="A,B", cooldown_days=14
    )
    PlaybookStep.objects.create(
        rule=rule, kind="call", assignee="manager", due_in_days=3, title="Call"
    )
    PlaybookStep.objects.create(rule=rule, kind="email", due_in_days=1, title="Write first")
    client.force_login(rep1)
    assert client.get("/api/v1/health/playbooks").json() == [
        {
            "id": rule.pk,
            "name": "Broken promises: manager calls",
            "cause": "service",
            "signal": "",
            "min_level": "high",
            "tiers": "A,B",
            "cooldown_days": 14,
            "per_owner": False,
            "active": True,
            "steps": [
                {"kind": "email", "assignee": "owner", "due_in_days": 1, "title": "Write first"},
                {"kind": "call", "assignee": "manager", "due_in_days": 3, "title": "Call"},
            ],
        }
    ]


def test_the_default_playbooks_are_listed_in_two_queries(
    client, rep1, db, django_assert_max_num_queries
):
    client.force_login(rep1)
    with django_assert_max_num_queries(4):  # session, user, rules, steps
        rules = client.get("/api/v1/health/playbooks").json()
    assert len(rules) == PlaybookRule.objects.count() > 0
    assert all(rule["steps"] for rule in rules)


def test_the_score_runs_newest_first_with_timings(client, rep1, manager1, db):
    score_run(DAY - timedelta(days=1))
    latest = score_run(DAY, customers=4)
    client.force_login(rep1)
    refused = client.get("/api/v1/health/runs")
    assert refused.status_code == 403
    assert "managers and admins only" in refused.json()["message"]
    client.force_login(manager1)
    runs = client.get("/api/v1/health/runs").json()
    assert [run["day"] for run in runs] == ["2026-06-01", "2026-05-31"]
    assert runs[0]["id"] == latest.pk
    assert runs[0]["customers"] == 4
    assert runs[0]["levels"] == {"high": 2, "medium": 1, "low": 1}
    assert runs[0]["tasks_opened"] == 3
    assert runs[0]["timings"] == {"read_orders": 0.5, "fit": 1.25, "write": 0.25}
    assert len(client.get("/api/v1/health/runs", {"limit": 1}).json()) == 1
