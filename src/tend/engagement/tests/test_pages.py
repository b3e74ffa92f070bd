import pytest

from tend.engagement.models import Interaction, Promise
from tend.timeline.models import TimelineEntry


def test_logging_an_interaction_with_a_promise_from_the_customer_page(client, rep1, book):
    customer = book["rep1_owned"]
    client.force_login(rep1)
    response = client.post(
        f"/engagement/customers/{customer.pk}/interactions/",
        {
            "channel": "call",
            "direction": "out",
            "subject": "Samples for KT-200",
            "summary": "They want two colours",
            "promise_kind": "sample",
            "promise_due": "2030-03-10T10:00",
            "promise_description": "Send two KT-200 samples",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "→ Call: Samples for KT-200" in html
    assert "Promised: Send two KT-200 samples" in html
    assert 'hx-swap-oob="outerHTML:#customer-promises"' in html
    promise = Promise.objects.get()
    assert (promise.customer, promise.made_by, promise.interaction.subject) == (
        customer,
        rep1,
        "Samples for KT-200",
    )


def test_a_promise_without_a_date_is_an_error_next_to_the_field_and_writes_nothing(
    client, rep1, book
):
    client.force_login(rep1)
    response = client.post(
        f"/engagement/customers/{book['rep1_owned'].pk}/interactions/",
        {"channel": "call", "direction": "out", "promise_kind": "quote"},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Retarget"] == "#log-interaction"
    assert 'id="li-promise-due-error"' in response.content.decode()
    assert not Interaction.objects.exists()
    assert not TimelineEntry.objects.exists()


def test_the_timeline_filters_by_kind(client, rep1, book):
    customer = book["rep1_owned"]
    client.force_login(rep1)
    client.post(
        f"/engagement/customers/{customer.pk}/interactions/",
        {"channel": "email", "direction": "out", "subject": "Hello"},
    )
    client.post(f"/customers/{book['pool'].pk}/claim/")
    only_interactions = client.get(f"/customers/{customer.pk}/timeline/", {"kind": "interaction"})
    titles = [entry.title for entry in only_interactions.context["timeline_entries"]]
    assert titles == ["→ Email: Hello"]


def test_a_customer_you_may_not_see_cannot_get_interactions(client, rep1, book):
    client.force_login(rep1)
    response = client.post(
        f"/engagement/customers/{book['rep2_owned'].pk}/interactions/",
        {"channel": "call", "direction": "out"},
    )
    assert response.status_code == 404
    assert not Interaction.objects.exists()


def test_the_reliability_page_renders_for_a_manager(client, manager1, rep1):
    client.force_login(manager1)
    response = client.get("/engagement/reliability/", {"start": "2026-01-01", "end": "2026-03-31"})
    assert response.status_code == 200
    assert "Promise reliability" in response.content.decode()


def test_a_refused_quick_touch_shows_its_error_as_text_not_markup(client, rep1, book):
    client.force_login(rep1)
    response = client.post(
        f"/engagement/customers/{book['rep1_owned'].pk}/touch/",
        {"channel": "<script>alert(1)</script>"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(("parameter", "day"), [("start", "0001-01-01"), ("end", "9999-12-31")])
def test_a_reliability_period_at_the_ends_of_the_calendar_is_a_400_naming_it(
    client, manager1, parameter, day
):
    client.force_login(manager1)
    response = client.get("/engagement/reliability/", {parameter: day})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        parameter: ["Pick a date between 1900-01-01 and 2999-12-31."]
    }
