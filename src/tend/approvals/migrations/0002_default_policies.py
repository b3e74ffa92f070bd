"""Default approval policies for an SME exporter; admins edit them in Settings."""

from decimal import Decimal

from django.db import migrations

# kind: (measure, expiry days, [(above, approvers, admin required)])
DEFAULTS = {
    # A discount up to 5% needs nobody, 5-15% one manager, over 15% two people, one an admin.
    "discount": ("percent", 7, [(5, 1, False), (15, 2, True)]),
    # A change to a confirmed order: one manager; over 10,000 of value moved, an admin.
    "order_change": ("amount", 7, [(-1, 1, False), (10000, 1, True)]),
    # Refunds and credits: one manager; over 10,000 an admin.
    "refund": ("amount", 7, [(-1, 1, False), (10000, 1, True)]),
    # Special accommodations: one manager; over 5,000 two people, one an admin.
    "accommodation": ("amount", 7, [(-1, 1, False), (5000, 2, True)]),
    # Payment terms and credit limits: one manager; a credit limit over 50,000 an admin.
    "credit_terms": ("amount", 14, [(-1, 1, False), (50000, 1, True)]),
}


def create(apps, schema_editor):
    Policy = apps.get_model("approvals", "ApprovalPolicy")
    Threshold = apps.get_model("approvals", "ApprovalThreshold")
    for kind, (measure, expiry, steps) in DEFAULTS.items():
        policy, _ = Policy.objects.get_or_create(
            kind=kind, defaults={"measure": measure, "expiry_days": expiry}
        )
        for above, approvers, admin_required in steps:
            Threshold.objects.get_or_create(
                policy=policy,
                above=Decimal(above),
                defaults={"approvers": approvers, "admin_required": admin_required},
            )


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
