"""RFC 822 mail to plain data: addresses, thread ids, the text a person wrote, attachments.

Standard library ``email`` with ``policy.default``. Chinese mail is often labelled gb2312 while
using GBK characters; gb18030 is a superset of both, so those labels are decoded as gb18030, in
bodies and in encoded-word headers alike."""

import contextlib
import hashlib
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from .html_text import html_to_text

# Labels that mean "some Chinese GB encoding": all read as gb18030, their superset.
GB_LABELS = {"gb2312", "gb_2312", "gb_2312-80", "gbk", "x-gbk", "cp936", "euc-cn", "x-euc-cn"}
_GB_WORD = re.compile(rb"=\?(gb2312|gb_2312-80|gbk|x-gbk|cp936|euc-cn)\?", re.IGNORECASE)
_MSGID = re.compile(r"<[^<>\s]+>")
MAX_TEXT = 100_000
_QUOTE_START = re.compile(
    r"^(On .{4,200} wrote:|-{2,}\s*Original Message\s*-{2,}|-{3,}\s*原始邮件)"
)
_FORWARD_HEADER = re.compile(r"^(From|发件人)[:：]\s")
_NOT_PLAIN = re.compile(r'["()\\;:\[\]]|=\?')
_PLAIN_ADDRESS = re.compile(
    r"(?:(?P<name>[\w .'-]*?)\s*<(?P<angle>[\w.!#$%&'*+/=?^`{|}~-]+@[\w.-]+)>"
    r"|(?P<bare>[\w.!#$%&'*+/=?^`{|}~-]+@[\w.-]+))",
    re.ASCII,
)


class MailError(ValueError):
    """The bytes are not a mail message we can read."""


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    message_id: str
    in_reply_to: str
    references: list[str]
    subject: str
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    date: datetime | None
    text: str
    fingerprint: str
    attachments: list[ParsedAttachment] = field(default_factory=list)

    @property
    def key(self) -> str:
        """What makes a message itself: its Message-ID, or a hash of its bytes without one."""
        return self.message_id or f"sha256:{self.fingerprint}"

    @property
    def thread_root(self) -> str:
        if self.references:
            return self.references[0]
        return self.in_reply_to or self.key


def charset_codec(label: str | None) -> str:
    label = (label or "").strip().strip('"').lower()
    if not label or label in ("us-ascii", "ascii", "unknown-8bit", "x-unknown"):
        return "utf-8"
    if label in GB_LABELS:
        return "gb18030"
    if label in ("big5", "big5-hkscs", "cp950"):
        return "big5hkscs"
    return label


def decode_bytes(payload: bytes, label: str | None) -> str:
    """Bytes in the declared charset; a wrong or unknown label falls back to UTF-8, then to the
    declared codec with replacement characters, never an exception."""
    codec = charset_codec(label)
    for candidate in (codec, "utf-8"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return payload.decode(codec, errors="replace")
    except LookupError:
        return payload.decode("latin-1")


def _fix_header_charsets(raw: bytes) -> bytes:
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    return _GB_WORD.sub(rb"=?gb18030?", head) + sep + body


def _text_of(part: EmailMessage, charset: str | None) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        return ""
    return decode_bytes(payload, charset)


def _part_headers(part: EmailMessage) -> tuple[str, str | None, str | None, str | None]:
    """A part's content type, charset, disposition and file name, as ``get_content_type``,
    ``get_content_charset``, ``get_content_disposition`` and ``get_filename`` give them, with
    each header parsed once (the header registry parses it again on every one of those)."""
    header = part.get("content-type")
    if header is None:
        content_type = part.get_default_type()
    else:
        content_type = str(header).split(";", 1)[0].strip().lower()
        if content_type.count("/") != 1:
            content_type = "text/plain"
    params = getattr(header, "params", None) or {}
    charset = params.get("charset")
    charset = str(charset).lower() if charset and str(charset).isascii() else None
    found = part.get("content-disposition")
    disposition = getattr(found, "content_disposition", None) if found is not None else None
    filename = (getattr(found, "params", None) or {}).get("filename") if found else None
    if filename is None:
        filename = params.get("name")
    return content_type, charset, disposition, filename.strip() if filename else filename


def storable(text: str) -> str:
    """Text any database stores: raw 8-bit header bytes read as UTF-8 where they are, no NUL,
    no lone surrogates."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "")


def _decode_words(value: str) -> str:
    """A header's encoded words (=?gb18030?B?...?=) decoded; the raw text when they are broken."""
    value = " ".join(value.split())
    if "=?" in value:
        with contextlib.suppress(HeaderParseError, LookupError, UnicodeError, ValueError):
            value = str(make_header(decode_header(value)))
    return storable(value)


class _Headers:
    """The top-level headers read once from the message's raw (name, value) pairs and decoded
    here: the header registry's structured objects cost most of a parse, and reading a
    hundred thousand messages needs only these few, as text."""

    def __init__(self, message: EmailMessage):
        self.values: dict[str, list[str]] = {}
        for name, value in message.raw_items():
            self.values.setdefault(name.lower(), []).append(str(value))

    def text(self, name: str) -> str:
        found = self.values.get(name.lower())
        return _decode_words(found[0]) if found else ""

    def raw(self, name: str) -> str:
        found = self.values.get(name.lower())
        return " ".join(found[0].split()) if found else ""

    def addresses(self, *names: str) -> list[tuple[str, str]]:
        values = [" ".join(v.split()) for name in names for v in self.values.get(name.lower(), [])]
        found = []
        for display, address in _plain_addresses(values) or getaddresses(values):
            address = address.strip().strip("<>").lower()
            if "@" in address and len(address) <= 254 and address.isascii():
                found.append((_decode_words(display).strip(), address))
        return found


def _plain_addresses(values: list[str]) -> list[tuple[str, str]] | None:
    """``getaddresses`` for the plain forms nearly all mail uses (``a@b``, ``Name <a@b>``,
    comma-separated), read by a pattern; None for anything else (quotes, comments, groups,
    encoded words), which the full RFC 5322 parser reads."""
    found = []
    for value in values:
        if _NOT_PLAIN.search(value):
            return None
        for item in value.split(","):
            match = _PLAIN_ADDRESS.fullmatch(item.strip())
            if match is None:
                if item.strip():
                    return None
                continue
            found.append(((match["name"] or "").strip(), match["angle"] or match["bare"]))
    return found


def _ids(value: str) -> list[str]:
    return [item[:250] for item in _MSGID.findall(value or "")]


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not 1990 <= moment.year <= 2100:
        return None
    return moment


def parse_message(raw: bytes) -> ParsedMail:
    """One RFC 822 message. Raises ``MailError`` for bytes that are not a mail message."""
    if not raw or not raw.strip():
        raise MailError("The file is empty.")
    if b"\x00" in raw[:4096]:
        raise MailError("This is not a mail message (binary content).")
    message = BytesParser(policy=policy.default).parsebytes(_fix_header_charsets(raw))
    if not isinstance(message, EmailMessage):
        raise MailError("This is not a mail message.")
    headers = _Headers(message)
    senders = headers.addresses("From")
    if not senders and not headers.raw("Message-ID"):
        raise MailError("This is not a mail message (no From and no Message-ID header).")
    plain, html, attachments = [], [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type, charset, disposition, filename = _part_headers(part)
        if disposition == "attachment" or (filename and disposition != "inline"):
            content = part.get_payload(decode=True) or b""
            attachments.append(
                ParsedAttachment(
                    filename=storable(filename or "attachment")[:200],
                    content_type=content_type[:100],
                    content=content,
                )
            )
        elif content_type == "text/plain":
            plain.append(_text_of(part, charset))
        elif content_type == "text/html":
            html.append(_text_of(part, charset))
    text = "\n\n".join(t.strip() for t in plain if t.strip())
    if not text and html:
        text = "\n\n".join(html_to_text(h) for h in html)
    from_name, from_address = senders[0] if senders else ("", "")
    references = _ids(headers.raw("References"))
    in_reply_to = (_ids(headers.raw("In-Reply-To")) or [""])[0]
    message_ids = _ids(headers.raw("Message-ID"))
    return ParsedMail(
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=in_reply_to,
        references=references,
        subject=headers.text("Subject")[:200],
        from_address=from_address,
        from_name=from_name[:150],
        to=[a for _, a in headers.addresses("To")],
        cc=[a for _, a in headers.addresses("Cc")],
        date=_date(headers.raw("Date")),
        text=storable(text)[:MAX_TEXT],
        fingerprint=hashlib.sha256(raw).hexdigest(),
        attachments=attachments,
    )


def quoted_removed(text: str) -> str:
    """The new words of a reply: quoted lines and everything after 'On ... wrote:' dropped."""
    kept = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if _QUOTE_START.match(stripped) or (kept and _FORWARD_HEADER.match(stripped)):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def iter_mbox(path: str) -> Iterator[bytes]:
    """Each message of an mbox file, as bytes (the 'From ' separator line removed)."""
    box = mailbox.mbox(path, create=False)
    try:
        for key in box.iterkeys():
            yield box.get_bytes(key)
    finally:
        box.close()


def looks_like_mbox(head: bytes) -> bool:
    return head.lstrip(b"\r\n").startswith(b"From ")
