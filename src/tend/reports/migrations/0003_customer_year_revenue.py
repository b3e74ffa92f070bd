import django.db.models.deletion
from django.db import migrations, models


def install_triggers(apps, schema_editor):
    """Triggers on the stored months keep the stored years current; fill it from the months."""
    from tend.reports.revenue_years import fill

    fill(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from tend.reports.revenue_years import drop_sql

    with schema_editor.connection.cursor() as cursor:
        for statement in drop_sql(schema_editor.connection.vendor):
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_remove_customer_referred_by"),
        ("reports", "0002_customer_month_revenue"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerYearRevenue",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.IntegerField()),
                ("start_cents", models.BigIntegerField(default=0)),
                ("start_months", models.IntegerField(default=0)),
                ("since_cents", models.BigIntegerField(default=0)),
                (
                    "customer",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="customers.customer",
                    ),
                ),
            ],
            options={
                "verbose_name": "customer year revenue",
                "verbose_name_plural": "customer year revenues",
                "indexes": [
                    models.Index(
                        fields=["month", "customer", "start_cents", "since_cents"],
                        name="reports_year_month_covering",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("customer", "month"), name="reports_one_customer_year"
                    )
                ],
            },
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
