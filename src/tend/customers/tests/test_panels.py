"""The customer page's panels: placeholders on the page, each panel at its own URL (a fragment
for htmx, a page of its own without JavaScript), under the page's visibility rule."""

import pytest

from tend.customers.panels import CUSTOMER_END_PANELS, CUSTOMER_PANELS, panel_for_slug

HTMX = {"HTTP_HX_REQUEST": "true"}
LAZY = [panel.slug for panel in CUSTOMER_PANELS + CUSTOMER_END_PANELS if not panel.eager]


def test_every_app_panel_is_registered_once_with_its_own_slug():
    slugs = [panel.slug for panel in CUSTOMER_PANELS + CUSTOMER_END_PANELS]
    assert len(slugs) == len(set(slugs))
    for slug in ["orders", "approvals", "tasks", "cases", "health", "voice", "market", "history"]:
        assert slug in LAZY
    assert panel_for_slug("lost").eager


def test_the_page_holds_a_placeholder_per_lazy_panel_with_a_plain_link(client, book, rep1):
    customer = book["rep1_owned"]
    client.force_login(rep1)
    html = client.get(customer.get_absolute_url()).content.decode()
    for slug in LAZY:
        url = f"/customers/{customer.pk}/panels/{slug}/"
        assert f'id="panel-{slug}"' in html
        assert f'hx-get="{url}"' in html
        assert f'<a href="{url}">' in html  # without JavaScript
    assert html.count('hx-trigger="load"') == len(LAZY)
    # The panels' own content is not on the page: the orders panel's heading id, say.
    assert 'id="customer-orders"' not in html
    assert 'id="customer-history"' not in html


def test_the_page_makes_a_dozen_queries_whatever_the_panels(
    client, book, rep1, django_assert_max_num_queries
):
    client.force_login(rep1)
    with django_assert_max_num_queries(12):
        response = client.get(book["rep1_owned"].get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize("slug", LAZY)
def test_a_panel_answers_a_fragment_to_htmx_and_a_page_otherwise(client, book, rep1, slug):
    customer = book["rep1_owned"]
    client.force_login(rep1)
    url = f"/customers/{customer.pk}/panels/{slug}/"
    fragment = client.get(url, **HTMX)
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b'<section class="card"' in fragment.content
    assert "HX-Request" in fragment["Vary"]
    page = client.get(url)
    assert page.status_code == 200
    assert b"<html" in page.content
    assert customer.name.encode() in page.content
    opening = fragment.content.strip().split(b"\n")[0]  # <section class="card" id=...>
    assert opening.startswith(b"<section") and opening in page.content  # the same panel


@pytest.mark.parametrize("slug", LAZY)
@pytest.mark.parametrize(
    ("user", "customer", "expected"),
    [
        ("rep1", "rep2_owned", 404),
        ("rep2", "rep1_owned", 404),
        ("manager1", "rep2_owned", 404),
        ("rep2", "rep1_backup", 200),
        ("rep1", "pool", 200),
        ("admin_user", "rep2_owned", 200),
    ],
)
def test_a_panel_is_served_only_to_who_may_see_the_customer(
    client, request, book, slug, user, customer, expected
):
    client.force_login(request.getfixturevalue(user))
    url = f"/customers/{book[customer].pk}/panels/{slug}/"
    assert client.get(url, **HTMX).status_code == expected
    assert client.get(url).status_code == expected


def test_a_panel_needs_a_signed_in_user_and_a_known_slug(client, book, rep1):
    url = f"/customers/{book['rep1_owned'].pk}/panels/orders/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(rep1)
    assert client.get(f"/customers/{book['rep1_owned'].pk}/panels/nothing/").status_code == 404
    assert client.get("/customers/999999/panels/orders/").status_code == 404


def test_the_history_panel_lists_the_customers_changes(client, book, rep1):
    from tend.customers import services

    customer = book["rep1_owned"]
    services.customer_update(by=rep1, customer=customer, fields={"city": "Sharjah"}, tags=None)
    client.force_login(rep1)
    html = client.get(f"/customers/{customer.pk}/panels/history/", **HTMX).content.decode()
    assert 'id="customer-history"' in html
    assert "Sharjah" in html
