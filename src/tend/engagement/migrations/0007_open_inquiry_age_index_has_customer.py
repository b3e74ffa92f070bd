from django.conf import settings
from django.db import migrations, models


def analyze(apps, schema_editor):
    """SQLite measures a new index only at ANALYZE; this one alone (``ANALYZE <index>``)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE engagement_open_inquiry_at_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0012_touch_order_index"),
        ("engagement", "0006_report_covering_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="interaction",
            name="engagement_open_inquiry_at_idx",
        ),
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(
                condition=models.Q(("answered_at__isnull", True), ("needs_answer", True)),
                fields=["at", "id", "customer"],
                name="engagement_open_inquiry_at_idx",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
