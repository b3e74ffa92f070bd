"""The orders API: products and rates, orders valued in base currency, visibility, the delay
update a customer must get, disruptions and samples; refusals change nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from tend.customers.models import Contact
from tend.orders import services
from tend.orders.models import (
    Disruption,
    DisruptionNotice,
    EstimateChange,
    ExchangeRate,
    Order,
    OrderLine,
    OrderUpdate,
    Product,
    Sample,
)
from tend.orders.tests.factories import ProductFactory, RateFactory
from tend.timeline.models import TimelineEntry

# Who may see which customer of the shared book (see conftest.book).
VISIBLE = {
    "rep1": {"rep1_owned", "rep1_backup", "pool"},
    "rep2": {"rep2_owned", "rep1_backup", "pool"},
    "manager1": {"rep1_owned", "rep1_backup", "pool"},
    "admin_user": {"rep1_owned", "rep2_owned", "rep1_backup", "pool"},
}


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def place(by, customer, number, *, product=None, promised=None, **fields):
    """An order of one line (100 × 10.00 USD) placed through the service."""
    return services.order_create(
        by=by,
        customer=customer,
        fields={
            "number": number,
            "order_date": fields.pop("order_date", date(2026, 2, 1)),
            "currency": "USD",
            "promised_ship_date": promised,
            **fields,
        },
        lines=[
            {
                "product": product or ProductFactory(sku="KT-100"),
                "quantity": Decimal("100"),
                "unit_price": Decimal("10"),
            }
        ],
    )


@pytest.fixture
def kettles(db):
    return [
        ProductFactory(sku="KT-300", name="Glass kettle 1.7 L"),
        ProductFactory(sku="KT-310", name="Steel kettle 1.5 L"),
    ]


def eur_order(kettles, **changes):
    payload = {
        "number": "SO-2026-0142",
        "order_date": "2026-02-15",
        "currency": "EUR",
        "incoterm": "FOB",
        "port": "Ningbo",
        "promised_ship_date": "2026-04-01",
        "essential": True,
        "remarks": "Retail boxes in Arabic",
        "lines": [
            {
                "product_id": kettles[0].pk,
                "quantity": "1000",
                "unit_price": "9.90",
                "discount_pct": "5",
                "batch_number": "B-2026-07",
            },
            {"product_id": kettles[1].pk, "quantity": 500, "unit_price": "12.3456"},
        ],
    }
    payload.update(changes)
    return payload


def nothing_written():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        TimelineEntry.objects.count(),
    ) == (0, 0, 0)


# ---------------------------------------------------------------------------------------------
# Orders: placing and reading back


def test_an_order_in_eur_with_two_lines_reads_back_valued_in_eur_and_in_base_currency(
    client, rep1, book, kettles
):
    RateFactory(currency="EUR", valid_from=date(2026, 1, 1), rate=Decimal("1.0850"))
    RateFactory(currency="EUR", valid_from=date(2026, 3, 1), rate=Decimal("1.2000"))
    client.force_login(rep1)
    customer = book["rep1_owned"]

    response = post(client, f"/api/v1/customers/{customer.pk}/orders", eur_order(kettles))

    assert response.status_code == 201, response.json()
    created = response.json()
    read = client.get(f"/api/v1/orders/{created['id']}").json()
    assert read == created
    # 1000 × 9.90 − 5% = 9,405.00; 500 × 12.3456 = 6,172.80; × 1.0850 (the February rate).
    assert {key: read[key] for key in ("amount", "rate_to_base", "amount_base")} == {
        "amount": "15577.80",
        "rate_to_base": "1.0850000000",
        "amount_base": "16901.91",
    }
    assert (read["currency"], read["base_currency"], read["customer_name"]) == (
        "EUR",
        "USD",
        "Al Noor Trading",
    )
    assert (read["promised_ship_date"], read["estimated_ship_date"], read["status"]) == (
        "2026-04-01",
        "2026-04-01",
        "confirmed",
    )
    assert [
        (
            line["product_sku"],
            line["quantity"],
            line["unit_price"],
            line["discount_pct"],
            line["amount"],
            line["batch_number"],
        )
        for line in read["lines"]
    ] == [
        ("KT-300", "1000.000", "9.9000", "5.00", "9405.00", "B-2026-07"),
        ("KT-310", "500.000", "12.3456", "0.00", "6172.80", ""),
    ]
    assert (read["estimate_changes"], read["updates"]) == ([], [])
    assert TimelineEntry.objects.get(customer=customer).title == (
        "Order SO-2026-0142: 15,577.80 EUR, ship by 2026-04-01"
    )


def test_an_order_without_an_exchange_rate_for_its_currency_is_refused_on_currency(
    client, rep1, book, kettles
):
    client.force_login(rep1)

    response = post(client, f"/api/v1/customers/{book['rep1_owned'].pk}/orders", eur_order(kettles))

    assert response.status_code == 422
    assert response.json() == {
        "message": "The request has invalid fields.",
        "errors": {
            "currency": [
                "No exchange rate for EUR on 2026-02-15: add one (EUR → USD, valid from that "
                "day or earlier)."
            ]
        },
    }
    assert nothing_written()


def test_bad_lines_are_refused_naming_each_line_and_field(client, rep1, book, kettles):
    RateFactory(currency="EUR", valid_from=date(2026, 1, 1), rate=Decimal("1.0850"))
    client.force_login(rep1)
    payload = eur_order(
        kettles,
        lines=[
            {"product_id": 999_999, "quantity": 1, "unit_price": "1"},
            {"product_id": kettles[0].pk, "quantity": "-5", "unit_price": "1"},
            {"product_id": kettles[1].pk, "quantity": 1, "unit_price": "1"},
        ],
    )

    response = post(client, f"/api/v1/customers/{book['rep1_owned'].pk}/orders", payload)

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "lines.0.product_id": ["Unknown product."],
        "lines.1.quantity": ["Ensure this value is greater than or equal to 0."],
    }
    assert nothing_written()


def test_a_line_without_its_price_is_refused_by_the_schema_under_the_same_name(
    client, rep1, book, kettles
):
    client.force_login(rep1)
    payload = eur_order(kettles, lines=[{"product_id": kettles[0].pk, "quantity": 1}])

    response = post(client, f"/api/v1/customers/{book['rep1_owned'].pk}/orders", payload)

    assert response.status_code == 422
    assert response.json()["errors"] == {"lines.0.unit_price": ["Field required"]}
    assert nothing_written()


def test_an_order_number_is_unique(client, rep1, book, kettles):
    RateFactory(currency="EUR", valid_from=date(2026, 1, 1), rate=Decimal("1.0850"))
    client.force_login(rep1)
    url = f"/api/v1/customers/{book['rep1_owned'].pk}/orders"
    assert post(client, url, eur_order(kettles)).status_code == 201

    again = post(client, url, eur_order(kettles))

    assert again.status_code == 422
    assert again.json()["errors"] == {"number": ["Order with this Order number already exists."]}
    assert (Order.objects.count(), OrderLine.objects.count()) == (1, 2)


def test_shipping_needs_the_day_it_shipped_and_is_refused_without_it(client, rep1, book):
    order = place(rep1, book["rep1_owned"], "SO-1", promised=date(2026, 3, 1))
    client.force_login(rep1)

    refused = post(client, f"/api/v1/orders/{order.pk}/status", {"status": "shipped"})
    order.refresh_from_db()
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"actual_ship_date": ["When did it ship?"]}
    assert (order.status, order.actual_ship_date) == ("confirmed", None)

    shipped = post(
        client,
        f"/api/v1/orders/{order.pk}/status",
        {"status": "shipped", "actual_ship_date": "2026-03-02"},
    )
    assert shipped.status_code == 200
    assert (shipped.json()["status"], shipped.json()["actual_ship_date"]) == (
        "shipped",
        "2026-03-02",
    )


# ---------------------------------------------------------------------------------------------
# Visibility


@pytest.fixture
def orders_of_book(rep1, book):
    product = ProductFactory(sku="KT-100")
    return {
        name: place(rep1, customer, f"SO-{name}", product=product)
        for name, customer in book.items()
    }


@pytest.mark.parametrize("user", list(VISIBLE))
def test_the_order_list_holds_only_orders_of_customers_the_user_may_see(
    client, request, orders_of_book, user
):
    client.force_login(request.getfixturevalue(user))

    response = client.get("/api/v1/orders")

    assert response.status_code == 200
    body = response.json()
    assert {row["number"] for row in body["results"]} == {f"SO-{n}" for n in VISIBLE[user]}
    assert (body["count"], body["page"], body["page_size"]) == (len(VISIBLE[user]), 1, 50)


def test_rep2_can_neither_see_nor_change_rep1s_orders_and_samples(
    client, rep1, rep2, book, orders_of_book
):
    order = orders_of_book["rep1_owned"]
    sample = services.sample_log(
        by=rep1,
        customer=book["rep1_owned"],
        products=[ProductFactory(sku="KT-100")],
        fields={"sent_on": date(2026, 1, 20)},
    )
    client.force_login(rep2)
    customer_id = book["rep1_owned"].pk
    before = (Order.objects.count(), EstimateChange.objects.count(), OrderUpdate.objects.count())

    answers = [
        client.get(f"/api/v1/orders/{order.pk}").status_code,
        client.get(f"/api/v1/orders/{order.pk}/updates").status_code,
        client.get(f"/api/v1/orders/{order.pk}/update-draft").status_code,
        post(
            client,
            f"/api/v1/orders/{order.pk}/estimate",
            {"new_date": "2026-05-01", "reason": "Peeking"},
        ).status_code,
        post(client, f"/api/v1/orders/{order.pk}/status", {"status": "cancelled"}).status_code,
        post(
            client,
            f"/api/v1/orders/{order.pk}/updates",
            {"channel": "other", "subject": "Hi", "body": "Late"},
        ).status_code,
        post(
            client,
            f"/api/v1/customers/{customer_id}/orders",
            {"number": "SO-X", "order_date": "2026-02-01", "lines": []},
        ).status_code,
        client.get(f"/api/v1/customers/{customer_id}/samples").status_code,
        post(
            client,
            f"/api/v1/customers/{customer_id}/samples",
            {"product_ids": [sample.products.get().pk], "sent_on": "2026-02-01"},
        ).status_code,
        post(
            client, f"/api/v1/samples/{sample.pk}/outcome", {"outcome": "no_order", "reason": "x"}
        ).status_code,
    ]

    assert answers == [404] * 10
    order.refresh_from_db()
    sample.refresh_from_db()
    assert (order.status, order.estimated_ship_date) == ("confirmed", None)
    assert (sample.outcome, Sample.objects.count()) == ("pending", 1)
    after = (Order.objects.count(), EstimateChange.objects.count(), OrderUpdate.objects.count())
    assert after == before


def test_an_order_of_a_customer_one_may_not_see_cannot_be_named_as_a_samples_outcome(
    client, rep1, book, orders_of_book
):
    sample = services.sample_log(
        by=rep1,
        customer=book["rep1_owned"],
        products=[ProductFactory(sku="KT-100")],
        fields={"sent_on": date(2026, 1, 20)},
    )
    client.force_login(rep1)

    response = post(
        client,
        f"/api/v1/samples/{sample.pk}/outcome",
        {"outcome": "order", "order_id": orders_of_book["rep2_owned"].pk},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "order_id": [f"No order with id {orders_of_book['rep2_owned'].pk}."]
    }
    sample.refresh_from_db()
    assert (sample.outcome, sample.order_id) == ("pending", None)


# ---------------------------------------------------------------------------------------------
# Filters


def test_orders_filter_by_customer_status_lateness_and_order_date(client, rep1, book):
    today = timezone.localdate()
    product = ProductFactory(sku="KT-100")
    mine, backed_up = book["rep1_owned"], book["rep1_backup"]
    place(rep1, mine, "SO-LATE", product=product, promised=today - timedelta(days=2))
    place(
        rep1,
        mine,
        "SO-ONTIME",
        product=product,
        promised=today + timedelta(days=20),
        order_date=date(2026, 3, 1),
    )
    place(rep1, backed_up, "SO-DRAFT", product=product, status="draft")
    client.force_login(rep1)

    def numbers(query):
        return [row["number"] for row in client.get(f"/api/v1/orders?{query}").json()["results"]]

    assert numbers(f"customer={mine.pk}") == ["SO-ONTIME", "SO-LATE"]
    assert numbers("status=draft") == ["SO-DRAFT"]
    assert numbers("late=true") == ["SO-LATE"]
    assert numbers("late=false") == ["SO-ONTIME", "SO-DRAFT"]
    assert numbers("order_date_from=2026-02-15&order_date_to=2026-03-31") == ["SO-ONTIME"]
    assert numbers("page=2&page_size=2") == ["SO-LATE"]
    late = client.get("/api/v1/orders?late=true").json()["results"][0]
    assert (late["is_late"], late["days_late"], late["needs_update"]) == (True, 2, True)
    assert client.get("/api/v1/orders?status=lost").status_code == 422


def test_products_filter_by_active_category_and_words(client, rep1):
    ProductFactory(sku="KT-300", name="Glass kettle 1.7 L", category="Kettles")
    ProductFactory(sku="TO-100", name="Two-slice toaster", category="Toasters")
    ProductFactory(sku="KT-010", name="Old kettle", category="Kettles", active=False)
    client.force_login(rep1)

    def skus(query):
        return [row["sku"] for row in client.get(f"/api/v1/products?{query}").json()["results"]]

    assert skus("") == ["KT-010", "KT-300", "TO-100"]
    assert skus("active=true") == ["KT-300", "TO-100"]
    assert skus("category=kettles") == ["KT-010", "KT-300"]
    assert skus("q=glass+1.7") == ["KT-300"]
    assert client.get("/api/v1/products/999999").status_code == 404


# ---------------------------------------------------------------------------------------------
# Managers' reference data


def test_a_rep_cannot_add_products_rates_or_disruptions_nor_move_or_notify_by_disruption(
    client, rep1
):
    product = ProductFactory(sku="KT-100")
    disruption = Disruption.objects.create(
        kind="port", title="Ningbo closed", ports="Ningbo", starts_on=date(2026, 6, 8)
    )
    client.force_login(rep1)

    answers = [
        post(client, "/api/v1/products", {"sku": "KT-999", "name": "Kettle"}),
        post(
            client,
            "/api/v1/exchange-rates",
            {"currency": "EUR", "valid_from": "2026-01-01", "rate": "1.08"},
        ),
        post(
            client,
            "/api/v1/disruptions",
            {"kind": "port", "title": "Typhoon", "starts_on": "2026-06-01", "ports": ["Ningbo"]},
        ),
        post(client, f"/api/v1/disruptions/{disruption.pk}/shift", {"order_ids": [1], "days": 3}),
        post(client, f"/api/v1/disruptions/{disruption.pk}/notify"),
    ]

    assert [response.status_code for response in answers] == [403] * 5
    assert answers[0].json() == {"message": "Only a manager or an admin can add products."}
    assert list(Product.objects.values_list("sku", flat=True)) == [product.sku]
    assert (ExchangeRate.objects.count(), Disruption.objects.count()) == (0, 1)
    assert DisruptionNotice.objects.count() == 0


def test_a_manager_adds_a_product_and_it_reads_back(client, manager1):
    client.force_login(manager1)

    created = post(
        client,
        "/api/v1/products",
        {
            "sku": "KT-400",
            "name": "Smart kettle",
            "local_name": "智能水壶",
            "category": "Kettles",
            "launch_date": "2026-05-01",
            "list_price": "18.90",
        },
    )

    assert created.status_code == 201
    read = client.get(f"/api/v1/products/{created.json()['id']}").json()
    assert read == created.json()
    assert (read["sku"], read["local_name"], read["list_price"], read["active"]) == (
        "KT-400",
        "智能水壶",
        "18.90",
        True,
    )
    duplicate = post(client, "/api/v1/products", {"sku": "KT-400", "name": "Again"})
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"] == {"sku": ["Product with this SKU already exists."]}
    assert Product.objects.count() == 1


def test_exchange_rates_need_an_iso_currency_and_a_positive_rate(client, manager1):
    client.force_login(manager1)
    url = "/api/v1/exchange-rates"

    bad_code = post(client, url, {"currency": "EUX", "valid_from": "2026-01-01", "rate": "1.08"})
    zero = post(client, url, {"currency": "EUR", "valid_from": "2026-01-01", "rate": "0"})
    base = post(client, url, {"currency": "USD", "valid_from": "2026-01-01", "rate": "1"})
    assert [r.status_code for r in (bad_code, zero, base)] == [422, 422, 422]
    assert bad_code.json()["errors"] == {
        "currency": ["“EUX” is not an ISO 4217 currency code (e.g. USD, EUR, CNY)."]
    }
    assert zero.json()["errors"] == {"rate": ["A rate is greater than zero."]}
    assert base.json()["errors"] == {
        "currency": ["USD is the base currency: its rate is always 1."]
    }
    assert ExchangeRate.objects.count() == 0

    created = post(client, url, {"currency": "eur", "valid_from": "2026-01-01", "rate": "1.085"})
    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "currency": "EUR",
        "base_currency": "USD",
        "valid_from": "2026-01-01",
        "rate": "1.085",
    }
    listed = client.get("/api/v1/exchange-rates?currency=EUR").json()
    assert [(r["currency"], r["rate"]) for r in listed["results"]] == [("EUR", "1.0850000000")]


# ---------------------------------------------------------------------------------------------
# A late order: the date moves, the customer is told, it stops asking for an update


def test_a_moved_estimate_is_drafted_then_recorded_and_the_order_stops_needing_an_update(
    client, rep1, book
):
    today = timezone.localdate()
    customer = book["rep1_owned"]
    omar = Contact.objects.create(
        customer=customer, name="Omar Haddad", email="omar@alnoor.example", is_primary=True
    )
    order = place(rep1, customer, "SO-2026-0142", promised=today - timedelta(days=1))
    new_date = today + timedelta(days=10)
    client.force_login(rep1)
    assert client.get(f"/api/v1/orders/{order.pk}").json()["needs_update"] is True

    moved = post(
        client,
        f"/api/v1/orders/{order.pk}/estimate",
        {"new_date": new_date.isoformat(), "reason": "Glass supplier short of tubes"},
    )
    assert moved.status_code == 200
    assert [
        (c["old_date"], c["new_date"], c["reason"], c["by_name"])
        for c in moved.json()["estimate_changes"]
    ] == [
        (
            (today - timedelta(days=1)).isoformat(),
            new_date.isoformat(),
            "Glass supplier short of tubes",
            "Alice Tester",
        )
    ]

    draft = client.get(f"/api/v1/orders/{order.pk}/update-draft").json()
    assert (draft["contact_id"], draft["language"], draft["reason"]) == (
        omar.pk,
        "en",
        "Glass supplier short of tubes",
    )
    assert draft["subject"] == f"Update on your order SO-2026-0142: new ship date {new_date}"
    assert draft["body"].startswith("Dear Omar Haddad,")
    assert "Reason: Glass supplier short of tubes" in draft["body"]

    recorded = post(
        client,
        f"/api/v1/orders/{order.pk}/updates",
        {
            "channel": "other",
            "contact_id": omar.pk,
            "subject": draft["subject"],
            "body": draft["body"],
            "reason": draft["reason"],
        },
    )

    assert recorded.status_code == 201
    update = recorded.json()
    assert (update["channel"], update["contact_name"], update["old_date"], update["new_date"]) == (
        "other",
        "Omar Haddad",
        (today - timedelta(days=1)).isoformat(),
        new_date.isoformat(),
    )
    assert mail.outbox == []  # Recorded, not sent: it went another way.
    detail = client.get(f"/api/v1/orders/{order.pk}").json()
    assert (detail["is_late"], detail["needs_update"]) == (True, False)
    assert [u["id"] for u in detail["updates"]] == [update["id"]]
    assert [u["id"] for u in client.get(f"/api/v1/orders/{order.pk}/updates").json()] == [
        update["id"]
    ]
    assert not Order.objects.needing_update(today=today, now=timezone.now(), every_days=7)


def test_an_email_update_needs_a_contact_with_an_address_and_another_customers_is_refused(
    client, rep1, book
):
    order = place(rep1, book["rep1_owned"], "SO-1", promised=date(2026, 3, 1))
    stranger = Contact.objects.create(customer=book["rep2_owned"], name="Not theirs")
    client.force_login(rep1)
    url = f"/api/v1/orders/{order.pk}/updates"

    no_contact = post(client, url, {"channel": "email", "subject": "Late", "body": "Sorry"})
    wrong = post(
        client,
        url,
        {"channel": "call", "contact_id": stranger.pk, "subject": "Late", "body": "Sorry"},
    )

    assert (no_contact.status_code, wrong.status_code) == (422, 422)
    assert no_contact.json()["errors"] == {
        "contact_id": ["Choose a contact with an email address."]
    }
    assert wrong.json()["errors"] == {"contact_id": [f"No contact with id {stranger.pk}."]}
    order.refresh_from_db()
    assert (OrderUpdate.objects.count(), order.last_delay_update_at) == (0, None)


# ---------------------------------------------------------------------------------------------
# Disruptions


@pytest.fixture
def ningbo_orders(rep1, book):
    """Three customers the manager may see, each with an order from Ningbo in June; one more
    from Shenzhen that no closure of Ningbo touches."""
    product = ProductFactory(sku="KT-500")
    orders = {}
    for index, name in enumerate(["rep1_owned", "rep1_backup", "pool"]):
        customer = book[name]
        Contact.objects.create(
            customer=customer,
            name=f"Buyer {index}",
            email=f"buyer{index}@importer{index}.example",
            is_primary=True,
        )
        orders[name] = place(
            rep1,
            customer,
            f"SO-{index}",
            product=product,
            promised=date(2026, 6, 10 + index),
            port="Ningbo",
            essential=name == "pool",
        )
    orders["shenzhen"] = place(
        rep1,
        book["rep1_owned"],
        "SO-SZX",
        product=product,
        promised=date(2026, 6, 11),
        port="Shenzhen",
    )
    return orders


def test_a_disruption_tells_each_affected_customer_once(
    client, manager1, ningbo_orders, django_capture_on_commit_callbacks
):
    client.force_login(manager1)
    created = post(
        client,
        "/api/v1/disruptions",
        {
            "kind": "port",
            "title": "Ningbo port closed by typhoon",
            "description": "Typhoon Bebinca has closed the port of Ningbo.",
            "starts_on": "2026-06-08",
            "ends_on": "2026-06-20",
            "ports": ["Ningbo"],
        },
    )
    assert created.status_code == 201
    disruption = created.json()
    assert (disruption["ports"], disruption["product_ids"]) == (["Ningbo"], [])
    url = f"/api/v1/disruptions/{disruption['id']}"

    affected = client.get(f"{url}/orders").json()
    assert [row["number"] for row in affected["results"]] == ["SO-2", "SO-0", "SO-1"]
    assert (affected["count"], affected["customers"]) == (3, 3)

    preview = client.get(f"{url}/notify/preview").json()
    assert (preview["count"], preview["unreached"], preview["already_told"]) == (3, [], 0)
    assert {m["to"] for m in preview["messages"]} == {
        f"buyer{n}@importer{n}.example" for n in range(3)
    }
    assert all(m["body"].endswith(m["signed_by"]) for m in preview["messages"])
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        stale = post(client, f"{url}/notify?expected=2")
    assert (stale.status_code, list(stale.json()["errors"])) == (422, ["expected"])
    assert mail.outbox == []
    assert not DisruptionNotice.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, f"{url}/notify?expected=3")
    with django_capture_on_commit_callbacks(execute=True):
        second = post(client, f"{url}/notify")

    assert (first.json(), second.json()) == (
        {"sent": 3, "unreached": []},
        {"sent": 0, "unreached": []},
    )
    assert sorted(message.to[0] for message in mail.outbox) == [
        "buyer0@importer0.example",
        "buyer1@importer1.example",
        "buyer2@importer2.example",
    ]
    assert DisruptionNotice.objects.count() == 3
    told = client.get(f"{url}/orders").json()["results"]
    assert all(row["customer_told"] for row in told)
    assert client.get("/api/v1/disruptions").json()["count"] == 1


def test_a_disruption_needs_products_or_ports_and_an_end_after_its_start(client, manager1):
    client.force_login(manager1)

    nothing = post(
        client,
        "/api/v1/disruptions",
        {"kind": "holiday", "title": "Golden Week", "starts_on": "2026-10-01"},
    )
    backwards = post(
        client,
        "/api/v1/disruptions",
        {
            "kind": "factory",
            "title": "Line 2 stopped",
            "starts_on": "2026-10-08",
            "ends_on": "2026-10-01",
            "product_ids": [999_999],
        },
    )

    assert (nothing.status_code, backwards.status_code) == (422, 422)
    assert nothing.json()["errors"] == {"__all__": ["Name the products or the ports it touches."]}
    assert backwards.json()["errors"] == {"product_ids": ["No product with id 999999."]}
    assert Disruption.objects.count() == 0


def test_a_manager_moves_affected_estimates_and_an_unaffected_order_moves_nothing(
    client, manager1, ningbo_orders
):
    disruption = Disruption.objects.create(
        kind="port", title="Ningbo closed", ports="Ningbo", starts_on=date(2026, 6, 8)
    )
    client.force_login(manager1)
    url = f"/api/v1/disruptions/{disruption.pk}/shift"
    first, second = ningbo_orders["rep1_owned"], ningbo_orders["rep1_backup"]

    refused = post(client, url, {"order_ids": [first.pk, ningbo_orders["shenzhen"].pk], "days": 7})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "order_ids": [f"No affected order with id {ningbo_orders['shenzhen'].pk}."]
    }
    assert EstimateChange.objects.count() == 0

    moved = post(client, url, {"order_ids": [first.pk, second.pk], "days": 7})

    assert moved.json() == {"moved": 2}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.estimated_ship_date, second.estimated_ship_date) == (
        date(2026, 6, 17),
        date(2026, 6, 18),
    )
    assert set(EstimateChange.objects.values_list("reason", "disruption_id")) == {
        ("Ningbo closed", disruption.pk)
    }


# ---------------------------------------------------------------------------------------------
# Samples


def test_a_charged_sample_is_logged_with_its_fee_and_its_outcome_set(client, rep1, book, kettles):
    customer = book["rep1_owned"]
    client.force_login(rep1)

    logged = post(
        client,
        f"/api/v1/customers/{customer.pk}/samples",
        {
            "product_ids": [kettles[1].pk, kettles[0].pk],
            "quantity": 2,
            "sent_on": "2026-01-20",
            "courier": "DHL",
            "tracking_number": "1234567890",
            "is_free": False,
            "fee": "25.00",
            "fee_status": "invoiced",
            "cost": "38.00",
            "follow_up_on": "2026-02-03",
        },
    )

    assert logged.status_code == 201, logged.json()
    sample = logged.json()
    assert (sample["fee"], sample["fee_currency"], sample["terms"], sample["cost"]) == (
        "25.00",
        "USD",
        "25.00 USD (Invoiced)",
        "38.00",
    )
    assert [p["sku"] for p in sample["products"]] == ["KT-300", "KT-310"]
    order = place(rep1, customer, "SO-1", product=kettles[0])

    outcome = post(
        client,
        f"/api/v1/samples/{sample['id']}/outcome",
        {"outcome": "order", "order_id": order.pk, "fee_status": "paid"},
    )

    assert outcome.status_code == 200
    assert (outcome.json()["outcome"], outcome.json()["order_id"]) == ("order", order.pk)
    assert (outcome.json()["fee_status"], outcome.json()["terms"]) == (
        "paid",
        "25.00 USD (Paid)",
    )
    listed = client.get(f"/api/v1/customers/{customer.pk}/samples").json()
    assert [(row["id"], row["outcome"]) for row in listed["results"]] == [(sample["id"], "order")]


def test_a_charged_sample_without_a_fee_and_a_no_order_without_a_reason_are_refused(
    client, rep1, book, kettles
):
    customer = book["rep1_owned"]
    client.force_login(rep1)
    url = f"/api/v1/customers/{customer.pk}/samples"

    no_fee = post(
        client,
        url,
        {"product_ids": [kettles[0].pk], "sent_on": "2026-01-20", "is_free": False},
    )
    assert no_fee.status_code == 422
    assert no_fee.json()["errors"] == {"fee": ["A charged sample needs its fee."]}
    assert Sample.objects.count() == 0

    sample = post(client, url, {"product_ids": [kettles[0].pk], "sent_on": "2026-01-20"}).json()
    assert sample["terms"] == "free"
    refused = post(client, f"/api/v1/samples/{sample['id']}/outcome", {"outcome": "no_order"})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"reason": ["Say why it led to no order."]}
    assert Sample.objects.get().outcome == "pending"


# ---------------------------------------------------------------------------------------------
# Query counts do not grow with rows


@pytest.mark.parametrize("rows", [5, 50])
def test_the_order_list_takes_the_same_few_queries_for_5_or_50_orders(
    client, rep1, book, rows, django_assert_max_num_queries
):
    product = ProductFactory(sku="KT-100")
    customers = [book["rep1_owned"], book["rep1_backup"], book["pool"]]
    for n in range(rows):
        place(rep1, customers[n % 3], f"SO-{n:03d}", product=product, promised=date(2026, 3, 1))
    client.force_login(rep1)

    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/orders?page_size=100")

    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [5, 50])
def test_an_order_takes_the_same_few_queries_for_5_or_50_lines_moves_and_updates(
    client, rep1, book, rows, django_assert_max_num_queries
):
    customer = book["rep1_owned"]
    contact = Contact.objects.create(customer=customer, name="Omar", email="omar@x.example")
    products = [ProductFactory(sku=f"KT-{n:03d}") for n in range(rows)]
    order = services.order_create(
        by=rep1,
        customer=customer,
        fields={"number": "SO-1", "order_date": date(2026, 2, 1), "currency": "USD"},
        lines=[{"product": p, "quantity": 1, "unit_price": 1} for p in products],
    )
    for n in range(rows):
        services.order_set_estimate(
            by=rep1, order=order, new_date=date(2026, 3, 1) + timedelta(days=n), reason="Tubes"
        )
        services.order_update_record(
            by=rep1, order=order, channel="call", contact=contact, subject="Late", body="Sorry"
        )
    client.force_login(rep1)

    with django_assert_max_num_queries(6):
        response = client.get(f"/api/v1/orders/{order.pk}")

    body = response.json()
    assert (len(body["lines"]), len(body["estimate_changes"]), len(body["updates"])) == (
        rows,
        rows,
        rows,
    )


def test_customers_of_other_owners_do_not_appear_in_the_list_even_when_filtered_for(
    client, rep2, book, orders_of_book
):
    client.force_login(rep2)

    response = client.get(f"/api/v1/orders?customer={book['rep1_owned'].pk}")

    assert (response.json()["count"], response.json()["results"]) == (0, [])
