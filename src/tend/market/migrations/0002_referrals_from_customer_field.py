"""The referral ledger takes over ``Customer.referred_by``: each customer's referrer becomes a
ledger row dated the day the customer was created (the best the old field knew)."""

from django.db import migrations
from django.db.models import F


def forward(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Referral = apps.get_model("market", "Referral")
    rows = (
        Customer.objects.filter(referred_by__isnull=False)
        .exclude(referred_by=F("pk"))
        .values_list("pk", "referred_by_id", "created_at")
    )
    Referral.objects.bulk_create(
        [
            Referral(referred_id=pk, referrer_id=referrer, on=created.date())
            for pk, referrer, created in rows.iterator(chunk_size=2000)
        ],
        batch_size=2000,
    )


def backward(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Referral = apps.get_model("market", "Referral")
    for referred, referrer in Referral.objects.values_list("referred_id", "referrer_id"):
        Customer.objects.filter(pk=referred).update(referred_by_id=referrer)


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0001_market"),
        ("customers", "0008_credit_limit_bound"),
    ]

    operations = [migrations.RunPython(forward, backward)]
