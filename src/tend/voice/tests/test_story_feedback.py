"""End to end: an order is delivered; the hourly job asks the buyer (in Chinese) for a CSAT;
a mail scanner opens the link; the buyer answers 2 with a comment; the owner gets a follow-up
task, the answer is on the timeline, and the voice page counts it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tend.customers.tests.factories import ContactFactory
from tend.orders import services as order_services
from tend.orders.models import OrderStatus
from tend.orders.tests.factories import ProductFactory
from tend.tasks.models import Task
from tend.timeline.models import TimelineEntry
from tend.voice import jobs
from tend.voice.models import SurveyAnswer

from .test_sending import working_moment

pytestmark = pytest.mark.django_db


def test_story_feedback_unhappy_buyer_after_a_delivery_reaches_the_owner(
    client, book, rep1, mailoutbox, django_capture_on_commit_callbacks
):
    customer = book["rep1_owned"]
    ContactFactory(customer=customer, name="王芳", language="zh", is_primary=True)
    order = order_services.order_create(
        by=rep1,
        customer=customer,
        fields={
            "number": "SO-88",
            "order_date": timezone.localdate(),
            "currency": "USD",
            "status": "confirmed",
        },
        lines=[{"product": ProductFactory(), "quantity": Decimal(10), "unit_price": Decimal(3)}],
    )
    order_services.order_status_change(
        order=order, status=OrderStatus.SHIPPED, by=rep1, actual_ship_date=timezone.localdate()
    )
    order_services.order_status_change(order=order, status=OrderStatus.DELIVERED, by=rep1)

    now = working_moment(customer, timezone.now())  # the first run in Dubai's working hours
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.surveys_after_delivery(now=now) == 1
        assert jobs.surveys_after_delivery(now=now + timedelta(hours=1)) == 0  # the next run
    (message,) = mail.outbox
    assert "满意" in message.body and "SO-88" in message.body
    token = message.body.split("/voice/a/")[1].split("/")[0]
    link = reverse("voice:answer", args=[token])

    client.get(link)  # the mail scanner
    assert not SurveyAnswer.objects.exists()
    thanks = client.post(link, {"score": "2", "comment": "包装破损"})
    assert "感谢您的回答" in thanks.content.decode()

    task = Task.objects.get(customer=customer)
    assert task.assignee == rep1 and task.detail == "包装破损"
    entry = TimelineEntry.objects.get(customer=customer, source_type="voice.surveyanswer")
    assert "2 of 5" in entry.display_title  # stored as text to translate: read in English here
    client.force_login(rep1)
    page = client.get(reverse("voice:overview"), {"by": "tier"})
    row = page.context["overall"]
    assert row.csat.n == 1 and row.csat.value == 2.0
