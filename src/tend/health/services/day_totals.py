"""The day totals of value at risk (``RiskDayTotal``), kept with the snapshots they sum.

One ``INSERT ... SELECT ... GROUP BY`` per scoring day, inside the scoring's transaction: the
totals are never out of step with the snapshots. Owner, backup owner, tier and country are the
customer's at the time of the scoring, so a month's figure stays what it was when people or
customers move on."""

from datetime import date

from django.db import connections

from tend.customers.models import Customer

from ..models import HealthSnapshot, RiskDayTotal


def risk_day_totals_write(day: date, *, using: str = "default") -> int:
    """Replace ``day``'s totals with sums of its snapshots; returns the rows written."""
    RiskDayTotal.objects.using(using).filter(day=day).delete()
    totals, snapshots, customers = (
        RiskDayTotal._meta.db_table,
        HealthSnapshot._meta.db_table,
        Customer._meta.db_table,
    )
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {totals}
                (day, owner_id, backup_owner_id, tier, country, cause, customers, value_at_risk)
            SELECT s.day, c.owner_id, c.backup_owner_id, c.tier, c.country, s.cause, COUNT(*),
                   SUM(s.value_at_risk)
            FROM {snapshots} s JOIN {customers} c ON c.id = s.customer_id
            WHERE s.day = %s AND s.value_at_risk > 0
            GROUP BY s.day, c.owner_id, c.backup_owner_id, c.tier, c.country, s.cause
            """,
            [day],
        )
        return cursor.rowcount
