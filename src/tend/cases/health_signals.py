"""Two sources of risk signals (seed 004's causes): *quality* — complaints about quality and
lots received that are under alert; *service* — cases past their SLA or open long, cases passed
around, and closures the customer was not satisfied with."""

from datetime import timedelta

import numpy as np
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from tend.health import risk
from tend.health.causes import Cause
from tend.health.signals import COUNTED_TEXTS, ScoringContext, register_provider

from .models import OPEN_STATUSES, Case, Category, LotAlert

WINDOW = timedelta(days=180)
LONG_OPEN = timedelta(days=30)
BOUNCED = 3  # hand-offs on one case before it counts as passed around


def quality_signals(context: ScoringContext) -> list[risk.Signal]:
    now = context.now
    complaints = (
        Case.objects.filter(
            category=Category.QUALITY, opened_at__gte=now - WINDOW, opened_at__lt=now
        )
        .values_list("customer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    signals = [
        risk.count_signal(
            "quality_complaints",
            Cause.QUALITY,
            context.column(list(complaints)),
            each=0.1,
            most=0.3,
        )
    ]
    if context.historical:
        return signals
    from tend.orders.models import OrderLine, OrderStatus

    alerts = list(
        LotAlert.objects.select_related("product").values_list("product_id", "lot", "product__name")
    )
    if alerts:
        rows = (
            OrderLine.objects.filter(
                order__status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED],
                product_id__in={a[0] for a in alerts},
                batch_number__in={a[1] for a in alerts},
            )
            .values_list("order__customer_id", "product_id", "batch_number")
            .distinct()
        )
        names = {(p, lot): f"{lot} ({name})" for p, lot, name in alerts}
        hit = {}
        for customer, product, lot in rows:
            if (product, lot) in names:
                hit.setdefault(customer, names[(product, lot)])
        flags = context.column([(pk, True) for pk in hit], dtype=bool)
        lots = np.full(context.customer_ids.size, "", dtype=object)
        where = context.positions(list(hit))
        keep = where >= 0
        lots[where[keep]] = np.array(list(hit.values()), dtype=object)[keep]
        signals.append(
            risk.flag_signal("unstable_lot_received", Cause.QUALITY, flags, 0.2, lot=lots)
        )
    return signals


def service_signals(context: ScoringContext) -> list[risk.Signal]:
    now = context.now
    recent = Case.objects.filter(opened_at__gte=now - WINDOW, opened_at__lt=now)
    bounced = (
        recent.filter(handoffs__gte=BOUNCED)
        .values_list("customer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    unsatisfied = (
        recent.filter(customer_satisfied=False)
        .values_list("customer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    signals = [
        risk.count_signal(
            "cases_bounced", Cause.SERVICE, context.column(list(bounced)), each=0.1, most=0.2
        ),
        risk.count_signal(
            "cases_unsatisfied",
            Cause.SERVICE,
            context.column(list(unsatisfied)),
            each=0.1,
            most=0.2,
        ),
    ]
    if context.historical:
        return signals
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    late = (
        open_cases.values_list("customer_id")
        .annotate(
            n=Count(
                "pk", filter=Q(sla_breached_at__isnull=False) | Q(opened_at__lt=now - LONG_OPEN)
            )
        )
        .filter(n__gt=0)
        .order_by()
    )
    signals.append(
        risk.count_signal(
            "cases_late", Cause.SERVICE, context.column(list(late)), each=0.1, most=0.25
        )
    )
    return signals


COUNTED_TEXTS.update(
    {
        "quality_complaints": ngettext_lazy(
            "%(count)d quality complaint in the last 6 months",
            "%(count)d quality complaints in the last 6 months",
            "count",
        ),
        "cases_bounced": ngettext_lazy(
            "%(count)d complaint passed between our people 3 or more times",
            "%(count)d complaints passed between our people 3 or more times",
            "count",
        ),
        "cases_unsatisfied": ngettext_lazy(
            "%(count)d complaint closed without the customer satisfied",
            "%(count)d complaints closed without the customer satisfied",
            "count",
        ),
        "cases_late": ngettext_lazy(
            "%(count)d open complaint past its deadline or open over 30 days",
            "%(count)d open complaints past their deadline or open over 30 days",
            "count",
        ),
    }
)
register_provider(
    "quality",
    quality_signals,
    {
        "unstable_lot_received": _("Received lot %(lot)s, which has an unusual complaint rate"),
    },
)
register_provider("service", service_signals)
