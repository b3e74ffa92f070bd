"""Resolving and closing a case: what was done (a refund or credit note through approvals, never
around them), the root cause, and whether the customer said they were satisfied."""

import logging
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tend.accounts.models import User
from tend.audit.models import AuditAction
from tend.core.i18n import TranslatableText

from ..models import MONEY_RESOLUTIONS, Case, CaseStatus, EventKind, Resolution
from . import clock
from .cases import (
    _audit,
    _check_may_act,
    _event,
    _locked,
    _moment,
    _recompute,
    _set_status,
    _text,
    _timeline,
)

logger = logging.getLogger("tend.cases")


@transaction.atomic
def case_resolve(
    *,
    case: Case,
    by: User,
    resolution: str,
    note: str,
    amount: Decimal | None = None,
    currency: str = "",
    root_cause: str = "",
    at: datetime | None = None,
) -> Case:
    """Resolve: what was done. A refund or credit note is asked for through approvals (an
    approval request for the amount); the case is resolved meanwhile but closes only once the
    request is approved."""
    from tend.approvals.models import RequestKind
    from tend.approvals.services import request_create

    now = clock.now()
    if resolution not in Resolution.values:
        raise ValidationError({"resolution": _("Choose a resolution.")})
    note = _text(note, "note", required=_("Say what was done for the customer."))
    root_cause = _text(root_cause, "root_cause")
    case = _locked(case)
    _check_may_act(case, by)
    if case.status not in (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CUSTOMER):
        raise ValidationError({"status": _("Only an open case can be resolved.")})
    at = _moment(at, now)
    if at < case.opened_at:
        raise ValidationError({"at": _("This cannot come before the case was opened.")})
    before = {"resolution": case.resolution}
    request = None
    if resolution in MONEY_RESOLUTIONS:
        if amount is None:
            raise ValidationError({"amount": _("A refund or credit note needs its amount.")})
        proposed: dict[str, Any] = {"kind": resolution, "amount": str(amount)}
        if currency:
            proposed["currency"] = currency.strip().upper()
        order = case.orders.order_by("-order_date", "-id").first()
        request = request_create(
            by=by,
            kind=RequestKind.REFUND,
            customer=case.customer,
            order=order,
            reason=_("Case #%(case)s: %(title)s. %(note)s")
            % {"case": case.pk, "title": case.title, "note": note},
            proposed=proposed,
        )
    elif amount is not None:
        raise ValidationError({"amount": _("Only a refund or credit note has an amount.")})
    case.resolution = resolution
    case.resolution_note = note
    case.approval_request = request
    if root_cause:
        case.root_cause = root_cause
    case.save(update_fields=["resolution", "resolution_note", "approval_request", "root_cause"])
    _set_status(case, to=CaseStatus.RESOLVED, by=by, at=at, note=note)
    if case.first_response_at is None:
        _event(case, EventKind.RESPONSE, by=by, at=at, text=note)
    _event(
        case,
        EventKind.RESOLUTION,
        by=by,
        at=at,
        text=note,
        data={"resolution": resolution, "request": request.pk if request else None},
    )
    _recompute(case, now)
    _audit(case, by, AuditAction.UPDATE, before, {"resolution": resolution})
    _timeline(
        case,
        TranslatableText(
            gettext_lazy("Case #%(case)s resolved: %(resolution)s"),
            {"case": case.pk, "resolution": Resolution(resolution).label},
        ),
        by,
        body=note,
        at=at,
    )
    return case


@transaction.atomic
def case_close(
    *,
    case: Case,
    by: User,
    root_cause: str,
    customer_satisfied: bool | None,
    at: datetime | None = None,
    ask_csat: bool = True,
) -> Case:
    """Close a resolved case: the root cause and whether the customer said they were satisfied
    are both required; a refund or credit note closes only once approved. Once committed, the
    customer is asked for a CSAT (``ask_csat=False``: the demo, which builds its own answers)."""
    now = clock.now()
    root_cause = _text(root_cause, "root_cause", required=_("Name the root cause."))
    if customer_satisfied is None:
        raise ValidationError(
            {"customer_satisfied": _("Say whether the customer said they were satisfied.")}
        )
    case = _locked(case)
    _check_may_act(case, by)
    if case.status != CaseStatus.RESOLVED:
        raise ValidationError({"status": _("Resolve the case before closing it.")})
    if case.resolution in MONEY_RESOLUTIONS:
        case.check_money_approved()
    at = _moment(at, now)
    case.root_cause = root_cause
    case.customer_satisfied = bool(customer_satisfied)
    case.save(update_fields=["root_cause", "customer_satisfied"])
    _set_status(case, to=CaseStatus.CLOSED, by=by, at=max(at, case.resolved_at or at))
    _recompute(case, now)
    _audit(
        case,
        by,
        AuditAction.UPDATE,
        {},
        {"root_cause": root_cause, "customer_satisfied": bool(customer_satisfied)},
    )
    _timeline(
        case,
        TranslatableText(
            gettext_lazy("Case #%(case)s closed; customer satisfied: %(answer)s"),
            {"case": case.pk, "answer": _("yes") if customer_satisfied else _("no")},
        ),
        by,
        body=root_cause,
    )
    if ask_csat:
        transaction.on_commit(partial(_ask_csat, case.pk), robust=True)
    return case


def _ask_csat(case_pk: int) -> None:
    """Ask the customer how the closed case went (CSAT). The voice rules decide: a refusal
    (throttle, opt-out, another open case, already asked about this case) is logged, never an
    error, and runs after the close committed so nothing here can undo it."""
    from tend.voice.models import SurveyKind, Trigger
    from tend.voice.services import survey_request

    case = Case.objects.select_related("customer", "raised_by").get(pk=case_pk)
    contact = case.raised_by if case.raised_by and case.raised_by.email else None
    result = survey_request(
        customer=case.customer,
        contact=contact,
        kind=SurveyKind.CSAT,
        trigger=Trigger.CASE_CLOSED,
        subject_label=_("Case #%(case)s: %(title)s") % {"case": case.pk, "title": case.title},
        subject_key=f"case:{case.pk}",
    )
    if not result.sent:
        logger.info("No CSAT for case %s: %s", case.pk, result.refused)


@transaction.atomic
def case_reopen(*, case: Case, by: User, reason: str) -> Case:
    """A resolved case the customer says is not fixed: the clock runs again."""
    now = clock.now()
    reason = _text(reason, "reason", required=_("Say why the case is reopened."), most=500)
    case = _locked(case)
    _check_may_act(case, by)
    if case.status != CaseStatus.RESOLVED:
        raise ValidationError({"status": _("Only a resolved case can be reopened.")})
    _set_status(case, to=CaseStatus.IN_PROGRESS, by=by, at=now, note=reason)
    _recompute(case, now)
    return case
