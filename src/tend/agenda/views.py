import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from tend.accounts.models import User
from tend.engagement.selectors import people_reportable_by

from . import registry


def agenda_context(*, user: User, viewer: User, now: datetime | None = None):
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    today = now.astimezone(zone).date()
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    return registry.AgendaContext(user=user, viewer=viewer, now=now, today=today, end_of_today=end)


def agenda_sections(context, limit: int = 50):
    return [(section, section.rows(context, limit)) for section in registry.sections()]


@login_required
def agenda(request):
    """Today: what this person must do, section by section. Managers may open a team member's."""
    person = request.user
    person_id = request.GET.get("person", "")
    if person_id.isdigit() and int(person_id) != request.user.pk:
        person = people_reportable_by(user=request.user).filter(pk=int(person_id)).first()
        if person is None:
            raise Http404("No such person.")
    context = agenda_context(user=person, viewer=request.user)
    team = (
        None
        if request.user.is_rep
        else people_reportable_by(user=request.user).filter(is_active=True)
    )
    return render(
        request,
        "agenda/agenda.html",
        {
            "person": person,
            "agenda": context,
            "sections": agenda_sections(context, settings.TEND_AGENDA_ROWS),
            "team": team,
        },
    )
