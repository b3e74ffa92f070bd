"""A big mbox upload goes to the worker: the page follows its progress, a mangled message
refuses the whole file and changes nothing, and only the uploader sees it. A worker that dies
part-way leaves an upload that is failed, said so, and tried again filing each message once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tend.capture.models import CapturedMessage, MailUpload, Source, UploadState
from tend.capture.services import mail as mail_services
from tend.capture.services import (
    mail_upload_execute,
    mail_upload_retry,
    mail_uploads_recover,
    uploads,
)
from tend.customers.tests.factories import ContactFactory
from tend.engagement.models import Interaction
from tend.jobs.registry import periodic_jobs

from .test_pages import counts, mbox_bytes, raw


@pytest.fixture
def big_is_two(settings, monkeypatch):
    """Three messages make a big mbox, filed in batches of two."""
    settings.TEND_CAPTURE_INLINE_MESSAGES = 2
    monkeypatch.setattr(mail_services, "BATCH", 2)
    monkeypatch.setattr(uploads, "BATCH", 2)


def post(client, data, url="/capture/upload/"):
    return client.post(url, {"file": SimpleUploadedFile("big.mbox", data)})


def test_a_big_mbox_is_filed_by_the_worker_with_its_progress_shown(
    client, our_people, book, tmp_path, big_is_two, django_capture_on_commit_callbacks
):
    ContactFactory(customer=book["rep1_owned"], email="omar@alnoor.ae")
    data = mbox_bytes(tmp_path, [raw(1), raw(2), raw(3, sender="x@gmail.com")])
    client.force_login(our_people["rep1"])

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, data)

    upload = MailUpload.objects.get()
    assert response.url == f"/capture/upload/{upload.pk}/"
    assert (upload.state, upload.total, upload.uploaded_by) == (
        UploadState.QUEUED,
        3,
        our_people["rep1"],
    )
    assert counts() == (0, 0, 0)
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == (
        "tend.capture.tasks.mail_upload_task",
        [upload.pk],
    )
    page = client.get(response.url).content.decode()
    assert f'hx-get="/capture/upload/{upload.pk}/" hx-trigger="every 2s"' in page
    assert "Waiting for the worker…" in page

    assert mail_upload_execute(upload_id=upload.pk) == "done"  # what the queued task runs

    upload.refresh_from_db()
    assert (upload.state, upload.done, upload.added, upload.filed, upload.to_file) == (
        UploadState.DONE,
        3,
        3,
        2,
        1,
    )
    assert not upload.file
    assert counts() == (3, 2, 2)
    polled = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in polled
    assert "3 messages added (2 filed, 1 to file), 0 already in Tend." in polled
    assert mail_upload_execute(upload_id=upload.pk) == "not queued"
    assert counts() == (3, 2, 2)


def test_a_big_mbox_from_a_customer_page_is_filed_there(
    client, our_people, book, tmp_path, big_is_two
):
    customer = book["rep1_owned"]
    data = mbox_bytes(tmp_path, [raw(n, sender=f"p{n}@qq.com") for n in range(3)])
    client.force_login(our_people["rep1"])
    post(client, data, url=f"/capture/upload/?customer={customer.pk}")

    assert mail_upload_execute(upload_id=MailUpload.objects.get().pk) == "done"
    assert set(CapturedMessage.objects.values_list("customer", flat=True)) == {customer.pk}


def test_a_mangled_message_in_a_big_mbox_fails_it_whole(
    client, our_people, book, tmp_path, big_is_two
):
    ContactFactory(customer=book["rep1_owned"], email="omar@alnoor.ae")
    data = mbox_bytes(tmp_path, [raw(1), raw(2), raw(3), b"garbage without headers\n\nreally"])
    client.force_login(our_people["rep1"])
    post(client, data)
    upload = MailUpload.objects.get()

    assert mail_upload_execute(upload_id=upload.pk) == "failed"

    upload.refresh_from_db()
    assert upload.state == UploadState.FAILED
    assert upload.error.startswith("Message 4 of the mbox cannot be read")
    assert counts() == (0, 0, 0) and not Interaction.objects.exists()
    page = client.get(f"/capture/upload/{upload.pk}/").content.decode()
    assert "Nothing was filed:" in page and "Message 4 of the mbox" in page


def test_only_the_uploader_follows_an_upload(client, our_people, book, tmp_path, big_is_two):
    client.force_login(our_people["rep1"])
    post(client, mbox_bytes(tmp_path, [raw(1), raw(2), raw(3)]))
    upload = MailUpload.objects.get()
    client.force_login(our_people["rep2"])
    assert client.get(f"/capture/upload/{upload.pk}/").status_code == 404


def test_a_small_mbox_is_still_filed_at_once(client, our_people, book, tmp_path, big_is_two):
    client.force_login(our_people["rep1"])
    assert post(client, mbox_bytes(tmp_path, [raw(1), raw(2)])).url == "/capture/"
    assert not MailUpload.objects.exists()
    assert counts()[0] == 2


# --- A worker that dies part-way (kill -9, power cut) --------------------------------------


def _left_running(client, our_people, tmp_path, *, minutes_ago: int) -> MailUpload:
    """An upload claimed by a worker that then died after filing its first batch: the state a
    SIGKILL leaves behind, its heartbeat ``minutes_ago`` old."""
    client.force_login(our_people["rep1"])
    post(client, mbox_bytes(tmp_path, [raw(1), raw(2), raw(3, sender="x@gmail.com")]))
    upload = MailUpload.objects.get()
    batch = mail_services.mbox_read(upload.file.path)
    first = [next(batch), next(batch)]
    mail_services.mails_capture(mails=first, by=our_people["rep1"], source=Source.UPLOAD)
    MailUpload.objects.filter(pk=upload.pk).update(
        state=UploadState.RUNNING,
        attempt=1,
        done=2,
        heartbeat_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    return upload


def test_an_upload_whose_worker_died_is_failed_and_tried_again_filing_each_message_once(
    client, our_people, book, tmp_path, big_is_two, django_capture_on_commit_callbacks
):
    ContactFactory(customer=book["rep1_owned"], email="omar@alnoor.ae")
    upload = _left_running(client, our_people, tmp_path, minutes_ago=31)
    assert "every 2s" in client.get(f"/capture/upload/{upload.pk}/").content.decode()

    assert mail_uploads_recover() == 1
    assert mail_uploads_recover() == 0  # once

    upload.refresh_from_db()
    assert (upload.state, bool(upload.file), upload.can_retry) == (UploadState.FAILED, True, True)
    page = client.get(f"/capture/upload/{upload.pk}/").content.decode()
    assert "hx-get" not in page  # the spinner stops
    assert "The worker stopped before it finished this file: 2 of 3 messages filed." in page
    assert f'action="/capture/upload/{upload.pk}/retry/"' in page
    assert "Nothing was filed" not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/capture/upload/{upload.pk}/retry/")
    assert response.url == f"/capture/upload/{upload.pk}/"
    upload.refresh_from_db()
    assert (upload.state, upload.done) == (UploadState.QUEUED, 0)
    assert timezone.now() - upload.heartbeat_at < timedelta(minutes=1)  # a fresh lease
    assert DBTaskResult.objects.filter(args_kwargs__args=[upload.pk]).exists()

    assert mail_upload_execute(upload_id=upload.pk) == "done"
    upload.refresh_from_db()
    assert (upload.state, upload.added, upload.skipped, bool(upload.file)) == (
        UploadState.DONE,
        1,
        2,
        False,
    )
    assert CapturedMessage.objects.count() == 3
    assert "1 messages added" in client.get(f"/capture/upload/{upload.pk}/").content.decode()


def test_a_worker_still_beating_is_left_alone(client, our_people, book, tmp_path, big_is_two):
    upload = _left_running(client, our_people, tmp_path, minutes_ago=5)
    assert mail_uploads_recover() == 0
    upload.refresh_from_db()
    assert upload.state == UploadState.RUNNING


def test_a_queued_upload_whose_task_a_dead_worker_took_is_failed_not_one_still_waiting(
    client, our_people, book, tmp_path, big_is_two, django_capture_on_commit_callbacks
):
    client.force_login(our_people["rep1"])
    for name in ("taken", "waiting"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/capture/upload/", {"file": SimpleUploadedFile(
                f"{name}.mbox", mbox_bytes(tmp_path, [raw(1), raw(2), raw(3)])
            )})  # fmt: skip
    taken, waiting = MailUpload.objects.order_by("pk")
    DBTaskResult.objects.filter(args_kwargs__args=[taken.pk]).update(status="RUNNING")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    MailUpload.objects.update(created_at=an_hour_ago)

    assert mail_uploads_recover() == 1
    assert list(MailUpload.objects.order_by("pk").values_list("state", flat=True)) == [
        UploadState.FAILED,
        UploadState.QUEUED,  # no worker took it yet: still waiting, as the page says
    ]
    assert client.get(f"/capture/upload/{taken.pk}/").context["upload"].can_retry


def test_only_the_uploader_retries_and_only_an_upload_that_stopped_part_way(
    client, our_people, book, tmp_path, big_is_two
):
    upload = _left_running(client, our_people, tmp_path, minutes_ago=31)
    client.force_login(our_people["rep2"])
    assert client.post(f"/capture/upload/{upload.pk}/retry/").status_code == 404
    client.force_login(our_people["rep1"])
    client.post(f"/capture/upload/{upload.pk}/retry/")  # still running: nothing to retry
    upload.refresh_from_db()
    assert upload.state == UploadState.RUNNING
    with pytest.raises(ValidationError):
        mail_upload_retry(by=our_people["rep1"], upload=upload)


def test_a_slow_worker_whose_upload_was_recovered_stops_instead_of_filing_alongside(
    client, our_people, book, tmp_path, big_is_two, monkeypatch
):
    client.force_login(our_people["rep1"])
    post(client, mbox_bytes(tmp_path, [raw(1), raw(2), raw(3, sender="x@gmail.com")]))
    upload = MailUpload.objects.get()
    real_capture = mail_services.mails_capture

    def capture_then_be_recovered(**kwargs):
        result = real_capture(**kwargs)
        later = timezone.now() + timedelta(seconds=settings.TEND_JOB_LEASE_SECONDS + 1)
        assert mail_uploads_recover(now=later) == 1  # this batch took too long
        return result

    monkeypatch.setattr(uploads, "mails_capture", capture_then_be_recovered)
    assert mail_upload_execute(upload_id=upload.pk) == "superseded"
    upload.refresh_from_db()
    assert (upload.state, upload.done, CapturedMessage.objects.count()) == (
        UploadState.FAILED,
        0,
        2,
    )
    assert upload.can_retry


def test_an_unexpected_error_fails_the_upload_keeping_its_file(
    client, our_people, book, tmp_path, big_is_two, monkeypatch
):
    client.force_login(our_people["rep1"])
    post(client, mbox_bytes(tmp_path, [raw(1), raw(2), raw(3)]))
    upload = MailUpload.objects.get()

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(uploads, "mails_capture", broken)
    with pytest.raises(RuntimeError):
        mail_upload_execute(upload_id=upload.pk)
    upload.refresh_from_db()
    assert (upload.state, upload.can_retry) == (UploadState.FAILED, True)


def test_the_worker_runs_the_recovery_periodically():
    job = next(job for job in periodic_jobs() if job.name == "capture.mail_uploads_recover")
    assert (job.func, job.every) == (mail_uploads_recover, timedelta(minutes=5))
