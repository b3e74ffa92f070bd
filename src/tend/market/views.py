"""Market pages: thin views over ``services`` and ``selectors``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tend.core.inputs import not_an_id_message, parse_id, parse_ids
from tend.core.personal_links import LinkState, personal_link_page
from tend.customers.models import CustomerType, Territory
from tend.customers.selectors import customer_get_for_user, customers_visible_to

from . import forms, selectors
from .models import NoticeRecipient
from .services import channel, notices, referrals, tiers

PAGE = 100


def _errors_to_form(form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, texts in errors.items():
        form.add_error(field if field in form.fields else None, texts)


def _page(request, queryset, size=PAGE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


# --- Tiers --------------------------------------------------------------------------------


@login_required
def tiers_page(request):
    user = request.user
    return render(
        request,
        "market/tiers.html",
        {
            "floor": selectors.tier_floor(),
            "counts": selectors.tier_counts(user=user),
            "page": _page(request, selectors.tier_proposals(user=user)),
            "can_apply": user.is_manager or user.is_admin,
            "floor_form": forms.TierFloorForm() if user.is_admin else None,
        },
    )


@login_required
@require_POST
def tiers_apply(request):
    ids, problem = parse_ids(request.POST.getlist("customer"))
    if problem:
        messages.error(request, not_an_id_message(problem))
        return redirect("market:tiers")
    try:
        changed = tiers.tiers_apply(by=request.user, customer_ids=ids)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(n)d customers moved to their proposed tier.") % {"n": changed}
        )
    return redirect("market:tiers")


@login_required
@require_POST
def tier_floor_set(request):
    form = forms.TierFloorForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a tier and a number of days between 1 and 366."))
        return redirect("market:tiers")
    try:
        tiers.tier_policy_set(by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Service floor saved."))
    return redirect("market:tiers")


@login_required
@require_POST
def potential_set(request, pk: int):
    customer = customer_get_for_user(user=request.user, pk=pk)
    form = forms.PotentialForm(request.POST)
    if form.is_valid():
        try:
            tiers.potential_set(
                by=request.user, customer=customer, potential=form.cleaned_data["potential"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Potential saved: it counts at the next tier computation."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(customer)


# --- Territories --------------------------------------------------------------------------


@login_required
def territories_page(request):
    user = request.user
    rights = list(selectors.rights_visible(user=user))
    territories = list(Territory.objects.prefetch_related("areas").order_by("name"))
    by_territory: dict[int, list] = {}
    for right in rights:
        by_territory.setdefault(right.territory_id, []).append(right)
    rows = [(t, by_territory.get(t.pk, [])) for t in territories]
    can_edit = not user.is_rep
    area_form = forms.TerritoryAreaForm(request.POST or None) if can_edit else None
    right_form = forms.TerritoryRightForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        try:
            territory = Territory.objects.get(pk=int(request.POST.get("territory", "0")))
        except (Territory.DoesNotExist, ValueError, OverflowError):
            raise Http404("No such territory.") from None
        form = area_form if request.POST.get("what") == "area" else right_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is area_form:
                    channel.territory_area_add(by=user, territory=territory, **data)
                else:
                    dealer = customer_get_for_user(user=user, pk=data["dealer"])
                    channel.territory_right_grant(
                        by=user,
                        dealer=dealer,
                        territory=territory,
                        product_line=data["product_line"],
                        exclusive=data["exclusive"],
                        valid_from=data["valid_from"],
                        valid_until=data["valid_until"],
                    )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Territory saved."))
                return redirect("market:territories")
    return render(
        request,
        "market/territories.html",
        {"rows": rows, "area_form": area_form, "right_form": right_form, "can_edit": can_edit},
    )


# --- Market checks and alerts -------------------------------------------------------------


@login_required
def checks_page(request):
    return render(
        request,
        "market/checks.html",
        {"page": _page(request, selectors.checks_visible(user=request.user), 50)},
    )


@login_required
def check_new(request):
    form = forms.MarketCheckForm(
        request.POST or None,
        request.FILES or None,
        initial={"checked_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check = channel.market_check_record(by=request.user, **data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            alerts = check.alerts.count()
            if alerts:
                messages.warning(
                    request,
                    _("Lot traced: %(n)d dealer(s) found outside their territory.") % {"n": alerts},
                )
            else:
                messages.success(request, _("Market check recorded."))
            return redirect(check)
    return render(request, "market/check_new.html", {"form": form})


@login_required
def check_detail(request, pk: int):
    check = selectors.check_get_for_user(user=request.user, pk=pk)
    alerts = selectors.alerts_visible(user=request.user).filter(market_check=check)
    return render(request, "market/check_detail.html", {"check": check, "alerts": alerts})


@login_required
def check_photo(request, pk: int):
    check = selectors.check_get_for_user(user=request.user, pk=pk)
    if not check.photo:
        raise Http404("No photo.")
    response = FileResponse(check.photo.open("rb"))
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def alerts_page(request):
    return render(
        request,
        "market/alerts.html",
        {"page": _page(request, selectors.alerts_visible(user=request.user), 50)},
    )


@login_required
def alert_detail(request, pk: int):
    alert = selectors.alert_get_for_user(user=request.user, pk=pk)
    user = request.user
    classify_form = forms.ClassifyForm(initial={"sale_kind": alert.sale_kind or None})
    action_form = forms.ActionForm()
    if request.method == "POST":
        if request.POST.get("what") == "classify":
            classify_form = forms.ClassifyForm(request.POST)
            if classify_form.is_valid():
                try:
                    channel.alert_classify(by=user, alert=alert, **classify_form.cleaned_data)
                except ValidationError as exc:
                    _errors_to_form(classify_form, exc)
                else:
                    messages.success(request, _("Alert classified."))
                    return redirect(alert)
        else:
            action_form = forms.ActionForm(request.POST)
            if action_form.is_valid():
                try:
                    approval = channel.alert_action_request(
                        by=user, alert=alert, **action_form.cleaned_data
                    )
                except ValidationError as exc:
                    _errors_to_form(action_form, exc)
                else:
                    messages.success(request, _("Action requested: it waits for approval."))
                    return redirect(approval)
    return render(
        request,
        "market/alert_detail.html",
        {
            "alert": alert,
            "classify_form": classify_form,
            "action_form": action_form,
            "can_review": not user.is_rep,
        },
    )


# --- Notices ------------------------------------------------------------------------------


@login_required
def notices_page(request):
    user = request.user
    form = forms.NoticeForm(request.POST or None) if not user.is_rep else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                notice = notices.notice_create(by=user, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                return redirect(notice)
    return render(
        request,
        "market/notices.html",
        {
            "page": _page(request, selectors.notices_visible(user=user), 50),
            "form": form,
        },
    )


def _audience(user, data) -> list:
    visible = customers_visible_to(user=user)
    if data["audience"] == "dealers":
        return list(visible.filter(type__in=[CustomerType.DEALER, CustomerType.DISTRIBUTOR]))
    if data["audience"] == "tier_a":
        return list(visible.filter(tier="A"))
    ids, problem = parse_ids(t for t in data["customers"].replace(" ", "").split(",") if t)
    if problem:
        raise ValidationError({"customers": not_an_id_message(problem)})
    chosen = list(visible.filter(pk__in=ids))
    if len(chosen) != len(set(ids)):
        raise ValidationError(
            {"customers": _("Some of these customers do not exist or are not yours.")}
        )
    return chosen


@login_required
def notice_detail(request, pk: int):
    user = request.user
    notice = selectors.notice_get_for_user(user=user, pk=pk)
    send_form = forms.NoticeSendForm(request.POST or None) if not user.is_rep else None
    if request.method == "POST":
        if send_form is None:
            raise PermissionDenied
        if send_form.is_valid():
            try:
                result = notices.notice_send(
                    by=user, notice=notice, customers=_audience(user, send_form.cleaned_data)
                )
            except ValidationError as exc:
                _errors_to_form(send_form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Sent to %(sent)d contacts at %(customers)d customers; "
                        "%(none)d customers have no email."
                    )
                    % {
                        "sent": result.sent,
                        "customers": result.customers,
                        "none": len(result.no_email),
                    },
                )
                return redirect(notice)
    return render(
        request,
        "market/notice_detail.html",
        {
            "notice": notice,
            "counts": notices.notice_ack_counts(notice=notice),
            "prices": notice.prices.select_related("product"),
            "page": _page(request, selectors.notice_recipients(user=user, notice=notice)),
            "send_form": send_form,
        },
    )


@login_required
def old_prices_page(request):
    return render(
        request,
        "market/old_prices.html",
        {"page": _page(request, selectors.old_price_lines(user=request.user))},
    )


@personal_link_page
def notice_acknowledge(request, token: str):
    """The contact's page: GET shows the notice (and notes it was read), only the button's POST
    records the acknowledgement."""
    recipient = NoticeRecipient.find(token)
    if recipient is None:
        return render(request, "market/acknowledge.html", {"state": "unknown"}, status=404)
    recipient = NoticeRecipient.objects.select_related("notice", "contact").get(pk=recipient.pk)
    state = recipient.state()
    done = False
    if request.method == "POST" and state == LinkState.OPEN:
        done = notices.notice_acknowledge(recipient=recipient)
        state = LinkState.USED
    elif request.method == "GET" and state == LinkState.OPEN:
        notices.notice_open(recipient=recipient)
    return render(
        request,
        "market/acknowledge.html",
        {"recipient": recipient, "notice": recipient.notice, "state": state, "done": done},
    )


# --- Referrals ----------------------------------------------------------------------------


@login_required
def referrals_page(request):
    user = request.user
    return render(
        request,
        "market/referrals.html",
        {
            "report": selectors.referral_report(user=user),
            "page": _page(request, selectors.referrals_visible(user=user), 50),
            "passed": selectors.business_passed_visible(user=user)[:50],
            "mentions": selectors.mentions_visible(user=user)[:50],
        },
    )


@login_required
@require_POST
def customer_market_post(request, pk: int):
    """The forms of the customer page's market panel: referral, lead passed, lead outcome,
    mention."""
    user = request.user
    customer = customer_get_for_user(user=user, pk=pk)
    what = request.POST.get("what")
    form_class = {
        "referral": forms.ReferralForm,
        "passed": forms.BusinessPassedForm,
        "outcome": forms.LeadOutcomeForm,
        "mention": forms.MentionForm,
    }.get(what)
    if form_class is None:
        raise Http404("Unknown form.")
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "; ".join(
                f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}"
                for f, e in form.errors.items()
            ),
        )
        return redirect(customer)
    data = form.cleaned_data
    try:
        if what == "referral":
            referred = customer_get_for_user(user=user, pk=data["referred"])
            referrals.referral_record(
                by=user, referrer=customer, referred=referred, on=data["on"], note=data["note"]
            )
        elif what == "passed":
            referrals.business_passed_record(by=user, customer=customer, **data)
        elif what == "outcome":
            passed_id = parse_id(request.POST.get("passed"))
            passed = customer.business_passed.filter(pk=passed_id).first() if passed_id else None
            if passed is None:
                raise Http404("No such lead.")
            referrals.business_passed_close(by=user, passed=passed, **data)
        else:
            referrals.mention_record(by=user, customer=customer, **data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect(customer)
