import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tend.accounts.models import User
from tend.core.inputs import parse_id
from tend.engagement.selectors import people_reportable_by

from . import calendar, registry


def agenda_context(*, user: User, viewer: User, now: datetime | None = None):
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    today = now.astimezone(zone).date()
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    return registry.AgendaContext(user=user, viewer=viewer, now=now, today=today, end_of_today=end)


def agenda_sections(context, limit: int = 50):
    return [(section, section.rows(context, limit)) for section in registry.sections(context.user)]


@login_required
def agenda(request):
    """Today: what this person must do, section by section. Managers may open a team member's."""
    person = request.user
    person_text = request.GET.get("person", "")
    person_id = parse_id(person_text)
    if person_text and person_id != request.user.pk:
        person = people_reportable_by(user=request.user).filter(pk=person_id).first()
        if person_id is None or person is None:
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


@login_required
def calendar_page(request):
    """Subscribe to your agenda in Outlook or Google Calendar: a secret feed URL, shown once."""
    feed_url = None
    if request.method == "POST":
        _token, key = calendar.calendar_token_create(user=request.user)
        feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[key]))
    current = request.user.calendar_tokens.filter(revoked_at__isnull=True).first()
    return render(
        request,
        "agenda/calendar.html",
        {
            "feed_url": feed_url,
            "webcal_url": feed_url and "webcal://" + feed_url.split("://", 1)[1],
            "current": current,
        },
    )


@login_required
@require_POST
def calendar_revoke(request):
    if calendar.calendar_token_revoke_all(user=request.user):
        messages.success(request, _("Your calendar feed was turned off."))
    return redirect("agenda:calendar")


def calendar_feed(request, token: str):
    """The .ics feed: no login, the secret in the URL is the key. Wrong or revoked: 404."""
    user = calendar.calendar_token_user(key=token)
    if user is None:
        raise Http404("No such calendar.")
    response = HttpResponse(
        calendar.calendar_for(user=user).to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="tend.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
