"""What captured messages drive, in bulk: an interaction each on the customer's timeline, an
inquiry when the customer asks something, the answer and its response time in the customer's
working hours when we reply, the touch cadence when we write, and promise suggestions.

The engagement app's rules, applied to many messages at once: ``interaction_log`` does the same
for one interaction typed by hand (an outbound interaction answers the customer's open
inquiries up to its time and restarts the touch cadence)."""

from collections import defaultdict

from django.conf import settings

from tend.core.bulk import bulk_insert
from tend.customers.models import Customer
from tend.engagement import titles
from tend.engagement.models import Direction, Interaction
from tend.engagement.services import inquiry_response_hours
from tend.engagement.timeline_kinds import INTERACTION
from tend.timeline.models import TimelineEntry
from tend.timeline.services import entry_values

from .. import bulk
from ..models import CapturedMessage, PromiseSuggestion
from ..parsing.detect import promise_in
from ..parsing.mail import quoted_removed

SUMMARY_CHARS = 4000


def messages_drive(
    *, messages: list[CapturedMessage], logged_by_id: int, people: dict[str, int] | None = None
) -> int:
    """Drive messages already saved (filed by hand, a chat's runs): interactions, then the
    link from each message to its interaction, then promise suggestions."""
    messages = [
        m for m in messages if m.customer_id and m.interaction_id is None and not m.excluded
    ]
    inquiries = interactions_create(messages=messages, logged_by_id=logged_by_id, people=people)
    bulk.update(CapturedMessage, messages, ["interaction"])
    promises_suggest(messages=messages)
    return inquiries


def interactions_create(
    *, messages: list[CapturedMessage], logged_by_id: int, people: dict[str, int] | None = None
) -> int:
    """Turn filed messages (saved or not yet: bulk capture saves them after, already linked)
    into interactions and what follows from them, setting each message's ``interaction_id``.
    ``people`` maps our addresses to our people: the one who wrote an outbound message logged
    it and is its responder (a shared mailbox has many writers). Returns inquiries opened."""
    people = people or {}
    messages = sorted(
        (m for m in messages if m.customer_id and m.interaction_id is None and not m.excluded),
        key=lambda m: m.at,
    )
    if not messages:
        return 0
    customers = Customer.objects.only("id", "time_zone", "country").in_bulk(
        {m.customer_id for m in messages}
    )
    interactions = [
        Interaction(
            customer_id=message.customer_id,
            channel=message.channel,
            direction=message.direction,
            at=message.at,
            subject=message.subject[:200],
            summary=message.text[:SUMMARY_CHARS],
            logged_by_id=_writer(message, people, logged_by_id),
            needs_answer=message.asks and message.direction == Direction.INBOUND,
        )
        for message in messages
    ]
    earlier = _answer(messages, interactions, customers)
    # Answers first, so that the inquiries they answer are inserted already answered: no
    # update of every row afterwards.
    outbound = [i for i in interactions if not i.needs_answer]
    bulk.insert(Interaction, outbound)
    inquiries = [i for i in interactions if i.needs_answer]
    for inquiry in inquiries:
        if inquiry.answered_by is not None:
            inquiry.answered_by_id = inquiry.answered_by.pk
    bulk.insert(Interaction, inquiries)
    for inquiry in earlier:
        inquiry.answered_by_id = inquiry.answered_by.pk
    bulk.update(Interaction, earlier, ["answered_by", "answered_at", "responder", "response_hours"])
    for message, interaction in zip(messages, interactions, strict=True):
        message.interaction_id = interaction.pk
    bulk_insert(
        Interaction.people.through,
        ["interaction_id", "user_id"],
        ((i.pk, i.logged_by_id) for i in interactions),
    )
    bulk_insert(
        Interaction.contacts.through,
        ["interaction_id", "contact_id"],
        ((m.interaction_id, m.contact_id) for m in messages if m.contact_id),
    )
    _touch(messages)
    entries: dict[tuple, dict] = {}
    columns = ["customer_id", "kind", "title", "body", "data", "source_type", "source_id", "at"]
    bulk_insert(TimelineEntry, columns, (_entry(i, entries) for i in interactions))
    return sum(1 for i in interactions if i.needs_answer)


def _entry(interaction: Interaction, entries: dict[tuple, dict]) -> tuple:
    """An interaction's timeline row. Its title is rendered once per kind of title (a chat has
    four; translating one costs more than writing the row)."""
    i = interaction
    key = (i.channel, i.direction, i.subject, i.needs_answer)
    if key not in entries:
        entries[key] = entry_values(
            customer_id=i.customer_id,
            kind=INTERACTION,
            title=titles.interaction_title(
                channel=i.channel,
                direction=i.direction,
                subject=i.subject,
                needs_answer=i.needs_answer,
            ),
            data={"channel": i.channel, "direction": i.direction, "needs_answer": i.needs_answer},
            source=i,
        )
    same = entries[key]
    return (
        i.customer_id, same["kind"], same["title"], i.summary, same["data"], same["source_type"],
        i.pk, i.at,
    )  # fmt: skip


def _writer(message: CapturedMessage, people: dict[str, int], default: int) -> int:
    if message.direction == Direction.OUTBOUND:
        return people.get(message.from_address, default)
    return default


def _answer(messages, interactions, customers) -> list[Interaction]:
    """Walk the messages in time order: an inquiry waits until our next message to the same
    customer answers it (with the open inquiries the customer already had, which are returned:
    they are updated, the new ones are inserted answered)."""
    waiting: dict[int, list[Interaction]] = defaultdict(list)
    for inquiry in (
        Interaction.objects.open_inquiries()
        .filter(customer_id__in=customers.keys(), at__lte=messages[-1].at)
        .order_by("at", "pk")
    ):
        waiting[inquiry.customer_id].append(inquiry)
    earlier = []
    for message, interaction in zip(messages, interactions, strict=True):
        if interaction.needs_answer:
            waiting[message.customer_id].append(interaction)
        elif message.direction == Direction.OUTBOUND and waiting[message.customer_id]:
            customer = customers[message.customer_id]
            still = []
            for inquiry in waiting[message.customer_id]:
                if inquiry.at > interaction.at:
                    still.append(inquiry)
                    continue
                inquiry.answered_by = interaction
                inquiry.answered_at = interaction.at
                inquiry.responder_id = interaction.logged_by_id
                inquiry.response_hours = inquiry_response_hours(
                    customer=customer, asked_at=inquiry.at, answered_at=interaction.at
                )
                if inquiry.pk:
                    earlier.append(inquiry)
            waiting[message.customer_id] = still
    return earlier


def _touch(messages) -> None:
    """Our latest message restarts each customer's touch cadence: the rows locked, the dates
    derived by the customer's own rule, written in one statement."""
    latest: dict[int, object] = {}
    for message in messages:
        if message.direction == Direction.OUTBOUND:
            latest[message.customer_id] = max(
                latest.get(message.customer_id, message.at), message.at
            )
    if not latest:
        return
    changed = []
    for customer in Customer.objects.select_for_update(of=("self",)).filter(pk__in=latest):
        at = latest[customer.pk]
        if customer.last_outbound_at is None or at > customer.last_outbound_at:
            customer.last_outbound_at = at
            customer.refresh_touch_dates()
            changed.append(customer)
    bulk.update(Customer, changed, ["last_outbound_at", "touch_due_at", "pool_return_at"])


def promises_suggest(*, messages: list[CapturedMessage]) -> None:
    """Promise phrases in our saved, filed messages, offered to the rep."""
    messages = [m for m in messages if m.customer_id and m.direction == Direction.OUTBOUND]
    if not messages:
        return
    customers = Customer.objects.only("id", "time_zone").in_bulk({m.customer_id for m in messages})
    offered = set(
        PromiseSuggestion.objects.filter(message_id__in=[m.pk for m in messages]).values_list(
            "message_id", flat=True
        )
    )
    suggestions = []
    for message in messages:
        if message.pk in offered:
            continue
        customer = customers[message.customer_id]
        found = promise_in(
            quoted_removed(message.text),
            at=message.at,
            tz=customer.time_zone or "UTC",
            day_end=settings.TEND_WORKDAY_END,
        )
        if found:
            suggestions.append(
                (message.pk, message.customer_id, found.kind, found.phrase, found.due_at)
            )
    bulk_insert(
        PromiseSuggestion, ["message_id", "customer_id", "kind", "phrase", "due_at"], suggestions
    )
