"""Health's periodic work, run by ``tend worker``: the book is scored once a day."""

from datetime import timedelta

from tend.jobs.registry import register_periodic

from .services.scoring import prune_snapshots, score_book


def score_and_prune(*, now):
    run = score_book(now=now)
    pruned = prune_snapshots(now=now)
    return f"{run.customers} customers scored, {pruned} old snapshots pruned"


register_periodic("health.score_book", timedelta(days=1), score_and_prune)
