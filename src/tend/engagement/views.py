"""Engagement pages: log an interaction (htmx), close a promise, quick touch, reliability."""

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tend.agenda.local import local_moment
from tend.customers.selectors import customer_get_for_user
from tend.timeline.models import TimelineEntry

from . import selectors, services
from .forms import InteractionForm, PeriodForm
from .models import Channel, Direction


@login_required
@require_POST
def interaction_create(request, pk: int):
    """From the customer page: log it, answer with the new timeline entries to prepend."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    form = InteractionForm(request.POST, customer=customer)
    if form.is_valid():
        try:
            interaction = services.interaction_log(
                by=request.user, customer=customer, **form.service_kwargs()
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            entries = TimelineEntry.objects.filter(
                customer=customer,
                source_type__in=["engagement.interaction", "engagement.promise"],
                source_id__in=[interaction.pk, *interaction.promises.values_list("pk", flat=True)],
            ).select_related("actor")
            response = render(
                request,
                "engagement/_logged.html",
                {
                    "entries": entries,
                    "customer": customer,
                    "form": InteractionForm(customer=customer),
                },
            )
            response["HX-Trigger"] = "interaction-logged"
            return response
    response = render(
        request, "engagement/_log_form.html", {"customer": customer, "log_form": form}
    )
    response["HX-Retarget"] = "#log-interaction"
    response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_POST
def quick_touch(request, pk: int):
    """One click from the agenda: an outbound touch, and the row says it is done."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    channel = request.POST.get("channel", Channel.CALL)
    try:
        services.interaction_log(
            by=request.user,
            customer=customer,
            channel=channel,
            direction=Direction.OUTBOUND,
            summary=request.POST.get("summary", ""),
        )
    except ValidationError as exc:
        return render(request, "engagement/_touch_refused_row.html", {"errors": exc.messages})
    return render(request, "engagement/_touched_row.html", {"customer": customer})


@login_required
@require_POST
def promise_close(request, pk: int):
    promise = selectors.promise_get_for_user(user=request.user, pk=pk)
    error = ""
    try:
        promise = services.promise_close(
            by=request.user,
            promise=promise,
            done=request.POST.get("done") == "1",
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    now = timezone.now()
    local = local_moment(
        country=promise.customer.country, time_zone=promise.customer.time_zone, now=now
    )
    return render(
        request,
        "engagement/_promise_row.html",
        {
            "promise": promise,
            "local": local,
            "overdue": promise.is_overdue(now),
            "error": error,
        },
    )


def _period(form: PeriodForm) -> tuple[datetime, datetime]:
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    start = data.get("start") or today - timedelta(days=90)
    end = data.get("end") or today
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time(0), tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone),
    )


@login_required
def reliability(request):
    form = PeriodForm(request.GET)
    start, end = _period(form)
    rows, total = selectors.reliability_report(user=request.user, start=start, end=end)
    return render(
        request,
        "engagement/reliability.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "start": start.date(),
            "end": (end - timedelta(days=1)).date(),
        },
        status=400 if form.errors else 200,
    )
