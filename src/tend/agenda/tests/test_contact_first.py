"""Today, ranked: a short "contact first" list across every section, then the sections collapsed
and paged."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tend.agenda import ranking
from tend.agenda.views import agenda_context, today_sections
from tend.customers.tests.factories import CustomerFactory
from tend.engagement.models import Interaction, Promise
from tend.orders import services as order_services
from tend.orders.tests.factories import ProductFactory

# Monday 23 November 2026, noon UTC.
NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
FAR = NOW + timedelta(days=300)


@pytest.fixture(autouse=True)
def at_now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


@pytest.fixture
def rep(rep1):
    rep1.time_zone = "UTC"
    rep1.save(update_fields=["time_zone"])
    return rep1


def customer(rep, name, tier, *, touch_due=FAR):
    return CustomerFactory(
        name=name,
        tier=tier,
        owner=rep,
        touch_due_at=touch_due,
        pool_return_at=FAR,
        time_zone="Asia/Dubai",
    )


@pytest.fixture
def scene(rep):
    """Four customers and their reasons, each score worked out by hand:

    Birch (B): promise overdue 2 days   8 x (1 + 2/7) x 2 = 20.57
               inquiry waiting 7 days   6 x (1 + 7/7) x 2 = 24       together 44.57
    Atlas (A): touch overdue 10 days    2 x (1 + 10/7) x 3 = 14.57
    Cedar (C): late order, 3 days, untold  10 x (1 + 3/7) x 1 = 14.29
    Pine (C):  touch overdue 60 days    2 x (1 + 28/7) x 1 = 10  (urgency stops at 4 weeks)
    """
    atlas = customer(rep, "Atlas Imports", "A", touch_due=NOW - timedelta(days=10))
    birch = customer(rep, "Birch Trading", "B")
    cedar = customer(rep, "Cedar Home", "C")
    pine = customer(rep, "Pine Appliances", "C", touch_due=NOW - timedelta(days=60))
    Promise.objects.create(
        customer=birch,
        kind="quote",
        description="Quote for 2,000 kettles",
        made_by=rep,
        due_at=NOW - timedelta(days=2),
    )
    Interaction.objects.create(
        customer=birch,
        channel="email",
        direction="in",
        logged_by=rep,
        at=NOW - timedelta(days=7),
        needs_answer=True,
        subject="Price for KT-300?",
    )
    order_services.order_create(
        by=rep,
        customer=cedar,
        fields={
            "number": "SO-77",
            "order_date": date(2026, 10, 1),
            "currency": "USD",
            "promised_ship_date": date(2026, 11, 20),
        },
        lines=[{"product": ProductFactory(), "quantity": 10, "unit_price": Decimal("5.00")}],
    )
    return {"atlas": atlas, "birch": birch, "cedar": cedar, "pine": pine}


def ranked(rep):
    context = agenda_context(user=rep, viewer=rep, now=NOW)
    return ranking.contact_first(today_sections(context), context)


def test_a_reason_scores_weight_times_urgency_times_tier():
    assert ranking.reason_score(weight=10, days=0, tier="A") == 30
    assert ranking.reason_score(weight=2, days=14, tier="C") == 6
    assert ranking.reason_score(weight=2, days=400, tier="B") == 20  # urgency stops at 5
    assert ranking.reason_score(weight=8, days=-3, tier="C") == 8  # not yet due: as due today


def test_customers_are_ranked_across_sections_by_urgency_and_value(rep, scene):
    assert [(c.customer.name, round(c.score, 2)) for c in ranked(rep)] == [
        ("Birch Trading", 44.57),
        ("Atlas Imports", 14.57),
        ("Cedar Home", 14.29),
        ("Pine Appliances", 10.0),
    ]


def test_a_customer_appears_once_with_all_its_reasons_in_words_strongest_first(rep, scene):
    birch = ranked(rep)[0]
    assert [(r.section, r.reason.text, r.reason.url) for r in birch.reasons] == [
        (
            "inquiries",
            "Inquiry unanswered since 2026-11-16 12:00: Price for KT-300?",
            f"/customers/{scene['birch'].pk}/",
        ),
        (
            "promises",
            "Promise overdue since 2026-11-21 12:00: Quote for 2,000 kettles",
            f"/customers/{scene['birch'].pk}/#customer-promises",
        ),
    ]
    cedar = next(c for c in ranked(rep) if c.customer == scene["cedar"])
    assert [r.reason.text for r in cedar.reasons] == [
        "Order SO-77 is late (promised 2026-11-20); the customer has not been told"
    ]
    atlas = next(c for c in ranked(rep) if c.customer == scene["atlas"])
    assert [r.reason.text for r in atlas.reasons] == [
        "No touch since it was due on 2026-11-13 (every 7 days)"
    ]


def test_the_list_stops_at_the_top_twelve(rep):
    for index in range(15):
        customer(rep, f"Overdue {index:02d}", "C", touch_due=NOW - timedelta(days=index + 1))
    names = [c.customer.name for c in ranked(rep)]
    assert names == [f"Overdue {index:02d}" for index in range(14, 2, -1)]


def test_today_shows_the_ranked_list_first_with_reasons_and_a_touch_button(client, rep, scene):
    client.force_login(rep)
    html = client.get("/today/").content.decode()
    first = html[html.index('id="contact-first"') : html.index('class="agenda-all"')]
    order = [int(pk) for pk in re.findall(r'<tr id="first-(\d+)">', first)]
    assert order == [scene[name].pk for name in ("birch", "atlas", "cedar", "pine")]
    assert "Inquiry unanswered since 2026-11-16 12:00: Price for KT-300?" in first
    assert f'href="/orders/{scene["cedar"].orders.get().pk}/#tell-customer"' in first
    assert first.count("Log touch") == 4
    # Below, every section is collapsed, its rows loaded when it is opened.
    details = re.search(r'<details class="card agenda-section" id="section-touches"[^>]*>', html)
    assert details and " open" not in details.group(0)
    assert 'hx-get="/today/section/touches/" hx-trigger="toggle once"' in details.group(0)
    assert "<tr" not in html[html.index('class="agenda-all"') :]


def test_nobody_waiting_says_so(client, rep):
    client.force_login(rep)
    html = client.get("/today/").content.decode()
    assert "No customer is waiting on you. Well done." in html


@pytest.fixture
def twenty_five_overdue(rep):
    return [
        customer(rep, f"Overdue {index:02d}", "C", touch_due=NOW - timedelta(days=30 - index))
        for index in range(25)
    ]


def touch_rows(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="touch-(\d+)">', html)]


def test_a_section_shows_its_first_page_and_pages_on(client, rep, twenty_five_overdue):
    ids = [c.pk for c in twenty_five_overdue]
    client.force_login(rep)
    html = client.get("/today/").content.decode()
    section = html[html.index('id="section-touches"') :]
    section = section[: section.index("</details>")]
    # Collapsed: the title, "20+" (past the ranking's candidates, not counted), and the link
    # to the section's own page for browsers without JavaScript; the rows load when opened.
    assert touch_rows(section) == []
    assert '<span class="badge">20+</span>' in section
    assert '<a href="/today/section/touches/">' in section

    opened = client.get("/today/section/touches/", headers={"HX-Request": "true"})
    body = opened.content.decode()
    assert touch_rows(body) == ids[:10]
    assert "1–10 of 25" in body and "<html" not in body
    assert 'hx-get="/today/section/touches/?page=2"' in body

    page = client.get("/today/section/touches/", {"page": 3}, headers={"HX-Request": "true"})
    body = page.content.decode()
    assert touch_rows(body) == ids[20:]
    assert "21–25 of 25" in body and "<html" not in body
    assert 'hx-get="/today/section/touches/?page=2"' in body and "Next" not in body


def test_a_section_page_without_htmx_is_a_whole_page(client, rep, twenty_five_overdue):
    client.force_login(rep)
    html = client.get("/today/section/touches/", {"page": 2}).content.decode()
    assert "<html" in html and "Back to today" in html
    assert touch_rows(html) == [c.pk for c in twenty_five_overdue[10:20]]


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("abc", "1–10"),
        ("0", "1–10"),
        ("-2", "1–10"),
        ("²", "1–10"),
        ("99999999999", "21–25"),
        ("9" * 5000, "21–25"),
    ],
)
def test_a_page_out_of_range_shows_the_nearest_page(client, rep, twenty_five_overdue, page, shown):
    client.force_login(rep)
    response = client.get("/today/section/touches/", {"page": page})
    assert response.status_code == 200
    assert f"{shown} of 25" in response.content.decode()


def test_a_section_page_keeps_the_agenda_it_belongs_to(client, rep, manager1, twenty_five_overdue):
    client.force_login(manager1)
    html = client.get("/today/", {"person": rep.pk}).content.decode()
    assert f'hx-get="/today/section/touches/?person={rep.pk}"' in html
    opened = client.get(
        "/today/section/touches/", {"person": rep.pk}, headers={"HX-Request": "true"}
    )
    assert f'hx-get="/today/section/touches/?person={rep.pk}&amp;page=2"' in opened.text
    page = client.get("/today/section/touches/", {"person": rep.pk, "page": 2})
    assert touch_rows(page.content.decode()) == [c.pk for c in twenty_five_overdue[10:20]]


def test_no_section_page_for_an_unknown_section_or_someone_one_may_not_see(
    client, rep, rep2, twenty_five_overdue
):
    client.force_login(rep)
    assert client.get("/today/section/nothing/").status_code == 404
    assert client.get("/today/section/approvals_waiting/").status_code == 404  # not for reps
    assert client.get("/today/section/touches/", {"person": rep2.pk}).status_code == 404
    for person in ("9" * 30, "²", "x"):
        assert client.get("/today/", {"person": person}).status_code == 404
        assert client.get("/today/section/touches/", {"person": person}).status_code == 404


@pytest.mark.parametrize("customers", [15, 40])
def test_the_section_page_query_count_does_not_grow_with_rows(
    client, rep, customers, django_assert_max_num_queries
):
    for index in range(customers):
        customer(rep, f"Overdue {index:02d}", "C", touch_due=NOW - timedelta(days=index + 1))
    client.force_login(rep)
    # Session, user, the user's team (page header), a count and a page.
    with django_assert_max_num_queries(5):
        response = client.get("/today/section/touches/", {"page": 2})
    assert response.status_code == 200


def test_the_api_carries_the_ranked_list(client, rep, scene):
    client.force_login(rep)
    body = client.get("/api/v1/agenda", {"limit": 1}).json()
    first = body["contact_first"]
    assert [(c["customer_name"], c["tier"], c["score"]) for c in first] == [
        ("Birch Trading", "B", 44.57),
        ("Atlas Imports", "A", 14.57),
        ("Cedar Home", "C", 14.29),
        ("Pine Appliances", "C", 10.0),
    ]
    assert first[0]["customer_local_time"] == "2026-11-23T16:00:00+04:00"
    assert [(r["section"], r["days"], r["score"]) for r in first[0]["reasons"]] == [
        ("inquiries", 7, 24.0),
        ("promises", 2, 20.57),
    ]
    touches = next(s for s in body["sections"] if s["key"] == "touches")
    assert (touches["total"], len(touches["items"])) == (2, 1)


def test_a_touch_from_the_list_with_a_bad_channel_is_refused_escaped_and_writes_nothing(
    client, rep, scene
):
    client.force_login(rep)
    response = client.post(
        f"/engagement/customers/{scene['atlas'].pk}/touch/",
        {"channel": "<b>fax</b>", "summary": "Called"},
    )
    html = response.content.decode()
    assert "“&lt;b&gt;fax&lt;/b&gt;” is not a valid choice." in html and "<b>" not in html
    assert not Interaction.objects.filter(customer=scene["atlas"]).exists()


def shown_rows(html: str) -> dict[int, str]:
    """Each "contact first" row's cells but the quick-touch form (its CSRF token varies)."""
    first = html[html.index('id="contact-first"') : html.index('class="agenda-all"')]
    return {
        int(pk): re.sub(r"\s+", " ", cells.split("<td><form")[0]).strip()
        for pk, cells in re.findall(r'<tr id="first-(\d+)">(.*?)</tr>', first, re.S)
    }


def test_the_shown_rows_keep_their_links_clocks_and_reasons(client, rep, scene):
    """The reasons' texts and links and the local clocks are built for the shown rows only
    (``Reason`` takes functions, ``Row.local`` is worked out when read): every shown row says
    exactly what it did when they were built for every candidate."""
    client.force_login(rep)
    rows = shown_rows(client.get("/today/").content.decode())
    birch, atlas, cedar, pine = (scene[name] for name in ("birch", "atlas", "cedar", "pine"))
    order = cedar.orders.get()

    def cells(rank, customer, tier, reasons):
        items = "".join(
            f'<li class="reason-{key}"><a href="{url}">{text}</a></li>'
            for key, url, text in reasons
        )
        return (
            f'<td>{rank}</td> <td><a href="/customers/{customer.pk}/">{customer.name}</a> '
            f'<span class="badge tier-{tier}">{tier}</span> <span class="muted">'
            f'{customer.country}</span></td> <td><ul class="reasons">{items}</ul></td> '
            # Monday noon UTC is 16:00 in Dubai.
            '<td><span class="muted local-time">Mon 16:00</span> </td>'
        )

    assert rows == {
        birch.pk: cells(
            1,
            birch,
            "B",
            [
                (
                    "inquiries",
                    f"/customers/{birch.pk}/",
                    "Inquiry unanswered since 2026-11-16 12:00: Price for KT-300?",
                ),
                (
                    "promises",
                    f"/customers/{birch.pk}/#customer-promises",
                    "Promise overdue since 2026-11-21 12:00: Quote for 2,000 kettles",
                ),
            ],
        ),
        atlas.pk: cells(
            2,
            atlas,
            "A",
            [
                (
                    "touches",
                    f"/customers/{atlas.pk}/",
                    "No touch since it was due on 2026-11-13 (every 7 days)",
                )
            ],
        ),
        cedar.pk: cells(
            3,
            cedar,
            "C",
            [
                (
                    "late_orders",
                    f"/orders/{order.pk}/#tell-customer",
                    "Order SO-77 is late (promised 2026-11-20); the customer has not been told",
                )
            ],
        ),
        pine.pk: cells(
            4,
            pine,
            "C",
            [
                (
                    "touches",
                    f"/customers/{pine.pk}/",
                    "No touch since it was due on 2026-09-24 (every 30 days)",
                )
            ],
        ),
    }


def test_only_the_shown_customers_get_their_reasons_and_clocks_built(client, rep, monkeypatch):
    """Fifteen touches overdue, twelve shown: three customers' reason texts and local moments
    are never worked out (the ranking needs their days only)."""
    for index in range(15):
        customer(rep, f"Overdue {index:02d}", "C", touch_due=NOW - timedelta(days=index + 1))
    from tend.agenda import rows as agenda_rows
    from tend.engagement import agenda_sections as engagement_sections

    built = {"texts": 0, "moments": 0}

    def counted(name, function):
        def wrapper(*args, **kwargs):
            built[name] += 1
            return function(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(engagement_sections, "_local", counted("texts", engagement_sections._local))
    monkeypatch.setattr(agenda_rows, "local_moment", counted("moments", agenda_rows.local_moment))
    client.force_login(rep)
    shown = shown_rows(client.get("/today/").content.decode())
    assert len(shown) == 12
    assert built == {"texts": 12, "moments": 12}


@pytest.fixture
def one_of_each(rep, scene):
    """Besides the scene's promise, inquiry, touches and late order: one customer for each
    other ranked section (a task, a case, a sample, a pool return, a customer at high risk)."""
    from tend.cases.services import case_open
    from tend.health.models import HealthSnapshot
    from tend.orders.models import Sample
    from tend.tasks.tests.factories import TaskFactory

    oak = customer(rep, "Oak Supplies", "A")
    TaskFactory(
        customer=oak, assignee=rep, title="Call about the sample", due_at=NOW - timedelta(days=3)
    )
    elm = customer(rep, "Elm Kitchens", "B")
    case_open(
        by=rep,
        customer=elm,
        title="Broken seals",
        description="Leaking cartons",
        category="quality",
        severity="high",
        channel="email",
        opened_at=NOW - timedelta(days=1),
    )
    ash = customer(rep, "Ash Homeware", "C")
    Sample.objects.create(
        customer=ash, sent_by=rep, sent_on=date(2026, 11, 2), follow_up_on=date(2026, 11, 16)
    )
    yew = customer(rep, "Yew Retail", "B")
    yew.pool_return_at = NOW + timedelta(days=2)
    yew.save(update_fields=["pool_return_at"])
    fir = customer(rep, "Fir Trading", "A")
    HealthSnapshot.objects.create(
        customer=fir,
        day=date(2026, 11, 23),
        risk=0.8,
        level="high",
        cause="service",
        value_at_risk=Decimal("12500"),
        annual_value=Decimal("20000"),
    )
    return {**scene, "oak": oak, "elm": elm, "ash": ash, "yew": yew, "fir": fir}


def test_today_reads_only_the_columns_its_shown_rows_use(client, rep, one_of_each, monkeypatch):
    """Today reads each section's rows with only the columns that the ranking and the shown
    cells use (``rows.ranking_columns``). A column left out would be read again, one query per
    row: here any such read fails, and every ranked section has a row shown."""
    client.force_login(rep)
    from django.db.models import Model

    from tend.agenda import rows as agenda_rows

    with monkeypatch.context() as patched:
        patched.setattr(agenda_rows, "ranking_columns", lambda queryset, *args: queryset)
        whole = shown_rows(client.get("/today/").content.decode())

    def deferred_read(instance, *args, fields=None, **kwargs):
        raise AssertionError(f"{type(instance).__name__}.{fields} read again")

    monkeypatch.setattr(Model, "refresh_from_db", deferred_read)
    lean = shown_rows(client.get("/today/").content.decode())
    assert lean == whole
    reasons = {
        pk: re.findall(r'<li class="reason-([a-z_]+)"><a href="([^"]+)">([^<]+)</a>', cells)
        for pk, cells in lean.items()
    }
    oak, elm, ash, yew, fir = (one_of_each[name] for name in ("oak", "elm", "ash", "yew", "fir"))
    case = elm.cases.get()
    assert {pk: reasons[pk] for pk in (oak.pk, elm.pk, ash.pk, yew.pk, fir.pk)} == {
        oak.pk: [
            (
                "tasks_due",
                f"/customers/{oak.pk}/",
                "Task overdue since 2026-11-20 12:00: Call about the sample",
            )
        ],
        elm.pk: [
            (
                "cases_mine",
                f"/cases/{case.pk}/",
                f"Open case ({case.sla_used_pct}% of SLA used): Broken seals",
            )
        ],
        ash.pk: [("samples", f"/customers/{ash.pk}/", "Sample sent 2026-11-02: ask how it went")],
        yew.pk: [
            (
                "pool_returns",
                f"/customers/{yew.pk}/",
                "Returns to the pool on 2026-11-25 unless touched",
            )
        ],
        fir.pk: [
            (
                "health_at_risk",
                f"/customers/{fir.pk}/#customer-health",
                "12,500 USD at risk: Service",
            )
        ],
    }
    assert len(lean) == 9  # the scene's four and these five
