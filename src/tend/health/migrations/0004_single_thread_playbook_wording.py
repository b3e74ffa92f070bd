"""Single-threaded now means only one of our people has been in contact: the default playbook
step asks for a second person from our side (left alone if an admin has reworded it)."""

from django.db import migrations

OLD = "Add a second contact and a backup owner"
NEW = "Bring a second person from our side into the conversation"


def forward(apps, schema_editor):
    Step = apps.get_model("health", "PlaybookStep")
    Step.objects.filter(title=OLD, rule__signal="single_threaded").update(title=NEW)


def backward(apps, schema_editor):
    Step = apps.get_model("health", "PlaybookStep")
    Step.objects.filter(title=NEW, rule__signal="single_threaded").update(title=OLD)


class Migration(migrations.Migration):
    dependencies = [("health", "0003_playbook_per_owner")]

    operations = [migrations.RunPython(forward, backward)]
