"""What a message says, in words a rep would recognise: does the customer ask something, did we
promise something by a day. Pure: text and times in, answers out.

Both are guesses. An inquiry opened on a question mark costs nothing when wrong (our next mail
closes it); a promise is only ever *suggested*, the rep confirms it."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_ASKS = re.compile(
    r"[?？]|\b(?:could|can|would|will) you\b|\blet (?:me|us) know\b|\bplease (?:send|quote|"
    r"advise|confirm|share|provide|offer|check)\b|\bkindly\b|\brequest for quot|\bRFQ\b|"
    r"\b(?:inquiry|enquiry)\b|请问|能否|可否|是否|请报价|询价|请提供|请发|麻烦|吗",
    re.IGNORECASE,
)

WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
}  # fmt: skip
_WHEN_EN = (
    r"(?P<when>today|tomorrow|tonight|(?:this |next )?(?:monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)|(?:the )?end of (?:the |this )?week|next week|eod|cob)"
)
_PROMISE_EN = re.compile(
    r"\b(?:we|i)(?:'ll|’ll| will| shall| are going to| am going to)\s+"
    r"(?P<what>(?:send|share|ship|deliver|dispatch|call|phone|get back|revert|confirm|provide|"
    r"arrange|prepare|update)\b[^.!?\n]{0,80}?)\s+(?:by|before|on|no later than|until)\s+"
    + _WHEN_EN
    + r"\b",
    re.IGNORECASE,
)
_PROMISE_ZH = re.compile(
    r"(?:会|将|争取)在?(?P<when>今天|明天|后天|下周[一二三四五六日天]?|本周[一二三四五六日天]?|"
    r"周[一二三四五六日天]|星期[一二三四五六日天])(?:之前|以前|前|内)?"
    r"(?P<what>(?:发送?|寄出?|提供|回复|确认|安排|打电话|出货|发货)[^，。！？,.!?\n]{0,20})"
)
_KINDS = [
    ("quote", r"quot|报价|offer"),
    ("sample", r"sample|样品|样板"),
    ("price", r"price|价格|价钱"),
    ("ship_date", r"ship|deliver|dispatch|发货|出货|装运"),
    ("call_back", r"call|phone|电话"),
    ("information", r"catalog|brochure|spec|detail|info|drawing|资料|目录|图纸"),
]


@dataclass(frozen=True)
class PromiseFound:
    kind: str
    phrase: str
    due_at: datetime


def asks_something(text: str) -> bool:
    return bool(_ASKS.search(text or ""))


def _kind(words: str) -> str:
    for kind, pattern in _KINDS:
        if re.search(pattern, words, re.IGNORECASE):
            return kind
    return "other"


def _due_day(when: str, local: datetime) -> datetime:
    when = when.lower().strip()
    today = local.date()
    weekday = today.weekday()
    if when in ("today", "tonight", "eod", "cob", "今天"):
        day = today
    elif when in ("tomorrow", "明天"):
        day = today + timedelta(days=1)
    elif when == "后天":
        day = today + timedelta(days=2)
    elif "end of" in when or when in ("本周",):
        day = today + timedelta(days=(4 - weekday) % 7)
    elif when in ("next week", "下周"):
        day = today + timedelta(days=7 - weekday + 4)
    else:
        name = when.split()[-1] if " " in when else when[-1] if when[0] in "周星下本" else when
        target = WEEKDAYS.get(name, 4)
        ahead = (target - weekday) % 7
        if when.startswith(("next ", "下周")):
            ahead = 7 - weekday + target
        day = today + timedelta(days=ahead)
    return datetime.combine(day, time(0), tzinfo=local.tzinfo)


def promise_in(text: str, *, at: datetime, tz: str, day_end: int = 18) -> PromiseFound | None:
    """The first promise with a day in ``text`` written at ``at``, due at the end of the
    working day named (in ``tz``, the writer's customer's zone)."""
    if not text:
        return None
    local = at.astimezone(ZoneInfo(tz))
    for pattern in (_PROMISE_EN, _PROMISE_ZH):
        match = pattern.search(text)
        if match:
            day = _due_day(match["when"], local)
            due = day.replace(hour=day_end)
            if due < local:
                due = local
            phrase = " ".join(match.group(0).split())[:300]
            return PromiseFound(kind=_kind(match["what"]), phrase=phrase, due_at=due)
    return None
