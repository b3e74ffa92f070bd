"""RFC 822 parsing without a database: charsets, HTML-only mail, attachments, thread ids."""

import mailbox
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from tend.capture.parsing.html_text import html_to_text
from tend.capture.parsing.mail import MailError, iter_mbox, parse_message, quoted_removed


def gbk_message() -> bytes:
    # 镕 (U+9555) is in GBK but not in GB2312: mail labelled gb2312 carries it all the time.
    body = "您好，请问镕钢水壶的报价？".encode("gbk")
    subject = (
        "=?gb2312?B?" + __import__("base64").b64encode("询价：镕钢".encode("gbk")).decode() + "?="
    )
    return (
        b"From: =?gb2312?B?zfW3vA==?= <wang@shanghai-buyer.cn>\r\n"
        b"To: lin@tend-exports.com\r\n"
        b"Subject: " + subject.encode() + b"\r\n"
        b"Message-ID: <gbk-1@shanghai-buyer.cn>\r\n"
        b"Date: Mon, 07 Dec 2026 10:00:00 +0800\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=gb2312\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"\r\n"
    )


def test_gbk_labelled_gb2312_decodes_as_gb18030():
    mail = parse_message(gbk_message())
    assert mail.text == "您好，请问镕钢水壶的报价？"
    assert mail.subject == "询价：镕钢"
    assert mail.from_name == "王芳"
    assert mail.date == datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def test_html_only_mail_becomes_text():
    message = EmailMessage()
    message["From"] = "Omar <omar@alnoor.ae>"
    message["Message-ID"] = "<html-1@alnoor.ae>"
    message.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>Hello&nbsp;Lin,</p>"
        "<div>Can you quote <b>500</b> kettles?</div><script>alert(1)</script></body></html>",
        subtype="html",
    )
    mail = parse_message(message.as_bytes())
    assert mail.text == "Hello Lin,\n\nCan you quote 500 kettles?"


def test_attachments_are_kept_and_not_read_as_text():
    message = EmailMessage()
    message["From"] = "omar@alnoor.ae"
    message["Message-ID"] = "<att-1@alnoor.ae>"
    message.set_content("See the drawing.")
    message.add_attachment(
        b"%PDF-1.4 drawing", maintype="application", subtype="pdf", filename="drawing.pdf"
    )
    mail = parse_message(message.as_bytes())
    assert mail.text == "See the drawing."
    assert [(a.filename, a.content_type, a.content) for a in mail.attachments] == [
        ("drawing.pdf", "application/pdf", b"%PDF-1.4 drawing")
    ]


def test_thread_ids_are_read():
    raw = (
        b"From: lin@tend-exports.com\r\nTo: omar@alnoor.ae\r\nSubject: Re: quote\r\n"
        b"Message-ID: <r2@tend-exports.com>\r\nIn-Reply-To: <q1@alnoor.ae>\r\n"
        b"References: <q0@alnoor.ae>\r\n <q1@alnoor.ae>\r\n\r\nYes.\r\n"
    )
    mail = parse_message(raw)
    assert (mail.message_id, mail.in_reply_to) == ("<r2@tend-exports.com>", "<q1@alnoor.ae>")
    assert mail.references == ["<q0@alnoor.ae>", "<q1@alnoor.ae>"]
    assert mail.thread_root == "<q0@alnoor.ae>"
    assert mail.to == ["omar@alnoor.ae"]


def test_message_without_id_is_keyed_by_its_bytes():
    raw = b"From: a@b.example\r\nSubject: x\r\n\r\nhello\r\n"
    assert parse_message(raw).key == parse_message(raw).key
    assert parse_message(raw).key.startswith("sha256:")
    assert parse_message(raw).date is None


@pytest.mark.parametrize("raw", [b"", b"   \n", b"\x00\x01PK binary", b"hello there, no headers"])
def test_not_a_message_is_a_clear_error(raw):
    with pytest.raises(MailError):
        parse_message(raw)


def test_quoted_reply_is_left_out():
    text = "Yes, next week.\n\nOn Mon, 7 Dec 2026 Omar wrote:\n> Can you ship?\n"
    assert quoted_removed(text) == "Yes, next week."


def test_mbox_yields_each_message(tmp_path):
    path = tmp_path / "box.mbox"
    box = mailbox.mbox(str(path))
    for n in range(3):
        box.add(f"From: a{n}@b.example\nMessage-ID: <m{n}@b.example>\n\nbody {n}\n".encode())
    box.close()
    ids = [parse_message(raw).message_id for raw in iter_mbox(str(path))]
    assert ids == ["<m0@b.example>", "<m1@b.example>", "<m2@b.example>"]


def test_html_to_text_survives_broken_markup():
    assert html_to_text("<p>a<b>b</p><div>c") == "ab\n\nc"


def test_raw_eight_bit_headers_nul_and_broken_words_become_storable_text():
    raw = (
        "From: Zoë <zoe@example.com>\r\n"
        "Subject: Café =?utf-8?B?YQBi?= =?x-unknown?B?broken?= ok\r\n"
        "Message-ID: <8bit@x>\r\n\r\nbody text\r\n" + "x" * 5000 + "\x00"
    ).encode()
    mail = parse_message(raw)
    assert mail.from_name == "Zoë"
    assert "\x00" not in mail.subject and mail.subject.startswith("Café")
    assert mail.text.startswith("body text") and mail.text.endswith("x" * 5000)
    assert mail.subject.encode("utf-8")  # no lone surrogates
