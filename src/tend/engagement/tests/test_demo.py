"""The demo book's engagement history: deterministic, consistent with the services' rules, and
telling the seed 002 story in the reliability report and on every agenda."""

import hashlib
import random
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db.models import Count, Max

from tend.accounts.models import User
from tend.agenda.views import agenda_context, agenda_sections
from tend.customers.models import Customer
from tend.demo import registry
from tend.demo.builder import build_demo
from tend.engagement import selectors, services
from tend.engagement.demo import LINKS_DAYS, RELIABLE_REP, UNRELIABLE_REP
from tend.engagement.models import Interaction, Promise, PromiseOutcome
from tend.engagement.services import inquiry_response_hours
from tend.engagement.timeline_kinds import INTERACTION, PROMISE
from tend.timeline.models import TimelineEntry
from tend.timeline.services import timeline_add

DAY = date(2026, 3, 2)  # a Monday
SIZE = 200


STEPS = ("people", "reference", "customers", "engagement")  # the customer book and this step


def build(seed=7, reset=False):
    return build_demo(
        customers=SIZE, seed=seed, today=DAY, reset=reset, write=lambda _: None, only=STEPS
    )


@pytest.fixture(scope="module")
def ctx(django_db_setup, django_db_blocker):
    """One book for the module (tests only read it, or change it inside their own transaction);
    deleted afterwards by the steps' own resets."""
    with django_db_blocker.unblock():
        context = build()
        yield context
        for step in reversed(registry.steps()):
            if step.reset:
                step.reset(context)


def digest() -> str:
    """Interactions and promises of the whole book, independent of ids."""
    hasher = hashlib.sha256()
    for row in Interaction.objects.order_by("customer__name", "at", "direction", "id").values_list(
        "customer__name", "channel", "direction", "at", "logged_by__username", "subject",
        "summary", "needs_answer", "answered_at", "responder__username", "response_hours",
    ):  # fmt: skip
        hasher.update(repr(row).encode())
    for row in Promise.objects.order_by("customer__name", "made_at", "id").values_list(
        "customer__name", "kind", "description", "made_by__username", "made_at", "due_at",
        "outcome", "outcome_at", "outcome_reason", "contact__name",
    ):  # fmt: skip
        hasher.update(repr(row).encode())
    return hasher.hexdigest()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_conversations(ctx):
    first = digest()
    assert Interaction.objects.count() > 20 * SIZE
    build(reset=True)
    assert digest() == first
    build(seed=8, reset=True)
    assert digest() != first


@pytest.mark.django_db
def test_channels_are_mixed_and_wechat_is_for_chinese_speaking_contacts(ctx):
    channels = dict(Interaction.objects.values_list("channel").annotate(n=Count("id")))
    for channel in ("email", "whatsapp", "call", "video", "meeting", "visit"):
        assert channels.get(channel, 0) > 0, channel
    assert channels["email"] == max(channels.values())
    wechat = Interaction.objects.filter(channel="wechat", contacts__isnull=False)
    assert set(wechat.values_list("contacts__language", flat=True)) == {"zh"}
    # Interactions of the last year name their contact and the person who logged it, as
    # interaction_log does (older ones do not: millions of link rows on a big book).
    recent = Interaction.objects.filter(at__gte=ctx.now - timedelta(days=LINKS_DAYS))
    for interaction in recent.order_by("?")[:50].prefetch_related("contacts", "people"):
        assert [c.customer_id for c in interaction.contacts.all()] == [interaction.customer_id]
        assert [p.pk for p in interaction.people.all()] == [interaction.logged_by_id]
    linked = Interaction.contacts.through.objects.count()
    assert linked == recent.count() == Interaction.people.through.objects.count()


@pytest.mark.django_db
def test_answered_inquiries_name_the_first_answer_and_its_working_hours(ctx):
    answered = Interaction.objects.filter(needs_answer=True, answered_at__isnull=False)
    assert answered.count() > 2 * SIZE
    for inquiry in answered.select_related("answered_by", "customer").order_by("?")[:150]:
        answer = inquiry.answered_by
        assert answer.direction == "out" and answer.customer_id == inquiry.customer_id
        assert answer.at == inquiry.answered_at > inquiry.at
        assert inquiry.responder_id == answer.logged_by_id
        first = (
            Interaction.objects.filter(
                customer_id=inquiry.customer_id, direction="out", at__gte=inquiry.at
            )
            .order_by("at", "id")
            .first()
        )
        assert first == answer
        expected = inquiry_response_hours(
            customer=inquiry.customer, asked_at=inquiry.at, answered_at=answer.at
        )
        assert float(inquiry.response_hours) == pytest.approx(float(expected), abs=0.001)


@pytest.mark.django_db
def test_the_reliability_report_ranks_salesperson_a_above_b(ctx):
    admin = User.objects.get(username="admin")
    rows, total = selectors.reliability_report(
        user=admin, start=ctx.now - timedelta(days=3 * 365), end=ctx.now, now=ctx.now
    )
    by_name = {row.person.username: row for row in rows}
    a, b = by_name[RELIABLE_REP], by_name[UNRELIABLE_REP]
    order = [row.person.username for row in rows]
    assert order.index(RELIABLE_REP) < order.index(UNRELIABLE_REP)
    reps = [row.person.username for row in rows if row.person.is_rep]
    assert reps[0] == RELIABLE_REP and reps[-1] == UNRELIABLE_REP
    assert a.on_time_rate > 0.9 and b.on_time_rate < 0.65
    assert b.broken > 3 * a.broken
    assert a.median_response_hours < 4 < 12 < b.median_response_hours
    assert len(reps) == 6 and all(by_name[name].made > 20 for name in reps)
    assert total.made == sum(row.made for row in rows)


@pytest.mark.django_db
def test_promises_are_closed_as_the_services_would_have_closed_them(ctx):
    promises = Promise.objects.select_related("made_by")
    outcomes = dict(promises.values_list("outcome").annotate(n=Count("id")))
    assert all(outcomes.get(state, 0) > 0 for state in PromiseOutcome.values), outcomes
    for promise in promises.order_by("?")[:300]:
        assert promise.made_at <= promise.due_at
        assert promise.interaction.customer_id == promise.customer_id
        if promise.outcome == PromiseOutcome.KEPT:
            assert promise.made_at <= promise.outcome_at <= promise.due_at
            assert promise.closed_by == promise.made_by
        elif promise.outcome == PromiseOutcome.KEPT_LATE:
            assert promise.due_at < promise.outcome_at <= services.promise_break_deadline(promise)
        elif promise.outcome == PromiseOutcome.BROKEN:
            assert promise.broken_automatically and promise.closed_by is None
            assert promise.outcome_at == services.promise_break_deadline(promise)
        elif promise.outcome == PromiseOutcome.WITHDRAWN:
            assert promise.outcome_reason and promise.outcome_at <= promise.due_at
        else:
            assert promise.outcome_at is None
            assert services.promise_break_deadline(promise) > ctx.now
    # Nothing is left for the worker's rules to do as of the book's day.
    assert services.promises_break_overdue(now=ctx.now) == 0
    assert services.customers_return_to_pool(now=ctx.now) == 0


@pytest.mark.django_db
def test_touch_dates_follow_the_customers_own_rule(ctx):
    last_out = dict(
        Interaction.objects.filter(direction="out")
        .values_list("customer_id")
        .annotate(last=Max("at"))
    )
    customers = list(Customer.objects.order_by("id"))
    for customer in random.Random(1).sample(customers, 80):
        assert customer.last_outbound_at == last_out.get(customer.pk)
        stored = (customer.touch_due_at, customer.pool_return_at)
        customer.refresh_touch_dates()
        assert stored == (customer.touch_due_at, customer.pool_return_at)
        if customer.owner_id is None:
            assert customer.owned_since is None and customer.pool_return_at is None
        else:
            assert customer.created_at <= customer.owned_since <= ctx.now
    owned = Customer.objects.filter(owner__isnull=False)
    within = owned.filter(touch_due_at__gte=ctx.now).count()
    assert 0.55 * owned.count() < within < 0.9 * owned.count()
    assert owned.filter(touch_due_at__lt=ctx.now).count() > 0.1 * owned.count()
    warning = ctx.now + timedelta(days=settings.TEND_POOL_WARNING_DAYS)
    near = owned.filter(pool_return_at__lte=warning).count()
    assert 0 < near < 0.15 * owned.count()
    assert not owned.filter(pool_return_at__lte=ctx.now).exists()


@pytest.mark.django_db
def test_every_agenda_has_promises_due_and_some_have_waiting_inquiries(ctx):
    waiting = 0
    for user in User.objects.filter(role__in=["rep", "manager"]):
        sections = {
            section.key: result
            for section, result in agenda_sections(
                agenda_context(user=user, viewer=user, now=ctx.now), limit=10
            )
        }
        assert sections["promises"].total >= 3, user
        if user.is_rep:
            assert sections["touches"].total > 0, user
        waiting += sections["inquiries"].total
    assert waiting > 0
    open_inquiries = Interaction.objects.open_inquiries().filter(customer__owner__isnull=False)
    waited = selectors.inquiries_waited(
        open_inquiries, hours=settings.TEND_INQUIRY_ALERT_HOURS, now=ctx.now
    )
    old = list(open_inquiries.filter(waited).select_related("customer"))
    assert old and all(i.customer.last_outbound_at < i.at for i in old)


@pytest.mark.django_db
@pytest.mark.parametrize("later", [0, 7, 30, 200])
def test_todays_waiting_inquiries_in_python_are_the_querys_own(ctx, later):
    """Today's section keeps an inquiry by its clock's cutoff in Python
    (``inquiries_waiting_ids``); the API and the digest ask SQL (``inquiries_waiting``): the
    same inquiries in the same order, for everyone, over the demo's many clocks."""
    now = ctx.now + timedelta(hours=later)
    clocks = 0
    for user in User.objects.all():
        query = list(selectors.inquiries_waiting(user=user, now=now).values_list("pk", flat=True))
        assert selectors.inquiries_waiting_ids(user=user, now=now) == query, user
        clocks += len(query)
    assert clocks > 0


@pytest.mark.django_db
def test_timeline_has_an_entry_per_interaction_and_promise_event_shaped_as_timeline_add(ctx):
    entries = TimelineEntry.objects.filter(kind=INTERACTION.key)
    assert entries.count() == Interaction.objects.count()
    closed = Promise.objects.exclude(outcome=PromiseOutcome.OPEN).count()
    promise_entries = TimelineEntry.objects.filter(kind=PROMISE.key).count()
    assert promise_entries == Promise.objects.count() + closed
    for interaction in Interaction.objects.order_by("?")[:40]:
        entry = entries.get(source_type="engagement.interaction", source_id=interaction.pk)
        expected = timeline_add(
            customer_id=interaction.customer_id,
            kind=INTERACTION,
            title=services._interaction_title(interaction),
            actor=interaction.logged_by,
            at=interaction.at,
            body=interaction.summary,
            data={
                "channel": interaction.channel,
                "direction": interaction.direction,
                "needs_answer": interaction.needs_answer,
            },
            source=interaction,
            save=False,
        )
        for field in ("customer_id", "kind", "title", "actor_id", "at", "body", "data"):
            assert getattr(entry, field) == getattr(expected, field), field


@pytest.mark.django_db
def test_the_contact_threads_are_filled_once_after_the_load_and_kept_after_it(ctx):
    """The build copies the interactions and links with the threads' triggers set aside and
    fills the table once after; the triggers are back for the next write, and the reset's raw
    deletes leave the table empty (in this test's transaction, rolled back after)."""
    from tend.engagement.contact_threads import contact_threads_mismatches
    from tend.engagement.demo import reset_engagement
    from tend.engagement.models import ContactThread

    assert ContactThread.objects.filter(kind=0).count() == len(
        set(Interaction.objects.values_list("customer_id", flat=True))
    )
    assert contact_threads_mismatches() == []
    interaction = Interaction.objects.order_by("id").first()
    before = ContactThread.objects.get(customer_id=interaction.customer_id, kind=0).interactions
    interaction.delete()
    after = ContactThread.objects.get(customer_id=interaction.customer_id, kind=0).interactions
    assert after == before - 1
    reset_engagement(ctx)
    assert not ContactThread.objects.exists()
    assert contact_threads_mismatches() == []
