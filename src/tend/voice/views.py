"""Pages: the personal answer page (no sign-in), the voice overview with trends, the imbalance
report, and asking chosen customers by hand. All thin: they call selectors, reports and
services."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tend.core.inputs import parameter_refused, parse_ids
from tend.core.models import CompanyProfile
from tend.core.personal_links import LinkState, personal_link_page
from tend.core.redirects import redirect_back
from tend.customers.models import Tier
from tend.customers.selectors import customers_visible_to

from . import reports, selectors, services, stats
from .models import SurveyKind, SurveySend, Trigger

MONTHS_MAX = 36


# --- the personal link -----------------------------------------------------------------------


def _link_page(request, send, template, status=200, **context):
    context.update(
        {
            "send": send,
            "token": request.resolver_match.kwargs.get("token", ""),
            "company_name": CompanyProfile.current().name,
        }
    )
    return render(request, template, context, status=status)


def _find(token: str) -> SurveySend | None:
    send = SurveySend.find(token)
    if send is not None:
        send = SurveySend.objects.select_related("survey", "contact").get(pk=send.pk)
    return send


def _closed(request, send, state):
    """The clear page for a link that can no longer be answered: nothing is changed."""
    return _link_page(request, send, "voice/link_closed.html", status=410, state=state)


@personal_link_page
@require_http_methods(["GET", "POST"])
def answer(request, token):
    """GET shows the question and its buttons (a mail scanner opening the link records
    nothing); only the POST of a button records the answer, once."""
    send = _find(token)
    if send is None:
        return _link_page(request, None, "voice/link_unknown.html", status=404)
    with translation.override(send.language):
        state = send.state()
        if state != LinkState.OPEN:
            return _closed(request, send, state)
        if request.method == "GET":
            return _link_page(request, send, "voice/answer.html", **_question(send))
        try:
            recorded = services.answer_record(
                send=send,
                score=request.POST.get("score"),
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as exc:
            return _link_page(
                request,
                send,
                "voice/answer.html",
                status=400,
                errors=exc.messages,
                comment=request.POST.get("comment", "")[:2000],
                **_question(send),
            )
        if recorded is None:  # pressed twice, or in two tabs: the first one counted
            return _closed(request, send, LinkState.USED)
        return _link_page(
            request,
            send,
            "voice/thanks.html",
            answer=recorded,
            thanks=send.survey.thanks(send.language),
        )


def _question(send: SurveySend) -> dict:
    scale = list(send.survey.scale)
    return {
        "question": send.survey.question(send.language),
        "open_question": send.survey.open_question(send.language),
        "scale": scale,
        "low": scale[0],
        "high": scale[-1],
        "is_nps": send.survey.kind == SurveyKind.NPS,
    }


@personal_link_page
@require_POST
def opt_out(request, token):
    """One click: the contact is surveyed no more."""
    send = _find(token)
    if send is None:
        return _link_page(request, None, "voice/link_unknown.html", status=404)
    with translation.override(send.language):
        if not services.contact_opt_out(send=send) and send.state() == LinkState.EXPIRED:
            return _closed(request, send, LinkState.EXPIRED)
        return _link_page(request, send, "voice/opted_out.html")


# --- reports ---------------------------------------------------------------------------------


def _window(request):
    """The last ``months`` months (1–36, default 12), or a 400 naming the parameter."""
    text = request.GET.get("months", "12")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MONTHS_MAX:
        return None, parameter_refused(
            request, "months", _("a whole number from 1 to %(max)d") % {"max": MONTHS_MAX}
        )
    now = timezone.now()
    return (now - timedelta(days=round(int(text) * 30.44)), now, int(text)), None


@login_required
def overview(request):
    window, refused = _window(request)
    if refused:
        return refused
    start, end, months = window
    group = request.GET.get("by", "month")
    if group not in reports.GROUPS:
        return parameter_refused(request, "by", ", ".join(reports.GROUPS))
    customers = customers_visible_to(user=request.user)
    context = {
        "months": months,
        "group": group,
        "groups": [(key, title) for key, (title, _cols) in reports.GROUPS.items()],
        "overall": reports.voice_overall(customers=customers, start=start, end=end),
        "rows": reports.voice_trend(customers=customers, start=start, end=end, group=group),
        "recent": selectors.answers_visible_to(user=request.user).order_by("-answered_at", "-id")[
            :20
        ],
    }
    return render(request, "voice/overview.html", context)


@login_required
def imbalance(request):
    window, refused = _window(request)
    if refused:
        return refused
    start, end, months = window
    rows = reports.imbalance_report(
        customers=customers_visible_to(user=request.user), start=start, end=end, now=end
    )
    tiers = [value for value, _label in Tier.choices]
    return render(
        request,
        "voice/imbalance.html",
        {"rows": rows, "tiers": tiers, "months": months, "min_n": stats.MIN_FLAG_N},
    )


@login_required
@require_http_methods(["GET", "POST"])
def ask(request):
    """Ask chosen customers by hand: tick them in the list (filtered by tier), choose NPS or
    CSAT; the polite-asking rules still apply and the page says who was not asked, and why."""
    if request.method == "POST":
        ids, not_an_id = parse_ids(request.POST.getlist("ids"))
        if not_an_id is not None:
            return parameter_refused(request, "ids", _("not an id: %(v)s") % {"v": not_an_id})
        kind = request.POST.get("kind", "")
        if kind not in SurveyKind.values:
            return parameter_refused(request, "kind", ", ".join(SurveyKind.values))
        customers = list(customers_visible_to(user=request.user).filter(pk__in=ids))
        sent, refused = 0, {}
        for customer in customers:
            result = services.survey_request(
                customer=customer, kind=kind, trigger=Trigger.MANUAL, by=request.user
            )
            sent += result.sent
            if not result.sent:
                refused[result.reason] = refused.get(result.reason, 0) + 1
        messages.success(request, _("%(count)d surveys sent.") % {"count": sent})
        for reason, count in sorted(refused.items()):
            messages.warning(
                request, _("%(count)d not asked: %(reason)s.") % {"count": count, "reason": reason}
            )
        return redirect_back(request, "voice:ask")
    tier = request.GET.get("tier", "")
    if tier and tier not in Tier.values:
        return parameter_refused(request, "tier", ", ".join(Tier.values))
    customers = customers_visible_to(user=request.user).order_by("name", "id")
    if tier:
        customers = customers.filter(tier=tier)
    page = Paginator(customers.only("pk", "name", "country", "tier"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "voice/ask.html",
        {"page": page, "tier": tier, "tiers": Tier.values, "kinds": SurveyKind.choices},
    )
