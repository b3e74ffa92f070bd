from datetime import timedelta

import factory
from django.utils import timezone

from tend.tasks.models import Task, TaskKind


class TaskFactory(factory.django.DjangoModelFactory):
    """A task saved directly (no timeline entry): for setting the scene in tests."""

    class Meta:
        model = Task

    kind = TaskKind.CALL
    title = factory.Sequence(lambda n: f"Call about order {n}")
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
