"""WhatsApp chat exports (the ``.txt`` a phone writes, alone or in a ``.zip`` with its media).

Phones write each message as a header line (date, time, sender) and the text, which may run over
several lines. iOS: ``[31/12/2022, 11:40:26] Name: text``; Android: ``8/8/19, 1:25 PM - Name:
text``. The date order follows the phone's locale and is not written anywhere, so it is worked
out per file: a part above 12 decides it; otherwise the order under which the messages run
forward in time. Direction marks (LRM/RLM) and the narrow no-break space before AM/PM are
normalised first."""

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

DMY, MDY, YMD = "dmy", "mdy", "ymd"
DATE_ORDERS = (DMY, MDY, YMD)
MAX_LINE = 65_536

_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, _MARKS))
_SPACES = {ord("\u202f"): " ", ord("\u00a0"): " ", ord("\u2009"): " "}
_DATE = r"(?P<d1>\d{1,4})[./-](?P<d2>\d{1,2})[./-](?P<d3>\d{1,4})\.?"
_TIME = r"(?P<pre>上午|下午)?\s?(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?"
_AMPM = r"(?:\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?|上午|下午|vorm\.|nachm\.))?"
_IOS = re.compile(rf"^\[{_DATE},?\s+{_TIME}{_AMPM}\]\s?(?P<rest>.*)$")
_ANDROID = re.compile(rf"^{_DATE},?\s+{_TIME}{_AMPM}\s+[-–]\s(?P<rest>.*)$")
# "<attached: 00000012-PHOTO-2022-12-31.jpg>" (iOS), "IMG-2019.jpg (file attached)" (Android),
# in English and German.
_MEDIA = [
    re.compile(r"<(?:attached|Anhang|附件)[:：]\s*(?P<name>[^>]+)>"),
    re.compile(r"^(?P<name>[^\n<>]+?\.\w{2,5})\s+\((?:file attached|Datei angehängt|文件已附上)\)"),
]
_OMITTED = re.compile(
    r"^<(Media omitted|Medien ausgeschlossen|省略媒体|image omitted|video omitted)>$", re.I
)

# What the phone itself writes into the chat, attributed to the chat's name on iOS.
_SYSTEM = re.compile(
    r"^(Messages and calls are end-to-end encrypted|Nachrichten und Anrufe sind "
    r"Ende-zu-Ende-verschlüsselt|消息和通话已进行端到端加密|.{0,80}(created group|changed the "
    r"subject|added|left|security code changed))",
    re.IGNORECASE,
)


class ChatError(ValueError):
    """The file is not a WhatsApp chat export we can read."""


@dataclass
class ChatMessage:
    at: datetime  # naive: the phone's wall clock, in a zone the rep confirms
    sender: str
    text: str
    media: list[str] = field(default_factory=list)


@dataclass
class Chat:
    messages: list[ChatMessage]
    date_order: str
    date_order_certain: bool
    platform: str  # "ios" or "android"
    media_files: dict[str, bytes] = field(default_factory=dict)

    @property
    def participants(self) -> list[str]:
        """Senders, the most talkative first."""
        return [name for name, _ in Counter(m.sender for m in self.messages).most_common()]


@dataclass
class _Raw:
    parts: tuple[int, int, int]
    clock: tuple[int, int, int]
    sender: str
    lines: list[str]


def _normalise(line: str) -> str:
    return line.translate(_INVISIBLE).translate(_SPACES).rstrip("\r").replace("\x00", "")


def _hour(match: re.Match) -> int:
    hour = int(match["h"])
    marker = (match["ampm"] or match["pre"] or "").lower().replace(".", "").replace(" ", "")
    if marker in ("pm", "下午", "nachm"):
        return hour % 12 + 12
    if marker in ("am", "上午", "vorm"):
        return hour % 12
    return hour


def _split_lines(text: str) -> tuple[list[_Raw], str]:
    rows: list[_Raw] = []
    counts = {"ios": 0, "android": 0}
    for raw_line in text.split("\n"):
        line = _normalise(raw_line)[:MAX_LINE]
        match = _IOS.match(line)
        platform = "ios"
        if match is None:
            match = _ANDROID.match(line)
            platform = "android"
        if match is None:
            if rows:
                rows[-1].lines.append(line)
            continue
        counts[platform] += 1
        rest = match["rest"]
        sender, colon, body = rest.partition(": ")
        if not colon or _SYSTEM.match(body):  # the phone speaks, not a person
            sender, body = "", rest
        clock = (_hour(match), int(match["m"]), int(match["s"] or 0))
        parts = (int(match["d1"]), int(match["d2"]), int(match["d3"]))
        rows.append(_Raw(parts, clock, sender.strip(), [body]))
    return rows, max(counts, key=counts.get)


def _date(parts: tuple[int, int, int], order: str) -> tuple[int, int, int]:
    a, b, c = parts
    if order == YMD:
        year, month, day = a, b, c
    elif order == DMY:
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    if year < 100:
        year += 2000
    return year, month, day


def _valid(rows: list[_Raw], order: str) -> bool:
    for row in rows:
        year, month, day = _date(row.parts, order)
        if not (1 <= month <= 12 and 1 <= day <= 31 and 2009 <= year <= 2100):
            return False
    return True


def _backward_steps(rows: list[_Raw], order: str) -> int:
    steps, previous = 0, None
    for row in rows:
        key = (*_date(row.parts, order), *row.clock)
        if previous is not None and key < previous:
            steps += 1
        previous = key
    return steps


def infer_date_order(rows: list[_Raw]) -> tuple[str, bool]:
    """(order, certain): the one order every date fits, or, when both fit, the one under which
    the messages run forward in time (uncertain if they tie: the rep confirms)."""
    if rows and all(row.parts[0] > 31 for row in rows):
        return YMD, True
    fitting = [order for order in (DMY, MDY) if _valid(rows, order)]
    if len(fitting) == 1:
        return fitting[0], True
    if not fitting:
        raise ChatError("The dates in this file fit neither day/month nor month/day order.")
    dmy, mdy = _backward_steps(rows, DMY), _backward_steps(rows, MDY)
    if dmy != mdy:
        return (DMY if dmy < mdy else MDY), True
    return DMY, False


def parse_chat(text: str, *, date_order: str | None = None) -> Chat:
    """A chat export's messages, oldest first as written. ``date_order`` forces an order
    (the rep's choice on the preview); otherwise it is inferred."""
    rows, platform = _split_lines(text.replace("\r\n", "\n"))
    if not rows:
        raise ChatError("No WhatsApp messages found: is this a chat export (.txt or .zip)?")
    if date_order is None:
        order, certain = infer_date_order(rows)
    else:
        if date_order not in DATE_ORDERS:
            raise ChatError(f"Unknown date order {date_order!r}.")
        if not _valid(rows, date_order):
            raise ChatError("Some dates do not fit the chosen date order.")
        order, certain = date_order, True
    messages = []
    for row in rows:
        if not row.sender:
            continue
        year, month, day = _date(row.parts, order)
        try:
            at = datetime(year, month, day, *row.clock)  # noqa: DTZ001  (phone time, zone chosen later)
        except ValueError as exc:
            raise ChatError(f"Impossible date or time in the file: {exc}.") from None
        body = "\n".join(row.lines).strip()
        media = []
        for pattern in _MEDIA:
            for found in pattern.finditer(body):
                media.append(found["name"].strip())
        if media:
            for pattern in _MEDIA:
                body = pattern.sub("", body).strip()
        if _OMITTED.match(body):
            body = ""
        messages.append(ChatMessage(at=at, sender=row.sender[:150], text=body, media=media))
    return Chat(messages=messages, date_order=order, date_order_certain=certain, platform=platform)


def read_export(data: bytes, *, filename: str = "", date_order: str | None = None) -> Chat:
    """A ``.txt`` export, or a ``.zip`` holding one ``.txt`` and the media it mentions."""
    media: dict[str, bytes] = {}
    if data[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            names = [n for n in archive.namelist() if not n.endswith("/")]
            texts = [n for n in names if n.lower().endswith(".txt")]
            if len(texts) != 1:
                raise ChatError("The zip should hold exactly one chat .txt file.")
            raw = archive.read(texts[0])
            chat = parse_chat(_decode(raw), date_order=date_order)
            wanted = {name for message in chat.messages for name in message.media}
            for name in names:
                base = name.rsplit("/", 1)[-1]
                if base in wanted:
                    media[base] = archive.read(name)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
            raise ChatError(f"The zip file cannot be read ({exc}).") from None
        chat.media_files = media
        return chat
    return parse_chat(_decode(data), date_order=date_order)


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ChatError("This is not a text file.")
    for codec in ("utf-8-sig", "utf-16"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    raise ChatError("The file is not UTF-8 text, as WhatsApp writes it.")
