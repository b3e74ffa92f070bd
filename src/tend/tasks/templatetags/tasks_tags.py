from django import template
from django.utils import timezone

from tend.tasks import selectors
from tend.tasks.forms import TaskForm

register = template.Library()


@register.simple_tag
def customer_tasks(customer, user, form=None):
    """The customer page's tasks: open ones, those closed lately with their outcome, and the
    form to add one (a fixed number of queries)."""
    now = timezone.now()
    open_tasks = list(selectors.tasks_open_of_customer(customer=customer))
    for task in open_tasks:
        task.overdue = task.is_overdue(now)
    return {
        "open": open_tasks,
        "closed": list(selectors.tasks_recently_closed_of_customer(customer=customer)[:10]),
        "form": form or TaskForm(user=user),
    }
