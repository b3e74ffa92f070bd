"""The SLA policies an exporter starts with (``cases.sla.DEFAULT_POLICIES``); admins edit them."""

from django.db import migrations

DEFAULTS = {
    ("A", "critical"): (2, 18),
    ("A", "high"): (4, 27),
    ("A", "medium"): (8, 45),
    ("A", "low"): (16, 90),
    ("B", "critical"): (4, 27),
    ("B", "high"): (8, 45),
    ("B", "medium"): (16, 72),
    ("B", "low"): (24, 135),
    ("C", "critical"): (8, 45),
    ("C", "high"): (16, 72),
    ("C", "medium"): (24, 108),
    ("C", "low"): (40, 180),
}


def create(apps, schema_editor):
    SlaPolicy = apps.get_model("cases", "SlaPolicy")
    for (tier, severity), (response, resolution) in DEFAULTS.items():
        SlaPolicy.objects.get_or_create(
            tier=tier,
            severity=severity,
            defaults={"response_hours": response, "resolution_hours": resolution},
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_cases_owner_events_sla_lots")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
