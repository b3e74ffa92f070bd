"""A person's calendar feed (.ics): their open promises at their due time and the touches due
on the customers they own, for Outlook or Google Calendar to subscribe to. The feed URL carries
a secret token; only its SHA-256 is stored, like API tokens."""

import secrets
import zoneinfo
from datetime import datetime, timedelta

import icalendar
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tend.accounts.models import User
from tend.customers.models import Customer
from tend.engagement.models import Promise

from .models import CalendarToken

PROMISE_MINUTES = 30


def calendar_token_create(*, user: User) -> tuple[CalendarToken, str]:
    """A new feed secret for the person, returned once and never stored. It replaces the
    person's previous feed, which stops working."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        calendar_token_revoke_all(user=user)
        token = CalendarToken.objects.create(
            user=user, key_hash=CalendarToken.hash_key(key), hint=key[:6]
        )
    return token, key


def calendar_token_revoke_all(*, user: User) -> int:
    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def calendar_token_user(*, key: str) -> User | None:
    """Whose feed this secret opens, or None (unknown, revoked, or the person is inactive)."""
    token = (
        CalendarToken.objects.active()
        .select_related("user")
        .filter(key_hash=CalendarToken.hash_key(key))
        .first()
    )
    return token.user if token else None


def _zone(user: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _link(path: str) -> str:
    return settings.TEND_BASE_URL + path


def _promise_event(promise: Promise, stamp: datetime, zone) -> icalendar.Event:
    customer = promise.customer
    details = [promise.description] if promise.description else []
    details.append(f"Customer: {customer.name} ({customer.country})")
    if promise.contact:
        details.append(f"Contact: {promise.contact.name}")
    details.append(f"Promised on {promise.made_at.astimezone(zone):%Y-%m-%d %H:%M}")
    details.append(_link(customer.get_absolute_url()))
    event = icalendar.Event()
    event.add("uid", f"promise-{promise.pk}@tend")
    event.add("dtstamp", stamp)
    event.add("dtstart", promise.due_at)
    event.add("dtend", promise.due_at + timedelta(minutes=PROMISE_MINUTES))
    event.add("summary", f"Promise: {promise.get_kind_display()} — {customer.name}")
    event.add("description", "\n".join(details))
    event.add("url", _link(customer.get_absolute_url()))
    event.add("categories", ["Tend", "Promise"])
    return event


def _touch_event(customer: Customer, day, stamp: datetime, zone) -> icalendar.Event:
    due = customer.touch_due_at.astimezone(zone)
    event = icalendar.Event()
    event.add("uid", f"touch-{customer.pk}@tend")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", f"Touch {customer.name} (tier {customer.tier})")
    event.add(
        "description",
        f"Touch due {due:%Y-%m-%d} (every {customer.cadence} days).\n"
        f"{_link(customer.get_absolute_url())}",
    )
    event.add("url", _link(customer.get_absolute_url()))
    event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: leaves the day free
    event.add("categories", ["Tend", "Touch"])
    return event


def calendar_for(*, user: User, now: datetime | None = None) -> icalendar.Calendar:
    """The feed: two queries whatever the number of events."""
    now = now or timezone.now()
    zone = _zone(user)
    today = now.astimezone(zone).date()
    stamp = now.astimezone(zoneinfo.ZoneInfo("UTC")).replace(microsecond=0)

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Tend//Calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Tend — {user}")
    cal.add("x-wr-timezone", str(zone))
    cal.add("x-published-ttl", "PT1H")
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})

    promises = (
        Promise.objects.open()
        .filter(made_by=user)
        .select_related("customer", "contact")
        .order_by("due_at", "id")
    )
    for promise in promises:
        cal.add_component(_promise_event(promise, stamp, zone))

    touches = Customer.objects.filter(owner=user, touch_due_at__isnull=False).order_by(
        "touch_due_at", "id"
    )
    for customer in touches:
        day = max(customer.touch_due_at.astimezone(zone).date(), today)
        cal.add_component(_touch_event(customer, day, stamp, zone))
    return cal
