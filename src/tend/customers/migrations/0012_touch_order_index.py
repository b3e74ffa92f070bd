from django.conf import settings
from django.db import migrations, models


def analyze(apps, schema_editor):
    """SQLite measures a new index only at ANALYZE; this one alone (``ANALYZE <index>``)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE customer_touch_order_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0011_visible_covering_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["owner", "tier", "touch_due_at", "id"], name="customer_touch_order_idx"
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
