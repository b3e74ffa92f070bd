"""Asking politely: limits per contact and per company, none during an open case or to a
contact who opted out; sent once through the outgoing mail path, and a job run twice sends
once."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from tend.customers.models import Customer, CustomerStatus
from tend.customers.tests.factories import ContactFactory, CustomerFactory
from tend.orders.models import OrderStatus
from tend.timeline.models import TimelineEntry
from tend.voice import jobs, selectors, services
from tend.voice.models import SurveyKind, SurveyOptOut, SurveySend, Trigger
from tend.voice.services import IDEMPOTENCY_HEADER, Refusal

pytestmark = pytest.mark.django_db


def ask(customer, *, contact=None, now=None, kind=SurveyKind.NPS, **extra):
    return services.survey_request(
        customer=customer,
        contact=contact,
        kind=kind,
        trigger=extra.pop("trigger", Trigger.MANUAL),
        now=now,
        **extra,
    )


def test_a_contact_is_not_asked_twice_within_the_contact_gap(
    book, contacts, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.TEND_VOICE_COMPANY_GAP_DAYS = 0
    customer = book["rep1_owned"]
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(customer, now=now - timedelta(days=89)).sent
        refused = ask(customer, now=now)
    assert refused.refused == Refusal.CONTACT_RECENT
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(customer, now=now + timedelta(days=2)).sent  # past 90 days since the first


def test_a_company_is_not_asked_twice_within_the_company_gap_even_through_another_contact(
    book, contacts, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.TEND_VOICE_CONTACT_GAP_DAYS = 0
    customer = book["rep1_owned"]
    other = ContactFactory(customer=customer, name="Second buyer")
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(customer).sent
        refused = ask(customer, contact=other)
    assert refused.refused == Refusal.COMPANY_RECENT
    assert SurveySend.objects.filter(contact=other).count() == 0
    assert len(mailoutbox) == 1


def test_no_survey_while_the_customer_has_an_open_case(
    book, contacts, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    customer = book["rep1_owned"]
    monkeypatch.setattr(
        selectors,
        "customers_with_open_cases",
        # As cases will: the customer ids of open cases (here a one-column values queryset).
        lambda: Customer.objects.filter(pk=customer.pk).values("pk"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        refused = ask(customer)
        other = ask(book["rep2_owned"])
    assert refused.refused == Refusal.OPEN_CASE
    assert other.sent
    assert list(SurveySend.objects.values_list("customer_id", flat=True)) == [book["rep2_owned"].pk]


def test_no_survey_to_a_contact_who_opted_out(book, contacts, mailoutbox):
    customer = book["rep1_owned"]
    SurveyOptOut.objects.create(contact=contacts["rep1_owned"])
    assert ask(customer).refused == Refusal.OPTED_OUT
    assert ask(customer, contact=contacts["rep1_owned"]).refused == Refusal.OPTED_OUT
    # Another contact of the company who did not opt out is asked instead.
    ContactFactory(customer=customer, name="Zed")
    assert ask(customer).send.contact.name == "Zed"


def test_no_contact_with_an_email_is_a_refusal_not_an_error(book):
    ContactFactory(customer=book["pool"], email="")
    assert ask(book["pool"]).refused == Refusal.NO_CONTACT
    assert not SurveySend.objects.exists()


def test_the_email_carries_an_idempotency_key_and_the_link(
    book, contacts, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        send = ask(book["rep1_owned"]).send
    message = mailoutbox[0]
    assert message.to == [contacts["rep1_owned"].email]
    assert message.extra_headers[IDEMPOTENCY_HEADER] == send.idempotency_key
    assert "/voice/a/" in message.body
    send.refresh_from_db()
    assert send.sent_at is not None
    assert len(send.token_hash) == 64  # only the digest is stored


def test_a_failed_send_removes_the_claim_so_a_later_run_asks_again(
    book, contacts, django_capture_on_commit_callbacks, mailoutbox
):
    with (
        mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert ask(book["rep1_owned"]).sent
    assert not SurveySend.objects.exists()
    assert not TimelineEntry.objects.filter(kind="survey").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(book["rep1_owned"]).sent
    assert len(mailoutbox) == 1


def test_the_same_subject_is_asked_about_once(book, contacts, settings):
    settings.TEND_VOICE_CONTACT_GAP_DAYS = settings.TEND_VOICE_COMPANY_GAP_DAYS = 0
    first = ask(
        book["rep1_owned"], kind=SurveyKind.CSAT, trigger="case_closed", subject_label="C-7"
    )
    again = ask(
        book["rep1_owned"], kind=SurveyKind.CSAT, trigger="case_closed", subject_label="C-7"
    )
    assert first.sent and again.refused == Refusal.ALREADY


def test_bad_kind_or_trigger_is_refused_naming_the_field(book, contacts):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as kind:
        ask(book["rep1_owned"], kind="stars")
    assert "kind" in kind.value.message_dict
    with pytest.raises(ValidationError) as trigger:
        ask(book["rep1_owned"], trigger="whenever")
    assert "trigger" in trigger.value.message_dict
    assert not SurveySend.objects.exists()


def working_moment(customer, after):
    """The first whole hour at or after ``after`` that is a working hour where the customer is."""
    moment = after.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while not jobs.customer_working_now(customer, moment):
        moment += timedelta(hours=1)
    return moment


def _deliver(order):
    from tend.orders import services as order_services

    order_services.order_status_change(
        order=order, status=OrderStatus.SHIPPED, by=None, actual_ship_date=timezone.localdate()
    )
    order_services.order_status_change(order=order, status=OrderStatus.DELIVERED, by=None)


def test_the_delivery_job_run_twice_sends_once(
    book, contacts, django_capture_on_commit_callbacks, mailoutbox
):
    from decimal import Decimal

    from tend.orders import services as order_services
    from tend.orders.tests.factories import ProductFactory, RateFactory  # noqa: F401

    order = order_services.order_create(
        by=None,
        customer=book["rep1_owned"],
        fields={
            "number": "SO-1",
            "order_date": timezone.localdate() - timedelta(days=30),
            "currency": "USD",
            "status": "confirmed",
        },
        lines=[{"product": ProductFactory(), "quantity": Decimal(1), "unit_price": Decimal(5)}],
    )
    _deliver(order)
    now = working_moment(order.customer, timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.surveys_after_delivery(now=now) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.surveys_after_delivery(now=now) == 0
        assert jobs.surveys_after_delivery(now=now + timedelta(hours=1)) == 0
    send = SurveySend.objects.get()
    assert (send.trigger, send.survey.kind, send.subject_label) == (
        Trigger.ORDER_DELIVERED,
        SurveyKind.CSAT,
        order.number,
    )
    assert len(mailoutbox) == 1


def test_the_relationship_job_follows_each_tiers_rhythm_and_sends_once(
    db, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.TEND_VOICE_RHYTHM_DAYS = {"A": 180, "B": 365, "C": 365}
    a = CustomerFactory(tier="A", status=CustomerStatus.ACTIVE)
    c = CustomerFactory(tier="C", status=CustomerStatus.ACTIVE)
    prospect = CustomerFactory(tier="A", status=CustomerStatus.PROSPECT)
    for customer in (a, c, prospect):
        ContactFactory(customer=customer)
    now = working_moment(a, timezone.now())  # all three in Dubai
    before = working_moment(a, now - timedelta(days=200))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.relationship_surveys(now=before) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.relationship_surveys(now=before) == 0
    # 200 days on: tier A is due again (180), tier C not yet (365).
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.relationship_surveys(now=now) == 1
        assert jobs.relationship_surveys(now=now) == 0
    assert sorted(SurveySend.objects.values_list("customer_id", flat=True)) == sorted(
        [a.pk, c.pk, a.pk]
    )
    assert len(mailoutbox) == 3
    assert not SurveySend.objects.filter(customer=prospect).exists()


def test_the_jobs_ask_each_customer_in_its_own_working_hours_across_the_date_line(
    db, django_capture_on_commit_callbacks, mailoutbox
):
    from datetime import UTC, datetime

    auckland = CustomerFactory(
        tier="B", status=CustomerStatus.ACTIVE, country="NZ", time_zone="Pacific/Auckland"
    )
    los_angeles = CustomerFactory(
        tier="B", status=CustomerStatus.ACTIVE, country="US", time_zone="America/Los_Angeles"
    )
    for customer in (auckland, los_angeles):
        ContactFactory(customer=customer)
    # Monday 8 June 2026, 02:00 UTC: 14:00 Monday in Auckland, 19:00 Sunday in Los Angeles.
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.relationship_surveys(now=datetime(2026, 6, 8, 2, tzinfo=UTC)) == 1
    assert list(SurveySend.objects.values_list("customer", flat=True)) == [auckland.pk]
    # 17:00 UTC: 10:00 Monday in Los Angeles, 05:00 Tuesday in Auckland.
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.relationship_surveys(now=datetime(2026, 6, 8, 17, tzinfo=UTC)) == 1
    assert SurveySend.objects.filter(customer=los_angeles).count() == 1
    assert len(mailoutbox) == 2


def test_a_run_asks_at_most_a_batch_of_customers(
    db, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.TEND_VOICE_RELATIONSHIP_BATCH = 2
    customers = [CustomerFactory(status=CustomerStatus.ACTIVE) for _ in range(3)]
    for customer in customers:
        ContactFactory(customer=customer)
    now = working_moment(customers[0], timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.relationship_surveys(now=now) == 2
        assert jobs.relationship_surveys(now=now + timedelta(hours=1)) == 1
