"""Background work of the capture pages, run by ``tend worker``: ids in, service call."""

from django_tasks import task

from .services.uploads import mail_upload_execute


@task()
def mail_upload_task(upload_id: int) -> str:
    return mail_upload_execute(upload_id=upload_id)
