"""Cases wired to the other apps: open cases hold surveys back, a closed case asks for one
CSAT, the imbalance report and the tiers page carry the case figures, and the report's
"Service cases" section counts real cases.

The set (German customers: Mon–Fri, 9–18 Europe/Berlin, i.e. 8–17 UTC in November):

======  ====  =====  ===========================================================  =========
case    tier  owner  life (UTC, November 2026)                                      stored
======  ====  =====  ===========================================================  =========
fast    A     rep1   opened Mon 2 08:00, answered 10:00, resolved 12:00            met, 4 h
slow    C     rep2   opened Mon 2 08:00, handed to rep1, resolved Mon 16 08:00     late, 90 h
fresh   B     rep1   opened Mon 30 08:00, nothing yet (clock: 09:00)                undecided
======  ====  =====  ===========================================================  =========
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from tend.cases import services
from tend.cases.integrations import forget, sla_floor
from tend.cases.models import Case, SlaPolicy
from tend.cases.services import resolution
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.reports.registry import ReportFilters, section
from tend.voice import reports as voice_reports
from tend.voice import selectors as voice_selectors
from tend.voice import services as voice_services
from tend.voice.models import SurveyKind, SurveySend, Trigger

pytestmark = pytest.mark.django_db

MON_2 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
NOVEMBER = ReportFilters(end=date(2026, 11, 1))


def at(day, hour):
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def open_case(by, customer, *, severity="high", raised_by=None, when=MON_2):
    return services.case_open(
        by=by,
        customer=customer,
        title="Broken seals",
        description="Leaking cartons",
        category="quality",
        severity=severity,
        channel="email",
        raised_by=raised_by,
        opened_at=when,
    )


def close(case, by, clock, when):
    clock.now = when
    services.case_resolve(case=case, by=by, resolution="replacement", note="Sent new seals")
    return services.case_close(case=case, by=by, root_cause="Supplier lot", customer_satisfied=True)


@pytest.fixture
def cases_set(clock, rep1, rep2):
    fast_customer = CustomerFactory(
        name="Fast GmbH", country="DE", time_zone="Europe/Berlin", tier="A", owner=rep1
    )
    slow_customer = CustomerFactory(
        name="Slow GmbH", country="DE", time_zone="Europe/Berlin", tier="C", owner=rep2
    )
    fresh_customer = CustomerFactory(
        name="Fresh GmbH", country="DE", time_zone="Europe/Berlin", tier="B", owner=rep1
    )
    clock.now = at(2, 8)
    fast = open_case(rep1, fast_customer)
    slow = open_case(rep2, slow_customer, severity="critical")
    clock.now = at(2, 10)
    services.case_respond(case=fast, by=rep1, text="Looking into it")
    clock.now = at(2, 12)
    services.case_resolve(case=fast, by=rep1, resolution="replacement", note="New seals")
    services.case_hand_off(case=slow, to=rep1, by=rep2, reason="Rep1 knows the product")
    clock.now = at(16, 8)
    services.case_resolve(case=slow, by=rep1, resolution="replacement", note="New seals")
    clock.now = at(30, 9)
    fresh = open_case(rep1, fresh_customer, severity="medium", when=at(30, 8))
    return {"fast": fast, "slow": slow, "fresh": fresh}


def test_the_set_stores_the_figures_the_tables_expect(cases_set):
    stored = {
        key: Case.objects.values_list(
            "sla_response_met", "sla_resolution_met", "sla_resolution_working_hours", "handoffs"
        ).get(pk=case.pk)
        for key, case in cases_set.items()
    }
    assert stored["fast"] == (True, True, 4, 0)
    assert stored["slow"] == (False, False, 90, 1)
    assert stored["fresh"][:2] == (None, None)
    assert Case.objects.get(pk=cases_set["slow"].pk).sla_breached_at is not None


# --- 1 and 2: surveys ---


def test_a_customer_with_an_open_case_is_not_surveyed_until_it_closes(
    clock, rep1, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=rep1)
    buyer = ContactFactory(customer=customer, is_primary=True)
    case = open_case(rep1, customer, raised_by=buyer, when=clock.now)
    assert customer.pk in set(
        voice_selectors.customers_with_open_cases().values_list("customer_id", flat=True)
    )
    refused = voice_services.survey_request(
        customer=customer, kind=SurveyKind.NPS, trigger=Trigger.MANUAL
    )
    assert refused.refused == voice_services.Refusal.OPEN_CASE
    with django_capture_on_commit_callbacks(execute=True):
        close(case, rep1, clock, clock.now)
    assert not voice_selectors.customers_with_open_cases().filter(customer_id=customer.pk).exists()
    # The close asked for its CSAT; a manual NPS now meets the throttle, not the case rule.
    assert SurveySend.objects.filter(customer=customer, trigger=Trigger.CASE_CLOSED).count() == 1
    again = voice_services.survey_request(
        customer=customer, kind=SurveyKind.NPS, trigger=Trigger.MANUAL
    )
    assert again.refused == voice_services.Refusal.CONTACT_RECENT


def test_closing_a_case_asks_the_raising_contact_once_for_a_csat(
    clock, rep1, django_capture_on_commit_callbacks, mailoutbox
):
    customer = CustomerFactory(owner=rep1)
    ContactFactory(customer=customer, is_primary=True, name="Primary")
    raiser = ContactFactory(customer=customer, name="Raiser")
    case = open_case(rep1, customer, raised_by=raiser, when=clock.now)
    services.case_resolve(case=case, by=rep1, resolution="replacement", note="New seals")
    services.case_reopen(case=case, by=rep1, reason="Still leaking")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        close(case, rep1, clock, clock.now)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [raiser.email]
    send = SurveySend.objects.get(customer=customer)
    assert (send.survey.kind, send.trigger, send.contact) == ("csat", "case_closed", raiser)
    assert f"#{case.pk}" in send.subject_label
    # The hook running again (a retry) asks nothing more; a second close is refused.
    hooks = [c for c in callbacks if getattr(c, "func", None) is resolution._ask_csat]
    assert len(hooks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        hooks[0]()
    with pytest.raises(ValidationError):
        services.case_close(case=case, by=rep1, root_cause="x", customer_satisfied=True)
    assert len(mailoutbox) == 1
    assert SurveySend.objects.filter(customer=customer).count() == 1


def test_a_refused_csat_never_stops_the_close(
    clock, rep1, django_capture_on_commit_callbacks, mailoutbox
):
    customer = CustomerFactory(owner=rep1)
    ContactFactory(customer=customer, is_primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert voice_services.survey_request(
            customer=customer, kind=SurveyKind.NPS, trigger=Trigger.MANUAL
        ).sent
    case = open_case(rep1, customer, when=clock.now)
    with django_capture_on_commit_callbacks(execute=True):
        close(case, rep1, clock, clock.now)
    assert Case.objects.get(pk=case.pk).status == "closed"
    assert len(mailoutbox) == 1  # only the NPS: the company was surveyed recently
    assert not SurveySend.objects.filter(trigger=Trigger.CASE_CLOSED).exists()


def test_the_demo_close_asks_no_csat(clock, rep1, django_capture_on_commit_callbacks):
    customer = CustomerFactory(owner=rep1)
    ContactFactory(customer=customer)
    case = open_case(rep1, customer, when=clock.now)
    services.case_resolve(case=case, by=rep1, resolution="replacement", note="New seals")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_close(
            case=case, by=rep1, root_cause="Lot", customer_satisfied=True, ask_csat=False
        )
    assert not SurveySend.objects.exists()


# --- 3: imbalance report ---


def test_the_imbalance_report_shows_case_sla_and_resolution_time(
    cases_set, client, admin_user, rep2, django_assert_max_num_queries
):
    rows = {
        row.metric.key: {cell.tier: (cell.estimate.value, cell.estimate.n) for cell in row.cells}
        for row in voice_reports.imbalance_report(
            customers=voice_selectors.customers_visible_to(user=admin_user),
            start=at(1, 0),
            end=at(30, 12),
            now=at(30, 12),
        )
    }
    # Met: fast (A) yes, slow (C) no; fresh (B) is not decided yet.
    assert rows["case_sla_met"] == {"A": (100.0, 1), "B": (None, 0), "C": (0.0, 1)}
    assert rows["case_resolution_hours"] == {"A": (4.0, 1), "B": (None, 0), "C": (90.0, 1)}
    client.force_login(admin_user)
    # The voice page's pin (10) still holds: the two case figures add one query each (8 now).
    with django_assert_max_num_queries(10):
        page = client.get("/voice/imbalance/").content.decode()
    assert 'data-metric="case_sla_met"' in page
    assert 'data-metric="case_resolution_hours"' in page
    assert "<strong>90.0</strong>" in page
    # rep2 sees only the slow case's customer.
    client.force_login(rep2)
    page = client.get("/voice/imbalance/").content.decode()
    assert "<strong>90.0</strong>" in page and "<strong>4.0</strong>" not in page


# --- 4: service floor ---


def test_the_tiers_page_shows_each_tiers_case_sla_from_one_query(
    client, admin_user, django_assert_max_num_queries
):
    forget()
    assert sla_floor("A") == ("first response 2 working h, resolution 2 working days (critical)")
    assert sla_floor("C") == ("first response 8 working h, resolution 5 working days (critical)")
    SlaPolicy.objects.filter(tier="B", severity="critical").update(
        response_hours=3, resolution_hours="30.5"
    )
    forget()
    assert sla_floor("B") == "first response 3 working h, resolution 30.5 working h (critical)"
    SlaPolicy.objects.filter(tier="B", severity="critical").delete()  # signal: forgotten
    assert sla_floor("B") == ("first response 8 working h, resolution 5 working days (high)")
    client.force_login(admin_user)
    with CaptureSla() as seen:
        page = client.get("/market/tiers/").content.decode()
    assert seen.count == 1
    assert "first response 2 working h, resolution 2 working days (critical)" in page


class CaptureSla:
    """Counts the queries on the SLA policy table while a page renders."""

    def __enter__(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._capture = CaptureQueriesContext(connection)
        self._capture.__enter__()
        return self

    def __exit__(self, *exc):
        self._capture.__exit__(*exc)

    @property
    def count(self) -> int:
        table = SlaPolicy._meta.db_table
        return sum(table in query["sql"] for query in self._capture.captured_queries)


# --- 5: the report's Service cases section ---


def figures(result):
    return {key: value[-1] for key, value in result.figures.items()}


def test_the_service_cases_section_counts_the_set_by_hand(cases_set, admin_user, rep1):
    cases = section("service_cases")
    everyone = cases.compute(NOVEMBER, admin_user)
    assert figures(everyone) == {
        "months": "2026-11",
        "opened": 3,
        "first_response_on_time": 0.5,
        "resolved_on_time": 0.5,
        "breaches": 1,
        "median_resolution_hours": 47.0,
        "handoffs": 1,
    }
    assert everyone.figures["opened"][:-1] == [0] * 11
    assert everyone.headline == (
        "50% of last month's cases resolved within their SLA (50% over 12 months, 1 breaches)"
    )
    breach_cell = everyone.table.rows[-1][4]
    assert breach_cell.drill == f"breach-{2026 * 12 + 10}"
    assert list(cases.customers(NOVEMBER, admin_user, breach_cell.drill)) == [
        cases_set["slow"].customer
    ]
    # rep1 sees the two cases of their own customers (the slow one is rep2's customer).
    mine = cases.compute(NOVEMBER, rep1)
    assert figures(mine)["opened"] == 2
    assert figures(mine)["first_response_on_time"] == 1.0
    assert figures(mine)["breaches"] == 0
    assert not cases.customers(NOVEMBER, rep1, breach_cell.drill).exists()
    for bad in ("breach-x", "breach-99999999", "other-1", f"breach-{2020 * 12}"):
        assert cases.customers(NOVEMBER, admin_user, bad) is None


def test_the_report_page_with_cases_keeps_its_query_count(
    cases_set, client, admin_user, django_assert_max_num_queries
):
    client.force_login(admin_user)
    # 16 with the two sections (cases: the counts and the hours; voice: one grouped query).
    with django_assert_max_num_queries(18) as few:
        response = client.get("/reports/?end=2026-11")
    assert response.status_code == 200
    assert "Service cases" in response.content.decode()
    for n in range(5):
        customer = CustomerFactory(country="DE", time_zone="Europe/Berlin", owner=admin_user)
        open_case(admin_user, customer, when=at(3, 8 + n))
    with django_assert_max_num_queries(len(few)):
        client.get("/reports/?end=2026-11")


@pytest.mark.parametrize(
    "country, zone, opened",
    [
        # Monday 09:00 in Auckland (NZDT, UTC+13) is Sunday 20:00 UTC...
        ("NZ", "Pacific/Auckland", datetime(2026, 11, 8, 20, 0, tzinfo=UTC)),
        # ...and Monday 09:00 in Pago Pago (UTC−11) is Monday 20:00 UTC.
        ("AS", "Pacific/Pago_Pago", datetime(2026, 11, 9, 20, 0, tzinfo=UTC)),
    ],
)
def test_case_figures_count_the_customers_working_hours_across_the_date_line(
    clock, rep1, admin_user, country, zone, opened
):
    customer = CustomerFactory(country=country, time_zone=zone, tier="A", owner=rep1)
    clock.now = opened
    case = open_case(rep1, customer, when=opened)
    clock.now = opened + timedelta(hours=3)  # 12:00 local
    services.case_resolve(case=case, by=rep1, resolution="replacement", note="New seals")
    rows = {
        row.metric.key: row.overall
        for row in voice_reports.imbalance_report(
            customers=voice_selectors.customers_visible_to(user=admin_user),
            start=at(1, 0),
            end=at(30, 0),
            now=at(30, 0),
        )
    }
    assert (rows["case_resolution_hours"].value, rows["case_resolution_hours"].n) == (3.0, 1)
    assert (rows["case_sla_met"].value, rows["case_sla_met"].n) == (100.0, 1)
