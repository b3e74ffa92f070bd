"""The playbooks Tend starts with; admins change them in the admin."""

from django.db import migrations

RULES = [
    (
        "Orders stopped on a tier-A customer",
        {"cause": "rhythm", "signal": "rhythm_break", "min_level": "medium", "tiers": "A"},
        [
            ("call", "owner", 2, "Call: orders have stopped, find out why"),
            ("review", "manager", 7, "Review: tier-A customer stopped ordering"),
        ],
    ),
    (
        "Service let them down",
        {"cause": "service", "min_level": "high", "tiers": ""},
        [("call", "owner", 1, "Call to put things right: broken promises or unanswered inquiries")],
    ),
    (
        "Their owner has left",
        {"cause": "people", "signal": "owner_inactive", "min_level": "medium", "tiers": ""},
        [("review", "manager", 2, "Give this customer a new owner and introduce them")],
    ),
    (
        "One thread only on an A or B customer",
        {"cause": "people", "signal": "single_threaded", "min_level": "medium", "tiers": "A,B"},
        [("follow_up", "owner", 14, "Add a second contact and a backup owner")],
    ),
    (
        "Buying less, maybe elsewhere",
        {"cause": "competition", "min_level": "high", "tiers": "A,B"},
        [
            ("call", "owner", 3, "Find out who else they buy from and what they were offered"),
            ("review", "manager", 10, "Review terms for a customer buying less"),
        ],
    ),
    (
        "Still on old products",
        {
            "cause": "innovation",
            "signal": "old_products_only",
            "min_level": "medium",
            "tiers": "A,B",
        },
        [("email", "owner", 7, "Present the products launched in the last two years")],
    ),
]


def create(apps, schema_editor):
    Rule = apps.get_model("health", "PlaybookRule")
    Step = apps.get_model("health", "PlaybookStep")
    for name, fields, steps in RULES:
        rule = Rule.objects.create(name=name, **fields)
        for kind, assignee, days, title in steps:
            Step.objects.create(
                rule=rule, kind=kind, assignee=assignee, due_in_days=days, title=title
            )


def remove(apps, schema_editor):
    apps.get_model("health", "PlaybookRule").objects.filter(name__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
