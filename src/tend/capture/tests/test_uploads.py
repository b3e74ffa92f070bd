"""A big mbox upload goes to the worker: the page follows its progress, a mangled message
refuses the whole file and changes nothing, and only the uploader sees it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from tend.capture.models import CapturedMessage, MailUpload, UploadState
from tend.capture.services import mail as mail_services
from tend.capture.services import mail_upload_execute
from tend.customers.tests.factories import ContactFactory
from tend.engagement.models import Interaction

from .test_pages import counts, mbox_bytes, raw


@pytest.fixture
def big_is_two(settings, monkeypatch):
    """Three messages make a big mbox, filed in batches of two."""
    settings.TEND_CAPTURE_INLINE_MESSAGES = 2
    monkeypatch.setattr(mail_services, "BATCH", 2)


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
