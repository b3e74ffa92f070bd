"""A small voice book on the shared cast: a contact per customer, and helpers to send a
survey and get its token."""

from datetime import UTC, datetime

import pytest

from tend.customers.tests.factories import ContactFactory
from tend.voice import services
from tend.voice.models import SurveyKind, Trigger

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def contacts(book):
    return {
        key: ContactFactory(customer=customer, name=f"{key} buyer", is_primary=True)
        for key, customer in book.items()
    }


@pytest.fixture
def send_survey(django_capture_on_commit_callbacks):
    """Ask a customer and return (send, token) from the email actually sent."""

    def send(customer, *, kind=SurveyKind.NPS, contact=None, now=None, trigger=Trigger.MANUAL):
        from django.core import mail

        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = services.survey_request(
                customer=customer, contact=contact, kind=kind, trigger=trigger, now=now
            )
        assert result.sent, result.refused
        body = mail.outbox[before].body
        token = body.split("/voice/a/")[1].split("/")[0]
        return result.send, token

    return send
