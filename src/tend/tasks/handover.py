"""Open tasks move with the person they are assigned to."""

from django.utils.translation import gettext_lazy

from tend.core.i18n import TranslatableText
from tend.handover.registry import HandoverItem, HandoverKind, counts_by_person, register
from tend.timeline.services import timeline_add

from .models import Task, TaskStatus
from .timeline_kinds import TASK


class OpenTasks(HandoverKind):
    key = "tasks_open"
    label = gettext_lazy("Open tasks")

    def items(self, person):
        tasks = Task.objects.open().filter(assignee=person).select_related("customer__territory")
        return [
            HandoverItem(
                kind=self.key,
                pk=task.pk,
                label=f"{task.title} — {task.customer.name}",
                customer_id=task.customer_id,
                territory=task.customer.territory.name if task.customer.territory_id else "",
                detail=f"due {task.due_at:%Y-%m-%d}",
            )
            for task in tasks
        ]

    def held_counts(self, people):
        return counts_by_person(Task.objects.open(), "assignee", people)

    def move(self, *, person, moves, by):
        # Locked, and only those still open and still the person's: a task closed since the
        # preview is left alone.
        tasks = (
            Task.objects.select_for_update()
            .filter(status=TaskStatus.OPEN, assignee=person)
            .in_bulk([item.pk for item, _successor in moves])
        )
        for item, successor in moves:
            task = tasks.get(item.pk)
            if task is None:
                continue
            task.assignee = successor
            task.save(update_fields=["assignee"])
            timeline_add(
                customer_id=task.customer_id,
                kind=TASK,
                title=TranslatableText(
                    gettext_lazy("Task handed over from %(from)s to %(to)s: %(title)s"),
                    {"from": person, "to": successor, "title": task.title},
                ),
                actor=by,
                data={"status": TaskStatus.OPEN, "from": person.pk, "to": successor.pk},
                source=task,
            )

    def assigned_to_inactive(self):
        for task in (
            Task.objects.open()
            .filter(assignee__is_active=False)
            .select_related("assignee", "customer")
        ):
            yield (
                f"Open task #{task.pk} ({task.title}) at {task.customer.name} is held by "
                f"inactive {task.assignee}"
            )


register(OpenTasks())
