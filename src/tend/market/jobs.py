"""The market's periodic work, run by ``tend worker``: tiers recomputed nightly, notice
reminders and follow-up tasks every hour (each claimed per recipient, so a run twice sends once)."""

from datetime import timedelta

from tend.jobs.registry import register_periodic

from .services import notices, tiers

register_periodic("market.tiers_compute", timedelta(days=1), tiers.tiers_nightly)
register_periodic("market.notices_remind", timedelta(hours=1), notices.notices_remind)
