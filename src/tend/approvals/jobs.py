"""Approvals' periodic rule, run by ``tend worker``: pending requests past their expiry expire."""

from datetime import timedelta

from tend.jobs.registry import register_periodic

from . import services

register_periodic("approvals.requests_expire", timedelta(minutes=15), services.requests_expire)
