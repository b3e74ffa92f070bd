"""Writes for cases; every entry point (pages, API, jobs, handover, demo) calls these."""

from .alerts import case_sla_check, cases_sla_check, manager_of
from .bulk import cases_reassign
from .cases import (
    case_correct,
    case_hand_off,
    case_note,
    case_open,
    case_respond,
    case_set_status,
)
from .files import FileKindRefused, FileTooLarge, case_attach, check_upload
from .lots import lot_alert_follow_up, lot_alerts_compute, lot_customers
from .resolution import case_close, case_reopen, case_resolve

__all__ = [
    "FileKindRefused",
    "FileTooLarge",
    "case_attach",
    "case_close",
    "case_correct",
    "case_hand_off",
    "case_note",
    "case_open",
    "case_reopen",
    "case_resolve",
    "case_respond",
    "case_set_status",
    "case_sla_check",
    "cases_reassign",
    "cases_sla_check",
    "check_upload",
    "lot_alert_follow_up",
    "lot_alerts_compute",
    "lot_customers",
    "manager_of",
]
