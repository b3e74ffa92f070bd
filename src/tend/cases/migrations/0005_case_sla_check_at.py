"""``Case.sla_check_at``: when the SLA watch must look at a case again, so that its run costs what
changed and what is crossing a level, not the number of open cases. Every open case is due at
once; closed ones never.

On SQLite, adding a column with a default rebuilds ``cases_case``; the region triggers (one of
them on ``customers_customer`` names ``cases_case``) are dropped first and put back after."""

import django.db.models.functions.datetime
import django.utils.timezone
from django.db import migrations, models

from tend.cases.region import region_triggers_install

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS cases_case_region_insert",
    "DROP TRIGGER IF EXISTS cases_case_region_update",
    "DROP TRIGGER IF EXISTS customers_customer_region_to_cases",
]
OPEN = ("new", "in_progress", "waiting_customer")


def drop_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


def install_triggers(apps, schema_editor):
    region_triggers_install(using=schema_editor.connection.alias)


def closed_cases_never_due(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.exclude(status__in=OPEN).update(sla_check_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_case_region_kept_by_database"),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, install_triggers),
        migrations.AddField(
            model_name="case",
            name="sla_check_at",
            field=models.DateTimeField(
                blank=True,
                db_default=django.db.models.functions.datetime.Now(),
                default=django.utils.timezone.now,
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("sla_check_at__isnull", False)),
                fields=["sla_check_at"],
                name="case_sla_watch",
            ),
        ),
        migrations.RunPython(install_triggers, drop_sqlite_triggers),
        migrations.RunPython(closed_cases_never_due, migrations.RunPython.noop),
    ]
