"""Building test mail as a mail client would send it."""

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime


def build(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    at: datetime,
    message_id: str,
    in_reply_to: str = "",
    html: bool = False,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(at)
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body, subtype="html" if html else "plain")
    if attachment:
        name, content = attachment
        message.add_attachment(content, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


def gbk(*, sender: str, to: str, at: datetime, message_id: str, text: str) -> bytes:
    """A Chinese mail as Foxmail sends it: labelled gb2312, written in GBK."""
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: =?gb2312?B?0a+827Wl?=\r\n"
        f"Date: {format_datetime(at)}\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + text.encode("gbk")
