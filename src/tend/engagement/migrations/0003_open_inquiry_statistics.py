"""On PostgreSQL, statistics on (needs_answer, answered_at) together.

Taken one column at a time, "needs an answer" (15% of interactions) and "not answered" (85%)
multiply to 300,000 open inquiries on a 100,000-customer book, where there are about 1,000:
the planner then walks every customer of a rep and all their interactions (460 ms) instead of
the open inquiries' partial index (30 ms). A most-common-values list over both columns, with a
sample large enough to see the rare (true, NULL) pair, gives it the real number."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE STATISTICS IF NOT EXISTS engagement_open_inquiry_stats (mcv) "
        "ON needs_answer, answered_at FROM engagement_interaction"
    )
    schema_editor.execute("ALTER STATISTICS engagement_open_inquiry_stats SET STATISTICS 1000")
    schema_editor.execute("ANALYZE engagement_interaction")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS engagement_open_inquiry_stats")


class Migration(migrations.Migration):
    dependencies = [("engagement", "0002_responder_index_only_answered")]
    operations = [migrations.RunPython(create, drop)]
