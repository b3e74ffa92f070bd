from django.conf import settings
from django.db import migrations, models


def analyze(apps, schema_editor):
    """SQLite measures a new index only at ANALYZE; this one alone (``ANALYZE <index>``)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE orders_late_by_customer_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0012_touch_order_index"),
        ("orders", "0007_late_walk_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ("draft", "confirmed", "in_production", "ready")),
                    ("promised_ship_date__isnull", False),
                ),
                fields=["customer"],
                name="orders_late_by_customer_idx",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
