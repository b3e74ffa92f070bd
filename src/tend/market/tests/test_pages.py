"""Every market page: who sees what (an object you may not see is a 404), and a query count that
does not grow with the rows shown."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tend.customers.models import CustomerType
from tend.customers.panels import panel_url
from tend.customers.tests.factories import ContactFactory, CustomerFactory, TerritoryFactory
from tend.market.models import MarketCheck, NoticeRecipient, TransshipmentAlert
from tend.market.services import channel, notices, referrals, tiers
from tend.orders.tests.factories import ProductFactory

from .conftest import place_order

NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


@pytest.fixture
def market(book, rep1, rep2, admin_user):
    """rep2's dealer in the north ships lots that turn up in rep2's other dealer's exclusive
    south; rep1 has nothing to do with them. Several rows of everything."""
    north = TerritoryFactory(name="North")
    south = TerritoryFactory(name="South")
    channel.territory_area_add(by=admin_user, territory=north, country="DE", province="Hamburg")
    channel.territory_area_add(by=admin_user, territory=south, country="DE", province="Bayern")
    kettle = ProductFactory(sku="KT-P", category="Kettles", list_price=Decimal("10"))
    source = CustomerFactory(name="Source GmbH", country="DE", owner=rep2, type=CustomerType.DEALER)
    harmed = CustomerFactory(name="Harmed GmbH", country="DE", owner=rep2, type=CustomerType.DEALER)
    channel.territory_right_grant(
        by=admin_user, dealer=source, territory=north, exclusive=True, valid_from=date(2025, 1, 1)
    )
    channel.territory_right_grant(
        by=admin_user, dealer=harmed, territory=south, exclusive=True, valid_from=date(2025, 1, 1)
    )
    checks = []
    for n in range(4):
        place_order(source, kettle, amount=100, quantity=10, day=date(2026, 9, 1), lot=f"L-{n}")
        checks.append(
            channel.market_check_record(
                by=admin_user,
                country="DE",
                province="Bayern",
                city="München",
                shop=f"Shop {n}",
                product=kettle,
                lot_code=f"L-{n}",
                checked_on=date(2026, 11, 1),
                now=NOW,
            )
        )
    rep1_customers = [book["rep1_owned"], *(CustomerFactory(owner=rep1) for _ in range(3))]
    for customer in [*rep1_customers, source, harmed]:
        ContactFactory(customer=customer)
        ContactFactory(customer=customer)
    notice = notices.notice_create(
        by=admin_user,
        kind="price",
        title="Kettles +5%",
        body="Costs.",
        product_line="Kettles",
        change_pct=Decimal("5"),
        effective_date=date(2027, 3, 1),
        notice_days=30,
        acknowledge_by=date(2027, 2, 1),
        now=NOW,
    )
    notices.notice_send(
        by=admin_user, notice=notice, customers=[*rep1_customers, source, harmed], now=NOW
    )
    for customer in rep1_customers:
        place_order(customer, kettle, amount=100, quantity=10, day=date(2027, 3, 2))
    for i, customer in enumerate(rep1_customers[1:]):
        referrals.referral_record(
            by=rep1, referrer=rep1_customers[0], referred=customer, on=date(2026, 1, 1 + i)
        )
        referrals.business_passed_record(
            by=rep1, customer=customer, lead=f"Lead {i}", passed_on=date(2026, 2, 1)
        )
        referrals.mention_record(
            by=rep1,
            customer=customer,
            url=f"https://e.example/{i}",
            sentiment="neutral",
            summary=f"Mention {i}",
            seen_on=date(2026, 2, 1),
        )
    tiers.tiers_compute(now=NOW)
    return {
        "alert": TransshipmentAlert.objects.order_by("pk").first(),
        "check": checks[0],
        "notice": notice,
        "source": source,
        "rep1_customers": rep1_customers,
    }


PAGES = [
    "/market/tiers/",
    "/market/territories/",
    "/market/checks/",
    "/market/alerts/",
    "/market/notices/",
    "/market/notices/old-prices/",
    "/market/referrals/",
    "/market/checks/new/",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", ["rep1", "rep2", "manager1", "admin_user"])
def test_every_page_opens_for_every_role_within_a_fixed_number_of_queries(
    path, who, market, request, client, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(who))
    with django_assert_max_num_queries(22):
        response = client.get(path)
    assert response.status_code == 200


def test_pages_need_sign_in(client, db):
    for path in PAGES:
        assert client.get(path).status_code == 302


def test_alert_and_check_are_404_for_a_rep_who_sees_neither_dealer(market, rep1, rep2, client):
    alert, check = market["alert"], market["check"]
    client.force_login(rep1)
    assert client.get(alert.get_absolute_url()).status_code == 404
    assert client.get(check.get_absolute_url()).status_code == 404
    assert client.get(f"/market/checks/{check.pk}/photo/").status_code == 404
    assert b"Source GmbH" not in client.get("/market/alerts/").content
    client.force_login(rep2)
    assert client.get(alert.get_absolute_url()).status_code == 200
    assert client.get(check.get_absolute_url()).status_code == 200
    assert b"Source GmbH" in client.get("/market/alerts/").content


def test_detail_pages_within_a_fixed_number_of_queries(
    market, admin_user, client, django_assert_max_num_queries
):
    client.force_login(admin_user)
    for path in (
        market["alert"].get_absolute_url(),
        market["check"].get_absolute_url(),
        market["notice"].get_absolute_url(),
    ):
        with django_assert_max_num_queries(22):
            assert client.get(path).status_code == 200


def test_notice_recipients_show_only_customers_the_user_sees(market, rep1, client):
    client.force_login(rep1)
    page = client.get(market["notice"].get_absolute_url()).content.decode()
    assert market["rep1_customers"][0].name in page
    assert "Source GmbH" not in page
    assert (
        client.post(market["notice"].get_absolute_url(), {"audience": "dealers"}).status_code == 403
    )


def test_old_price_and_referral_pages_follow_visibility(market, rep1, rep2, client):
    client.force_login(rep1)
    assert (
        market["rep1_customers"][1].name.encode()
        in client.get("/market/notices/old-prices/").content
    )
    assert b"Mention 0" in client.get("/market/referrals/").content
    client.force_login(rep2)
    assert (
        market["rep1_customers"][1].name.encode()
        not in client.get("/market/notices/old-prices/").content
    )
    assert b"Mention 0" not in client.get("/market/referrals/").content


def test_a_rep_sees_the_tier_diff_without_the_apply_button_and_cannot_post(market, rep1, client):
    client.force_login(rep1)
    page = client.get("/market/tiers/").content.decode()
    assert 'data-select-all="customer"' not in page
    response = client.post("/market/tiers/apply/", {"customer": [market["rep1_customers"][0].pk]})
    assert response.status_code == 403


def test_manager_applies_selected_tiers_from_the_page(market, manager1, client):
    target = market["rep1_customers"][0]
    place_order(target, market["check"].product, amount=5000, quantity=500, day=date(2026, 10, 1))
    tiers.tiers_compute(now=NOW)
    client.force_login(manager1)
    page = client.get("/market/tiers/").content.decode()
    assert 'data-select-all="customer"' in page
    response = client.post("/market/tiers/apply/", {"customer": [target.pk, "x"]})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.tier == "C"  # a bad id in the list: nothing changed
    client.post("/market/tiers/apply/", {"customer": [target.pk]})
    target.refresh_from_db()
    assert target.tier == "A"


def test_a_rep_cannot_draw_territories(market, rep1, client):
    client.force_login(rep1)
    response = client.post(
        "/market/territories/", {"what": "area", "territory": 1, "country": "FR"}
    )
    assert response.status_code == 403


def test_the_customer_page_shows_the_market_panel_within_its_queries(
    market, rep2, client, django_assert_max_num_queries
):
    client.force_login(rep2)
    with django_assert_max_num_queries(12):  # the page: the panel is a placeholder on it
        page = client.get(market["source"].get_absolute_url())
    assert f'hx-get="{panel_url(market["source"].pk, "market")}"'.encode() in page.content
    with django_assert_max_num_queries(12):  # the panel alone (the page and it were 60)
        panel = client.get(panel_url(market["source"].pk, "market"), HTTP_HX_REQUEST="true")
    assert b"Transshipment alerts" in panel.content


def test_the_acknowledge_page_records_read_on_get_and_acknowledgement_only_on_post(market, client):
    recipient = NoticeRecipient.objects.order_by("pk").first()
    token = recipient.issue_token(now=NOW, days=400)
    recipient.save()
    response = client.get(f"/notice/{token}/")
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    recipient.refresh_from_db()
    assert recipient.read_at is not None and recipient.used_at is None
    client.post(f"/notice/{token}/")
    recipient.refresh_from_db()
    assert recipient.used_at is not None


def test_a_market_check_from_the_phone_form_with_a_photo(market, rep1, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(rep1)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = client.post(
        "/market/checks/new/",
        {
            "country": "DE",
            "province": "Bayern",
            "city": "Nürnberg",
            "shop": "Markt",
            "product": market["check"].product_id,
            "lot_code": "L-1",
            "checked_on": "2026-11-30",
            "photo": SimpleUploadedFile("shelf.png", png, content_type="image/png"),
        },
    )
    assert response.status_code == 302, response.content
    check_url = response["Location"]
    assert client.get(check_url).status_code == 200  # the author sees it
    photo = client.get(check_url + "photo/")
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == png


def test_a_market_check_refuses_a_file_that_is_not_an_image(
    market, rep1, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(rep1)
    response = client.post(
        "/market/checks/new/",
        {
            "country": "DE",
            "city": "Nürnberg",
            "shop": "Markt",
            "product": market["check"].product_id,
            "lot_code": "L-9",
            "checked_on": "2026-11-30",
            "photo": SimpleUploadedFile("x.png", b"<html>", content_type="image/png"),
        },
    )
    assert response.status_code == 200
    assert b"not a JPEG, PNG or WebP" in response.content
    assert not MarketCheck.objects.filter(lot_code="L-9").exists()
