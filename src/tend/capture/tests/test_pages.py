"""The capture pages: visibility per role, pinned query counts, uploads that refuse mangled
files without changing anything, and the WhatsApp preview."""

import io
import mailbox as mbox_module
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tend.capture import services
from tend.capture.models import CapturedMessage, ChatUpload, Mailbox, PromiseSuggestion, Source
from tend.capture.parsing.mail import parse_message
from tend.customers.models import Contact
from tend.customers.tests.factories import ContactFactory
from tend.engagement.models import Interaction, Promise
from tend.timeline.models import TimelineEntry

from .mails import build, gbk

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
UTC = ZoneInfo("UTC")
ALICE = "alice@tend-exports.com"


def raw(n: int, sender="omar@alnoor.ae", subject="Hello", body="Can you quote?") -> bytes:
    return build(
        sender=sender,
        to=ALICE,
        subject=subject,
        body=body,
        at=datetime(2026, 11, 2, 9, n % 60, tzinfo=UTC),
        message_id=f"<m{n}@x>",
    )


def unfiled(by, n: int, mailbox=None):
    services.mails_capture(
        mails=[parse_message(raw(n, sender=f"p{n}@gmail.com"))],
        by=by,
        source=Source.UPLOAD,
        mailbox=mailbox,
    )
    return CapturedMessage.objects.get(message_id=f"<m{n}@x>")


def mbox_bytes(tmp_path, messages: list[bytes]) -> bytes:
    path = tmp_path / "export.mbox"
    box = mbox_module.mbox(str(path))
    for message in messages:
        box.add(message)
    box.close()
    return path.read_bytes()


def counts():
    return (
        CapturedMessage.objects.count(),
        Interaction.objects.count(),
        TimelineEntry.objects.count(),
    )


# --- the "to file" list ---------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 30])
def test_to_file_list_query_count_does_not_grow(
    client, our_people, rows, django_assert_max_num_queries
):
    for n in range(rows):
        unfiled(our_people["rep1"], n)
    client.force_login(our_people["rep1"])
    with django_assert_max_num_queries(9):
        response = client.get("/capture/")
    assert response.status_code == 200
    assert response.content.count(b'name="add_contact"') == rows


def test_to_file_visibility_per_role(client, our_people):
    alice_box = Mailbox.objects.create(
        name="A",
        owner=our_people["rep1"],
        address=ALICE,
        host="h",
        username="u",
        created_by=our_people["admin"],
    )
    message = unfiled(our_people["admin"], 1, mailbox=alice_box)
    seen = {}
    for role in ("rep1", "rep2", "manager1", "admin"):
        client.force_login(our_people[role])
        seen[role] = client.get("/capture/").content.count(b"p1@gmail.com") > 0
        assert client.get(f"/capture/messages/{message.pk}/").status_code == (
            200 if seen[role] else 404
        )
    assert seen == {"rep1": True, "rep2": False, "manager1": True, "admin": True}


def test_one_click_files_and_adds_the_sender_as_contact(client, our_people, book):
    message = unfiled(our_people["rep1"], 1)
    client.force_login(our_people["rep1"])
    response = client.post(
        f"/capture/messages/{message.pk}/file/",
        {"customer": book["rep1_owned"].pk, "add_contact": "1"},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.customer == book["rep1_owned"]
    assert Contact.objects.filter(customer=book["rep1_owned"], email="p1@gmail.com").exists()
    assert Interaction.objects.get().needs_answer


def test_filing_to_a_customer_one_cannot_see_is_a_404_and_changes_nothing(client, our_people, book):
    message = unfiled(our_people["rep1"], 1)
    client.force_login(our_people["rep1"])
    for customer in (book["rep2_owned"].pk, 2**31 - 1, "x", 10**30):
        response = client.post(f"/capture/messages/{message.pk}/file/", {"customer": customer})
        assert response.status_code in (302, 404)
    message.refresh_from_db()
    assert message.customer is None and not Interaction.objects.exists()


def test_a_person_excludes_a_message_from_its_page(client, our_people, book):
    ContactFactory(customer=book["rep1_owned"], email="omar@alnoor.ae")
    services.mails_capture(
        mails=[parse_message(raw(1))], by=our_people["rep1"], source=Source.UPLOAD
    )
    message = CapturedMessage.objects.get()
    client.force_login(our_people["rep2"])
    assert client.post(f"/capture/messages/{message.pk}/exclude/").status_code == 404
    client.force_login(our_people["rep1"])
    assert client.post(f"/capture/messages/{message.pk}/exclude/").status_code == 302
    assert (counts(), CapturedMessage.objects.get().excluded) == ((1, 0, 0), True)
    assert client.get(f"/capture/messages/{message.pk}/").status_code == 404


# --- uploads ----------------------------------------------------------------------------------


def test_eml_and_mbox_uploads_and_a_reupload_adds_nothing(client, our_people, book, tmp_path):
    ContactFactory(customer=book["rep1_owned"], email="omar@alnoor.ae")
    client.force_login(our_people["rep1"])
    eml = SimpleUploadedFile("one.eml", raw(1))
    assert client.post("/capture/upload/", {"file": eml}).status_code == 302
    data = mbox_bytes(
        tmp_path,
        [
            raw(1),
            raw(2),
            gbk(
                sender="omar@alnoor.ae",
                to=ALICE,
                at=datetime(2026, 11, 3, tzinfo=UTC),
                message_id="<g@x>",
                text="请问价格？",
            ),
        ],
    )
    assert (
        client.post("/capture/upload/", {"file": SimpleUploadedFile("a.mbox", data)}).status_code
        == 302
    )
    assert counts() == (3, 3, 3)
    assert CapturedMessage.objects.get(message_id="<g@x>").text == "请问价格？"
    client.post("/capture/upload/", {"file": SimpleUploadedFile("a.mbox", data)})
    assert counts() == (3, 3, 3)


def test_mail_upload_from_a_customer_page_files_there(client, our_people, book):
    client.force_login(our_people["rep1"])
    pk = book["rep1_owned"].pk
    response = client.post(
        f"/capture/upload/?customer={pk}",
        {"file": SimpleUploadedFile("x.eml", raw(5, sender="z@qq.com"))},
    )
    assert response.status_code == 302
    assert CapturedMessage.objects.get().customer_id == pk
    assert client.get(f"/capture/upload/?customer={book['rep2_owned'].pk}").status_code == 404
    assert client.get("/capture/upload/?customer=99999999999999").status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [("empty.eml", b""), ("binary.eml", b"\x00\x01\x02PK"), ("words.eml", b"just some words")],
)
def test_mangled_mail_file_gets_a_clear_error_and_changes_nothing(
    client, our_people, name, content
):
    client.force_login(our_people["rep1"])
    response = client.post("/capture/upload/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert counts() == (0, 0, 0)


def test_an_mbox_with_one_mangled_message_is_refused_whole(client, our_people, book, tmp_path):
    ContactFactory(customer=book["rep1_owned"], email="omar@alnoor.ae")
    data = mbox_bytes(tmp_path, [raw(1), b"garbage without headers\n\nreally", raw(2)])
    client.force_login(our_people["rep1"])
    response = client.post("/capture/upload/", {"file": SimpleUploadedFile("a.mbox", data)})
    assert response.status_code == 400
    assert "Message 2 of the mbox" in response.content.decode()
    assert counts() == (0, 0, 0)


# --- WhatsApp -------------------------------------------------------------------------------


def chat_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_chat.txt", (FIXTURES / "ios_en_dmy_24h.txt").read_bytes())
        archive.writestr("00000012-PHOTO-2022-12-29-09-20-40.jpg", b"\xff\xd8jpeg")
    return buffer.getvalue()


def test_whatsapp_preview_import_and_reimport_adds_nothing(client, our_people, book):
    customer = book["rep1_owned"]
    omar = ContactFactory(customer=customer, name="Omar Haddad", email="omar@alnoor.ae")
    client.force_login(our_people["rep1"])
    response = client.post(
        f"/capture/customers/{customer.pk}/whatsapp/",
        {"file": SimpleUploadedFile("chat.zip", chat_zip())},
    )
    upload = ChatUpload.objects.get()
    assert response.url == f"/capture/whatsapp/{upload.pk}/"
    preview = client.get(response.url)
    assert preview.status_code == 200
    assert (
        "Omar Haddad" in preview.content.decode() and "2022-12-31 11:40" in preview.content.decode()
    )
    form = {"date_order": "dmy", "time_zone": "Asia/Dubai", "role_0": "us", "role_1": str(omar.pk)}
    assert client.post(response.url, form).status_code == 302
    lines = CapturedMessage.objects.filter(channel="whatsapp")
    assert lines.count() == 5
    assert lines.get(text="Yes, sending now").direction == "out"
    photo = lines.get(attachments__filename="00000012-PHOTO-2022-12-29-09-20-40.jpg")
    assert photo.attachments.get().file.read() == b"\xff\xd8jpeg"
    first = lines.get(text__startswith="Hello, do you")
    assert first.at == datetime(2022, 12, 29, 9, 15, 2, tzinfo=ZoneInfo("Asia/Dubai"))
    assert first.contact == omar
    # Runs: Omar asks (29th), we answer twice (29th), Omar asks (31st), we promise (31st).
    assert Interaction.objects.filter(channel="whatsapp").count() == 4
    inquiry = Interaction.objects.get(channel="whatsapp", direction="in", at__day=29)
    assert inquiry.answered_at is not None
    assert PromiseSuggestion.objects.get().kind == "quote"
    before = counts()
    client.post(
        f"/capture/customers/{customer.pk}/whatsapp/",
        {"file": SimpleUploadedFile("chat.txt", (FIXTURES / "ios_en_dmy_24h.txt").read_bytes())},
    )
    again = ChatUpload.objects.latest("pk")
    client.post(f"/capture/whatsapp/{again.pk}/", form)
    assert counts() == before


def test_whatsapp_preview_refuses_a_wrong_zone_or_no_us_and_changes_nothing(
    client, our_people, book
):
    customer = book["rep1_owned"]
    client.force_login(our_people["rep1"])
    client.post(
        f"/capture/customers/{customer.pk}/whatsapp/",
        {"file": SimpleUploadedFile("c.txt", (FIXTURES / "android_en_mdy_12h.txt").read_bytes())},
    )
    url = f"/capture/whatsapp/{ChatUpload.objects.get().pk}/"
    assert (
        client.post(
            url, {"date_order": "mdy", "time_zone": "Mars/Base", "role_0": "us"}
        ).status_code
        == 400
    )
    assert client.post(url, {"date_order": "mdy", "time_zone": "UTC"}).status_code == 400
    assert (
        client.post(url, {"date_order": "mdy", "time_zone": "UTC", "role_0": "999999"}).status_code
        == 400
    )
    assert counts() == (0, 0, 0)


def test_whatsapp_upload_of_a_non_chat_is_refused(client, our_people, book):
    client.force_login(our_people["rep1"])
    response = client.post(
        f"/capture/customers/{book['rep1_owned'].pk}/whatsapp/",
        {"file": SimpleUploadedFile("x.txt", b"hello")},
    )
    assert response.status_code == 400 and not ChatUpload.objects.exists()


def test_another_reps_upload_preview_is_a_404(client, our_people, book):
    client.force_login(our_people["rep1"])
    client.post(
        f"/capture/customers/{book['rep1_owned'].pk}/whatsapp/",
        {"file": SimpleUploadedFile("c.txt", (FIXTURES / "android_en_mdy_12h.txt").read_bytes())},
    )
    client.force_login(our_people["rep2"])
    assert client.get(f"/capture/whatsapp/{ChatUpload.objects.get().pk}/").status_code == 404
    assert client.get(f"/capture/customers/{book['rep1_owned'].pk}/whatsapp/").status_code == 404


# --- suggestions and the customer page --------------------------------------------------------


def test_suggestion_shows_on_the_customer_page_and_one_click_confirms(client, our_people, book):
    customer = book["rep1_owned"]
    ContactFactory(customer=customer, email="omar@alnoor.ae")
    services.mails_capture(
        mails=[
            parse_message(
                build(
                    sender=ALICE,
                    to="omar@alnoor.ae",
                    subject="Re",
                    body="We will send the quote by Friday.",
                    at=datetime(2026, 11, 18, 6, tzinfo=UTC),
                    message_id="<p@t>",
                )
            )
        ],
        by=our_people["rep1"],
        source=Source.UPLOAD,
    )
    client.force_login(our_people["rep1"])
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "We will send the quote by Friday" in page
    client.force_login(our_people["rep2"])
    suggestion = PromiseSuggestion.objects.get()
    assert (
        client.post(f"/capture/suggestions/{suggestion.pk}/", {"decision": "confirm"}).status_code
        == 404
    )
    assert not Promise.objects.exists()
    client.force_login(our_people["rep1"])
    client.post(f"/capture/suggestions/{suggestion.pk}/", {"decision": "confirm"})
    assert Promise.objects.get().kind == "quote"


# --- mailboxes and purge ----------------------------------------------------------------------


def test_only_the_admin_purges_from_the_page(client, our_people, book):
    ContactFactory(customer=book["rep1_owned"], email="omar@alnoor.ae")
    box = Mailbox.objects.create(
        name="Sales",
        address="sales@tend-exports.com",
        host="h",
        username="u",
        created_by=our_people["admin"],
    )
    services.mails_capture(
        mails=[parse_message(raw(1))], by=our_people["rep1"], source=Source.IMAP, mailbox=box
    )
    for role in ("rep1", "manager1"):
        client.force_login(our_people[role])
        assert client.post(f"/capture/mailboxes/{box.pk}/purge/").status_code == 404
    assert counts() == (1, 1, 1)
    client.force_login(our_people["admin"])
    assert client.get("/capture/mailboxes/").status_code == 200
    assert client.post(f"/capture/mailboxes/{box.pk}/purge/").status_code == 302
    assert counts() == (0, 0, 0)


def test_attachment_download_follows_visibility(client, our_people, book):
    ContactFactory(customer=book["rep1_owned"], email="omar@alnoor.ae")
    data = build(
        sender="omar@alnoor.ae",
        to=ALICE,
        subject="D",
        body="see",
        message_id="<at@x>",
        at=datetime(2026, 11, 2, tzinfo=UTC),
        attachment=("d.pdf", b"%PDF"),
    )
    services.mails_capture(mails=[parse_message(data)], by=our_people["rep1"], source=Source.UPLOAD)
    attachment = CapturedMessage.objects.get().attachments.get()
    client.force_login(our_people["rep2"])
    assert client.get(f"/capture/attachments/{attachment.pk}/").status_code == 404
    client.force_login(our_people["rep1"])
    response = client.get(f"/capture/attachments/{attachment.pk}/")
    assert b"".join(response.streaming_content) == b"%PDF"
