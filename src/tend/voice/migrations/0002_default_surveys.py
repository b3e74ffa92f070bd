"""The surveys Tend starts with, in English and Simplified Chinese; admins change them in the
admin."""

from django.db import migrations

SURVEYS = [
    (
        "Relationship (NPS)",
        "nps",
        "How likely are you to recommend us to a friend or colleague?",
        "您向朋友或同事推荐我们的可能性有多大？",
        "What is the main reason for your score?",
        "您给出这个分数的主要原因是什么？",
    ),
    (
        "After a delivery or a case (CSAT)",
        "csat",
        "How satisfied are you with how we handled this?",
        "您对我们这次的处理满意吗？",
        "What could we have done better?",
        "我们哪里可以做得更好？",
    ),
]


def create(apps, schema_editor):
    Survey = apps.get_model("voice", "Survey")
    for name, kind, q_en, q_zh, open_en, open_zh in SURVEYS:
        Survey.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "question_en": q_en,
                "question_zh_hans": q_zh,
                "open_question_en": open_en,
                "open_question_zh_hans": open_zh,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("voice", "0001_surveys")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
