"""Background work of the import pages, run by ``tend worker``: ids in, service call."""

from django_tasks import task

from .runs import import_run_execute


@task()
def import_run_task(run_id: int) -> str:
    return import_run_execute(run_id=run_id)
