import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

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

from . import calendar, ranking, registry

# Rows per page of a section on Today; the sections start collapsed below "Contact first".
PAGE_ROWS = 10
# A section's page N loads its first N pages of rows (the sections take a limit, not an offset),
# so paging stops at the first thousand rows: more than anyone pages through on Today.
MAX_PAGE = 100


def agenda_context(
    *,
    user: User,
    viewer: User,
    now: datetime | None = None,
    exact_totals: bool = True,
    ranking_only: bool = False,
):
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    today = now.astimezone(zone).date()
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    return registry.AgendaContext(
        user=user,
        viewer=viewer,
        now=now,
        today=today,
        end_of_today=end,
        exact_totals=exact_totals,
        ranking_only=ranking_only,
    )


def agenda_sections(context, limit: int = 50):
    return [(section, section.rows(context, limit)) for section in registry.sections(context.user)]


@dataclass
class SectionPage:
    """One page of a section's rows, with the links to its neighbours."""

    section: registry.AgendaSection
    rows: list
    total: int
    number: int
    url: str  # the section's own address, with ``person=`` when it is someone else's
    more: bool = False  # ``total`` is a floor (Today's badge): there are more rows

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_ROWS))

    @property
    def first(self) -> int:
        return (self.number - 1) * PAGE_ROWS + 1

    @property
    def last(self) -> int:
        return min(self.number * PAGE_ROWS, self.total)

    def _link(self, number: int) -> str:
        return f"{self.url}{'&' if '?' in self.url else '?'}page={number}"

    @property
    def previous_url(self) -> str:
        return self._link(self.number - 1) if self.number > 1 else ""

    @property
    def next_url(self) -> str:
        return self._link(self.number + 1) if self.number < self.pages else ""


def _person(request) -> User:
    """Whose agenda: one's own, or (managers, admins) a team member's from ``?person=``."""
    person_text = request.GET.get("person", "")
    if not person_text:
        return request.user
    person_id = parse_id(person_text)
    if person_id is None:
        raise Http404("No such person.")
    if person_id == request.user.pk:
        return request.user
    person = people_reportable_by(user=request.user).filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    return person


def _section_url(section, person, viewer) -> str:
    url = reverse("agenda:section", args=[section.key])
    return url if person == viewer else f"{url}?person={person.pk}"


def today_sections(
    context, rows: int = PAGE_ROWS
) -> list[tuple[registry.AgendaSection, registry.SectionResult]]:
    """Each section once, with enough rows for ``rows`` of its own and for the ranking."""
    limit = max(ranking.CANDIDATES, rows)
    return [(section, section.rows(context, limit)) for section in registry.sections(context.user)]


@login_required
def agenda(request):
    """Today: who to contact first and why, then every section collapsed, with its title and
    how many rows it has ("20+" past the ranking's candidates: the exact total is on the
    section's own page). A section's rows are loaded when it is opened (htmx, from
    ``agenda_section``); without JavaScript its title links to its own page.
    Managers may open a team member's."""
    person = _person(request)
    context = agenda_context(
        user=person, viewer=request.user, exact_totals=False, ranking_only=True
    )
    results = today_sections(context, rows=0)
    team = (
        None
        if request.user.is_rep
        else people_reportable_by(user=request.user).filter(is_active=True)
    )
    pages = [
        SectionPage(
            section=section,
            rows=[],
            total=result.total,
            number=1,
            url=_section_url(section, person, request.user),
            more=result.more,
        )
        for section, result in results
    ]
    return render(
        request,
        "agenda/agenda.html",
        {
            "person": person,
            "agenda": context,
            "contact_first": ranking.contact_first(results, context),
            "sections": pages,
            "team": team,
        },
    )


def _page_number(raw: str) -> int:
    """The page asked for, from 1 to ``MAX_PAGE``; what is not a positive number reads as 1."""
    if not (raw.isascii() and raw.isdigit()) or int(raw[:6]) == 0:
        return 1
    return MAX_PAGE if len(raw) > 6 else min(int(raw), MAX_PAGE)


@login_required
def agenda_section(request, key: str):
    """One page of one section: the htmx pager swaps it in; without JavaScript, a page."""
    person = _person(request)
    section = next((s for s in registry.sections(person) if s.key == key), None)
    if section is None:
        raise Http404("No such section.")
    number = _page_number(request.GET.get("page", ""))
    context = agenda_context(user=person, viewer=request.user)
    result = section.rows(context, number * PAGE_ROWS)
    last_page = max(1, -(-result.total // PAGE_ROWS))
    if number > last_page:
        number = last_page
        result = section.rows(context, number * PAGE_ROWS)
    page = SectionPage(
        section=section,
        rows=result.rows[(number - 1) * PAGE_ROWS : number * PAGE_ROWS],
        total=result.total,
        number=number,
        url=_section_url(section, person, request.user),
    )
    if request.headers.get("HX-Request"):
        # Swapped into Today: a row's form that goes back after its POST goes back to Today.
        today = reverse("agenda:today")
        return_to = today if person == request.user else f"{today}?person={person.pk}"
        template = "agenda/_section_body.html"
    else:
        return_to = request.get_full_path()
        template = "agenda/section.html"
    return render(
        request,
        template,
        {"person": person, "agenda": context, "page": page, "return_to": return_to},
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
