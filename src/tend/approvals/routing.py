"""Who can still bring a request to a decision, and when it must go to the admins instead.

A policy asks for a number of approvers (one of them an admin, perhaps). When fewer people can
approve a request than it still needs (see ``selectors.approvers_eligible``), nobody could ever
decide it, so it is routed to the admins: from then on one admin's approval decides it.
"""

from django.utils.translation import ngettext

from tend.accounts.models import User

from .models import ApprovalRequest, Decision
from .selectors import approvers_eligible


def approved_by(request: ApprovalRequest) -> list[User]:
    decisions = request.decisions.filter(decision=Decision.APPROVE).select_related("by")
    return [decision.by for decision in decisions]


def approved_enough(request: ApprovalRequest) -> bool:
    """The policy's count of approvers (one of them an admin if it says so); once the request
    went to the admins, one admin's approval."""
    approvers = approved_by(request)
    admin_approved = any(user.is_admin for user in approvers)
    if request.routed_to_admins:
        return admin_approved
    enough = len(approvers) >= max(request.approvals_needed, 1)
    return enough and (admin_approved or not request.admin_required)


def _can_still_be_approved(
    request: ApprovalRequest, approvers: list[User], eligible: list[User]
) -> bool:
    if request.routed_to_admins:
        return any(user.is_admin for user in approvers + eligible)
    missing = max(request.approvals_needed, 1) - len(approvers)
    admin_missing = request.admin_required and not any(user.is_admin for user in approvers)
    return len(eligible) >= missing and (
        not admin_missing or any(user.is_admin for user in eligible)
    )


def shortfall(request: ApprovalRequest) -> str:
    """Why the pending request must go to the admins, in words; empty when the people who may
    still approve it can give it the approvals it needs (or it already went to the admins)."""
    if request.routed_to_admins:
        return ""
    approvers = approved_by(request)
    eligible = approvers_eligible(request)
    if _can_still_be_approved(request, approvers, eligible):
        return ""
    able = len(approvers) + len(eligible)
    return ngettext(
        "Only %(able)s person can approve it and the policy needs %(needed)s: routed to the "
        "admins, one admin's approval decides it.",
        "Only %(able)s people can approve it and the policy needs %(needed)s: routed to the "
        "admins, one admin's approval decides it.",
        able,
    ) % {"able": able, "needed": max(request.approvals_needed, 1)}
