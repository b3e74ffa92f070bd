"""The agenda and the reliability report in the REST API. The agenda's sections come from the
registry, so a section another app registers appears here without a change."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from tend.api.schemas import Day, Id, errors
from tend.customers.models import Customer
from tend.engagement.selectors import ReliabilityRow, people_reportable_by, reliability_report

from . import ranking
from .local import local_moment
from .registry import AgendaSection
from .views import agenda_context, today_sections

router = Router(tags=["agenda"])


def _now() -> datetime:
    """The present moment (one place for tests to hold the clock)."""
    return timezone.now()


class PersonOut(Schema):
    id: int
    name: str


class AgendaItemOut(Schema):
    kind: str = Field(description="What the item is: promise, interaction, customer...")
    id: int | None = Field(description="The id of the promise, interaction, customer...")
    customer_id: int | None
    customer_name: str
    customer_local_time: datetime | None = Field(description="The time now at the customer.")
    is_weekend_there: bool
    is_day_off_there: bool = Field(description="A weekend or public holiday at the customer.")
    holiday: str = Field(description="Today's public holiday at the customer, if any.")
    overdue: bool
    text: str


class AgendaSectionOut(Schema):
    key: str
    title: str
    total: int = Field(description="All the items; `items` holds at most `limit` of them.")
    items: list[AgendaItemOut]


class ContactReasonOut(Schema):
    section: str = Field(description="The key of the section the reason comes from.")
    text: str
    url: str = Field(description="The page of the item (relative).")
    days: int = Field(description="Days overdue or waiting; 0 when due today.")
    score: float = Field(description="Section weight x urgency x value of the customer's tier.")


class ContactFirstOut(Schema):
    customer_id: int
    customer_name: str
    tier: str
    customer_local_time: datetime = Field(description="The time now at the customer.")
    score: float = Field(description="The sum of its reasons' scores.")
    reasons: list[ContactReasonOut] = Field(description="Strongest first.")


class AgendaOut(Schema):
    person: PersonOut
    now: datetime
    today: date = Field(description="Today in the person's time zone.")
    contact_first: list[ContactFirstOut] = Field(
        description="The customers to contact first, ranked across the sections."
    )
    sections: list[AgendaSectionOut]


class AgendaQuery(Schema):
    person: Id | None = Field(None, description="A team member's id (managers and admins).")
    limit: int | None = Field(None, ge=1, le=500, description="Items per section.")


class ReliabilityQuery(Schema):
    start: Day | None = Field(None, description="First day; default 90 days ago.")
    end: Day | None = Field(None, description="Last day, included; default today.")


class ReliabilityRowOut(Schema):
    person_id: int | None = Field(description="Empty on the company total.")
    person_name: str
    made: int = Field(description="Promises due in the period.")
    kept: int
    kept_late: int
    broken: int
    withdrawn: int
    open: int
    on_time_rate: float | None = Field(
        description="Kept on time / (kept + kept late + broken); withdrawn ones do not count."
    )
    median_response_hours: float | None = Field(
        description="Inquiries answered in the period, in working hours."
    )
    customers: int = Field(description="Customers owned now.")
    touched_in_cadence: int = Field(description="Of those, within their touch cadence.")
    touched_share: float | None


class ReliabilityOut(Schema):
    start: date
    end: date
    rows: list[ReliabilityRowOut]
    total: ReliabilityRowOut


def _item(section: AgendaSection, row, now: datetime) -> dict:
    """One agenda row in a shape that does not depend on the section: what it is, its customer
    and the moment there, and the section's own one-line text."""
    item = getattr(row, "item", row)
    customer = getattr(row, "customer", None)
    if customer is None:
        customer = item if isinstance(item, Customer) else getattr(item, "customer", None)
    local = getattr(row, "local", None)
    if local is None and customer is not None:
        local = local_moment(country=customer.country, time_zone=customer.time_zone, now=now)
    meta = getattr(item, "_meta", None)
    return {
        "kind": meta.model_name if meta is not None else section.key,
        "id": getattr(item, "pk", None),
        "customer_id": customer.pk if customer is not None else None,
        "customer_name": customer.name if customer is not None else "",
        "customer_local_time": local.time if local is not None else None,
        "is_weekend_there": local.is_weekend if local is not None else False,
        "is_day_off_there": local.is_day_off if local is not None else False,
        "holiday": local.holiday if local is not None else "",
        "overdue": bool(getattr(row, "overdue", False)),
        "text": section.digest_line(row),
    }


@router.get(
    "/agenda",
    response={200: AgendaOut, **errors(404, 422)},
    summary="Today's agenda, section by section",
)
def get_agenda(request, query: Query[AgendaQuery]):
    viewer = request.user
    person = viewer
    if query.person is not None and query.person != viewer.pk:
        person = people_reportable_by(user=viewer).filter(pk=query.person).first()
        if person is None:
            raise Http404("No such person.")
    context = agenda_context(user=person, viewer=viewer, now=_now())
    limit = query.limit or settings.TEND_AGENDA_ROWS
    results = today_sections(context, limit)
    return {
        "person": {"id": person.pk, "name": str(person)},
        "now": context.now,
        "today": context.today,
        "contact_first": [_contact(contact) for contact in ranking.contact_first(results, context)],
        "sections": [
            {
                "key": section.key,
                "title": str(section.title),
                "total": result.total,
                "items": [_item(section, row, context.now) for row in result.rows[:limit]],
            }
            for section, result in results
        ],
    }


def _contact(contact: ranking.Contact) -> dict:
    return {
        "customer_id": contact.customer.pk,
        "customer_name": contact.customer.name,
        "tier": contact.customer.tier,
        "customer_local_time": contact.local.time,
        "score": round(contact.score, 2),
        "reasons": [
            {
                "section": ranked.section,
                "text": ranked.reason.text,
                "url": ranked.reason.url,
                "days": ranked.reason.days,
                "score": round(ranked.score, 2),
            }
            for ranked in contact.reasons
        ],
    }


def _reliability_row(row: ReliabilityRow) -> dict:
    return {
        "person_id": row.person.pk if row.person is not None else None,
        "person_name": str(row.person) if row.person is not None else _("Everyone"),
        "made": row.made,
        "kept": row.kept,
        "kept_late": row.kept_late,
        "broken": row.broken,
        "withdrawn": row.withdrawn,
        "open": row.open,
        "on_time_rate": row.on_time_rate,
        "median_response_hours": row.median_response_hours,
        "customers": row.customers,
        "touched_in_cadence": row.touched_in_cadence,
        "touched_share": row.touched_share,
    }


@router.get(
    "/reliability",
    response={200: ReliabilityOut, **errors(422)},
    summary="Promise reliability and response times per person you may report on",
)
def get_reliability(request, query: Query[ReliabilityQuery]):
    now = _now()
    today = timezone.localdate(now)
    start = query.start or today - timedelta(days=90)
    end = query.end or today
    if end < start:
        raise ValidationError({"end": _("The end is before the start.")})
    zone = timezone.get_current_timezone()
    rows, total = reliability_report(
        user=request.user,
        start=datetime.combine(start, time(0), tzinfo=zone),
        end=datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone),
        now=now,
    )
    return {
        "start": start,
        "end": end,
        "rows": [_reliability_row(row) for row in rows],
        "total": _reliability_row(total),
    }
