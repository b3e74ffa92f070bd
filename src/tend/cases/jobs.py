"""Periodic jobs: the SLA watch every 15 minutes, lot alerts every hour."""

from datetime import timedelta

from tend.jobs.registry import register_periodic


def _sla(now):
    from .services import cases_sla_check

    return cases_sla_check(now=now)


def _lots(now):
    from .services import lot_alerts_compute

    return lot_alerts_compute(now=now)


register_periodic("cases.sla_check", timedelta(minutes=15), _sla)
register_periodic("cases.lot_alerts", timedelta(hours=1), _lots)
