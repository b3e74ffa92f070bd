"""The disruption page shows every personal update and how many will go out before anything is
sent, and sends only the count the manager confirmed."""

import re

from tend.orders.models import DisruptionNotice

from . import test_stories

port_closure = test_stories.port_closure  # the fixture, shared with the story


def _shift(client, disruption, orders):
    form = {"action": "shift", "days": 10, "orders": [o.pk for o in orders]}
    assert client.post(f"/orders/disruptions/{disruption.pk}/", form).status_code == 302


def test_the_manager_sees_each_message_and_the_count_before_sending(
    client,
    port_closure,
    manager1,
    smtp_inbox,
    django_capture_on_commit_callbacks,
):
    disruption, orders = port_closure
    client.force_login(manager1)
    _shift(client, disruption, orders)
    url = f"/orders/disruptions/{disruption.pk}/"

    page = client.post(url, {"action": "preview"}).content.decode()
    preview = page[page.index('id="notify-preview"') :]
    assert "25 messages will go out" in preview
    assert "Send these 25 messages" in preview
    assert 'name="expected" value="25"' in preview
    assert "Ningbo port closed by typhoon：对您订单的影响" in preview  # Importer 00 reads Chinese
    assert re.search(r"<dt>From</dt><dd>Carl Tester</dd>", preview)
    assert "<dd>carl@exporter.example</dd>" in preview
    # The old one-click "notify" without a confirmed count only shows the preview.
    again = client.post(url, {"action": "notify"}).content.decode()
    assert "25 messages will go out" in again
    assert smtp_inbox.messages == [] and not DisruptionNotice.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"action": "notify", "expected": "25"})
    assert sent.status_code == 302
    assert len(smtp_inbox.messages) == 25
    assert DisruptionNotice.objects.count() == 25

    after = client.post(url, {"action": "preview"}).content.decode()
    assert "0 messages will go out" in after
    assert "25 customers were told before and get nothing now." in after
    assert "Send these" not in after


def test_a_count_that_changed_since_the_preview_sends_nothing(
    client,
    port_closure,
    manager1,
    smtp_inbox,
    django_capture_on_commit_callbacks,
):
    disruption, orders = port_closure
    client.force_login(manager1)
    _shift(client, disruption, orders)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            f"/orders/disruptions/{disruption.pk}/", {"action": "notify", "expected": "24"}
        )
    assert page.status_code == 200
    assert "The list changed since the preview: 25 messages would go now." in (
        page.content.decode()
    )
    assert smtp_inbox.messages == [] and not DisruptionNotice.objects.exists()


def test_a_rep_cannot_send_the_updates(client, port_closure, rep1):
    disruption, _orders = port_closure
    client.force_login(rep1)
    page = client.post(
        f"/orders/disruptions/{disruption.pk}/", {"action": "notify", "expected": "25"}
    )
    assert page.status_code == 403
    assert not DisruptionNotice.objects.exists()
