"""Imports' periodic work, run by ``tend worker``: runs whose worker died are taken up again."""

from datetime import timedelta

from tend.jobs.registry import register_periodic

from .runs import import_runs_recover

register_periodic("imports.runs_recover", timedelta(minutes=5), import_runs_recover)
