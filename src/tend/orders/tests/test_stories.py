"""Stories S1 (seed 000, the delayed kettle order) and S12 (seed 003, a disruption hits many
orders)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tend.accounts.tests.factories import UserFactory
from tend.agenda.views import agenda_context, agenda_sections
from tend.customers.models import Contact
from tend.customers.panels import panel_url
from tend.customers.tests.factories import CustomerFactory
from tend.orders import services
from tend.orders.models import Disruption, DisruptionNotice, Order, OrderUpdate
from tend.orders.tests.factories import ProductFactory
from tend.timeline.models import TimelineEntry


def late_orders_on_agenda(user, now):
    context = agenda_context(user=user, viewer=user, now=now)
    sections = {s.key: r for s, r in agenda_sections(context)}
    return [row.item.number for row in sections["late_orders"].rows]


def test_story_s1_delayed_kettle_order(
    client, rep1, monkeypatch, django_capture_on_commit_callbacks
):
    dubai = CustomerFactory(
        name="Al Noor Home Appliances", country="AE", city="Dubai", type="distributor", owner=rep1
    )
    omar = Contact.objects.create(
        customer=dubai, name="Omar Haddad", email="omar@alnoor.ae", language="en", is_primary=True
    )
    kettles = [
        ProductFactory(sku="KT-300", name="Glass kettle 1.7 L", launch_date=date(2026, 1, 10)),
        ProductFactory(sku="KT-310", name="Steel kettle 1.5 L", launch_date=date(2026, 1, 10)),
    ]

    # Months earlier: a free sample of both new models.
    services.sample_log(
        by=rep1,
        customer=dubai,
        products=kettles,
        fields={
            "contact": omar,
            "quantity": 2,
            "sent_on": date(2026, 1, 20),
            "courier": "DHL",
            "tracking_number": "1234567890",
            "is_free": True,
            "cost": Decimal("38.00"),
        },
    )

    order = services.order_create(
        by=rep1,
        customer=dubai,
        fields={
            "number": "SO-2026-0142",
            "order_date": date(2026, 2, 10),
            "currency": "USD",
            "promised_ship_date": date(2026, 3, 20),
            "incoterm": "FOB",
            "port": "Ningbo",
        },
        lines=[
            {"product": kettles[0], "quantity": 1200, "unit_price": Decimal("8.40")},
            {"product": kettles[1], "quantity": 800, "unit_price": Decimal("9.10")},
        ],
    )
    # Materials run short; nothing is said yet and the promised date passes.
    march_21 = datetime(2026, 3, 21, 8, tzinfo=UTC)
    assert late_orders_on_agenda(rep1, datetime(2026, 3, 19, 8, tzinfo=UTC)) == []
    assert late_orders_on_agenda(rep1, march_21) == ["SO-2026-0142"]
    assert order.is_late(date(2026, 3, 21))

    services.order_set_estimate(
        by=rep1,
        order=order,
        new_date=date(2026, 4, 10),
        reason="Glass supplier short of borosilicate tubes",
    )
    order.refresh_from_db()
    monkeypatch.setattr("django.utils.timezone.now", lambda: march_21)
    draft = services.order_update_draft(
        order=order, contact=omar, reason="Glass supplier short of borosilicate tubes", sender=rep1
    )
    assert draft.subject == "Update on your order SO-2026-0142: new ship date 2026-04-10"
    assert "will not ship on 2026-03-20 as promised" in draft.body

    with django_capture_on_commit_callbacks(execute=True):
        services.order_update_record(
            by=rep1,
            order=order,
            channel="email",
            contact=omar,
            subject=draft.subject,
            body=draft.body,
            reason="Glass supplier short of borosilicate tubes",
        )
    # Told: it leaves the agenda, and comes back 7 days later while still late.
    assert late_orders_on_agenda(rep1, march_21 + timedelta(days=6, hours=23)) == []
    assert late_orders_on_agenda(rep1, march_21 + timedelta(days=7)) == ["SO-2026-0142"]

    march_28 = march_21 + timedelta(days=7)
    monkeypatch.setattr("django.utils.timezone.now", lambda: march_28)
    services.order_update_record(
        by=rep1,
        order=order,
        channel="whatsapp",
        contact=omar,
        subject="Still on track for 10 April",
        body="Tubes arrived; production restarts Monday.",
    )
    assert late_orders_on_agenda(rep1, march_28 + timedelta(days=1)) == []

    updates = list(
        TimelineEntry.objects.filter(customer=dubai, kind="order_update")
        .order_by("at")
        .values_list("title", flat=True)
    )
    assert updates == [
        "Update on order SO-2026-0142 (Email (sent by Tend)): ship date 2026-03-20 → 2026-04-10",
        "Update on order SO-2026-0142 (WhatsApp): ship date 2026-04-10 → 2026-04-10",
    ]
    assert OrderUpdate.objects.filter(order=order).count() == 2

    # Months later Omar asks whether the sample fee was paid: it was free, fee waived.
    client.force_login(rep1)
    page = client.get(panel_url(dubai.pk, "orders")).content.decode()  # orders and samples
    assert "Samples given, and on what terms" in page
    assert "Free — fee waived" in page
    assert "KT-300" in page and "KT-310" in page


@pytest.fixture
def port_closure(team1, rep1):
    """40 open orders of 25 customers ship from Ningbo while the port is closed."""
    kettle = ProductFactory(sku="KT-500")
    carl = UserFactory(username="carl", first_name="Carl", team=team1)
    orders = []
    for c in range(25):
        customer = CustomerFactory(
            name=f"Importer {c:02d}", owner=rep1 if c % 2 else carl, tier="ABC"[c % 3]
        )
        language = "zh" if c % 5 == 0 else "en"
        Contact.objects.create(
            customer=customer,
            name=f"Buyer {c:02d}",
            is_primary=True,
            email=f"buyer{c:02d}@importer{c:02d}.example",
            language=language,
        )
        for _k in range(2 if c < 15 else 1):
            n = len(orders)
            orders.append(
                services.order_create(
                    by=rep1,
                    customer=customer,
                    fields={
                        "number": f"SO-{n:03d}",
                        "order_date": date(2026, 5, 1),
                        "currency": "USD",
                        "promised_ship_date": date(2026, 6, 10) + timedelta(days=n % 5),
                        "port": "Ningbo",
                        "essential": n % 7 == 0,
                        "time_sensitive": n % 4 == 0,
                    },
                    lines=[
                        {
                            "product": kettle,
                            "quantity": 100 + 10 * ((n * 37) % 40),
                            "unit_price": Decimal("10"),
                        }
                    ],
                )
            )
    # An order from another port, and one already shipped, are not affected.
    other = CustomerFactory(name="Shenzhen Buyer", owner=rep1)
    services.order_create(
        by=rep1,
        customer=other,
        fields={
            "number": "SO-SZX",
            "order_date": date(2026, 5, 1),
            "currency": "USD",
            "promised_ship_date": date(2026, 6, 11),
            "port": "Shenzhen",
        },
        lines=[{"product": kettle, "quantity": 1, "unit_price": 1}],
    )
    disruption = Disruption.objects.create(
        kind="port",
        title="Ningbo port closed by typhoon",
        ports="Ningbo",
        description="Typhoon Bebinca has closed the port of Ningbo.",
        starts_on=date(2026, 6, 8),
        ends_on=date(2026, 6, 20),
    )
    return disruption, orders


def test_story_s12_port_closure_ranks_and_notifies_each_customer_once(
    port_closure, manager1, smtp_inbox, django_capture_on_commit_callbacks
):
    disruption, orders = port_closure
    ranked = list(services.disruption_affected_orders(disruption))
    assert len(ranked) == 40
    expected = sorted(
        orders,
        key=lambda o: (
            not o.essential,
            not o.time_sensitive,
            -o.amount_base,
            o.customer.tier,
            o.number,
        ),
    )
    assert [o.number for o in ranked] == [o.number for o in expected]
    # By hand: essential and time-sensitive (28: 4,600; 0: 1,000), then essential only by value
    # (14: 4,800; 7: 2,900; 21: 2,700; 35: 2,500).
    assert [o.number for o in ranked[:6]] == [
        "SO-028",
        "SO-000",
        "SO-014",
        "SO-007",
        "SO-021",
        "SO-035",
    ]

    moved = services.disruption_shift_estimates(
        by=manager1, disruption=disruption, orders=ranked, days=10
    )
    assert moved == 40

    # A look before sending: 25 messages, each in the contact's language, signed by the owner.
    plan = services.disruption_notices_plan(by=manager1, disruption=disruption)
    assert len(plan.notices) == 25 and plan.unreached == [] and plan.already_told == 0
    previews = {notice.customer.name: notice for notice in plan.notices}
    assert (previews["Importer 00"].language, str(previews["Importer 00"].signer)) == (
        "zh",
        "Carl Tester",
    )
    assert previews["Importer 00"].body.endswith("此致\nCarl Tester")
    assert previews["Importer 01"].body.endswith("Best regards,\nAlice Tester")
    assert smtp_inbox.messages == []

    with django_capture_on_commit_callbacks(execute=True):
        result = services.disruption_notify(by=manager1, disruption=disruption, expected=25)
    assert result.sent == 25
    assert len(smtp_inbox.messages) == 25
    by_recipient = {rcpt[0]: message for rcpt, message in smtp_inbox.messages}
    for c in range(25):
        body = by_recipient[f"buyer{c:02d}@importer{c:02d}.example"].get_content()
        own = sorted(o.number for o in orders if o.customer.name == f"Importer {c:02d}")
        listed = sorted(
            line.split(":")[0].split("：")[0].lstrip("- ")
            for line in body.splitlines()
            if line.startswith("- SO-")
        )
        assert listed == own
    chinese = by_recipient["buyer00@importer00.example"]
    assert chinese["Subject"].strip() == "Ningbo port closed by typhoon：对您订单的影响"
    assert chinese["X-Tend-Idempotency-Key"] == (
        f"disruption:{disruption.pk}:customer:{orders[0].customer_id}"
    )
    assert chinese.get_content().replace("\r\n", "\n") == previews["Importer 00"].body + "\n"
    assert chinese["From"].addresses[0].display_name == "Carl Tester"
    assert chinese["Reply-To"] == "carl@exporter.example"
    english = by_recipient["buyer01@importer01.example"]
    assert english["From"].addresses[0].display_name == "Alice Tester"
    assert english["Reply-To"] == "alice@exporter.example"

    with django_capture_on_commit_callbacks(execute=True):
        assert services.disruption_notify(by=manager1, disruption=disruption).sent == 0
    assert len(smtp_inbox.messages) == 25
    assert DisruptionNotice.objects.count() == 25
    assert TimelineEntry.objects.filter(kind="order_update").count() == 25
    assert Order.objects.filter(last_delay_update_at__isnull=False).count() == 40


def test_notify_tells_only_customers_the_sender_may_see_and_not_those_without_email(
    port_closure, manager1, rep2, smtp_inbox, django_capture_on_commit_callbacks
):
    disruption, orders = port_closure
    # A team-2 customer with an affected order, invisible to manager1 (team 1).
    foreign = CustomerFactory(name="Team Two Importer", owner=rep2)
    Contact.objects.create(customer=foreign, name="Hans", email="hans@t2.example", is_primary=True)
    services.order_create(
        by=rep2,
        customer=foreign,
        fields={
            "number": "SO-T2",
            "order_date": date(2026, 5, 1),
            "currency": "USD",
            "promised_ship_date": date(2026, 6, 12),
            "port": "Ningbo",
        },
        lines=[{"product": ProductFactory(sku="KT-500"), "quantity": 1, "unit_price": 1}],
    )
    # An affected customer whose contact has no email.
    silent = orders[0].customer
    Contact.objects.filter(customer=silent).update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.disruption_notify(by=manager1, disruption=disruption)
    assert (result.sent, result.unreached) == (24, [silent.name])
    assert "hans@t2.example" not in {rcpt[0] for rcpt, _m in smtp_inbox.messages}
    assert not DisruptionNotice.objects.filter(customer=silent).exists()
    assert Order.objects.get(number="SO-000").last_delay_update_at is None


def test_shifting_with_an_unaffected_order_moves_nothing(port_closure, manager1):
    disruption, orders = port_closure
    stranger = Order.objects.get(number="SO-SZX")
    with pytest.raises(ValidationError, match="SO-SZX"):
        services.disruption_shift_estimates(
            by=manager1, disruption=disruption, orders=[orders[0], stranger], days=5
        )
    orders[0].refresh_from_db()
    assert orders[0].estimated_ship_date == orders[0].promised_ship_date


@pytest.mark.parametrize("bad_id", ["²", "99999999999999999999", "x"])
def test_shifting_with_an_order_id_no_row_can_have_is_refused_naming_it(
    client, port_closure, manager1, bad_id
):
    disruption, orders = port_closure
    order = orders[0]
    client.force_login(manager1)
    response = client.post(
        f"/orders/disruptions/{disruption.pk}/",
        {"action": "shift", "days": "3", "reason": "Typhoon", "orders": [order.pk, bad_id]},
    )
    assert response.status_code == 400
    assert response.content.decode() == f"orders: “{bad_id}” is not a record id."
    order.refresh_from_db()
    assert order.estimated_ship_date == date(2026, 6, 10)
