"""The snapshots' own index on the customer goes: the one-a-day constraint's (customer, day)
index serves a customer's snapshots, and every index is written again for each of the 100,000
snapshots a scoring stores. Only the index is dropped (Django's AlterField would rebuild the
table on SQLite and re-check the foreign key on PostgreSQL, on two years of snapshots)."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "health_healthsnapshot_customer_id_d530f35c"


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0012_touch_order_index"),
        ("health", "0008_at_risk_token"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="healthsnapshot",
                    name="customer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="health_snapshots",
                        to="customers.customer",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=(
                        f'CREATE INDEX "{INDEX}" ON "health_healthsnapshot" ("customer_id")'
                    ),
                ),
            ],
        ),
    ]
