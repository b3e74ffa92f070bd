"""Customer-facing wording for order updates, in the contact's language (English and Chinese
to start). Plain text: it goes by email, WhatsApp or WeChat alike."""

from dataclasses import dataclass
from datetime import date

TEMPLATES = {
    "en": {
        "delay_subject_new": "Update on your order {number}: new ship date {new_date}",
        "delay_subject_same": (
            "Update on your order {number}: still expected to ship on {previous_date}"
        ),
        "delay_subject_unknown": "Update on your order {number}: new ship date to follow",
        "delay_intro_first": (
            "We want to tell you before you have to ask: your order {number} will not ship on "
            "{promised_date} as promised."
        ),
        "delay_intro_later": (
            "Here is the latest on your order {number}, which we first promised to ship on "
            "{promised_date}."
        ),
        "delay_intro_unpromised": "Here is the latest on your order {number}.",
        "delay_first_new": "The new expected ship date is {new_date}.",
        "delay_first_unknown": (
            "We do not know the new ship date yet and will tell you as soon as we do."
        ),
        "delay_later_new": (
            "It will not ship on {previous_date}, the date we last gave you. The new expected "
            "ship date is {new_date}."
        ),
        "delay_later_earlier": (
            "It will ship sooner than {previous_date}, the date we last gave you. The new "
            "expected ship date is {new_date}."
        ),
        "delay_later_same": (
            "It is still expected to ship on {previous_date}, the date we last gave you."
        ),
        "delay_later_unknown": (
            "It will not ship on {previous_date}, the date we last gave you, and we do not know "
            "the new ship date yet. We will tell you as soon as we do."
        ),
        "delay_now_known": "We now expect it to ship on {new_date}.",
        "delay_still_unknown": (
            "We still do not know the new ship date and will tell you as soon as we do."
        ),
        "delay_body": (
            "Dear {name},\n\n{intro} {change}\n\n"
            "Reason: {reason}\n\n"
            "We are sorry for the delay and will keep you informed until it ships. "
            "Please tell us if the delay causes you a problem, so we can look for a solution "
            "together.\n\nBest regards,\n{sender}"
        ),
        "disruption_subject": "{title}: how it affects your orders",
        "disruption_body": (
            "Dear {name},\n\n{description}\n\nYour orders affected:\n{order_lines}\n\n"
            "We will keep you informed. Please tell us which of these orders matter most to "
            "you, and we will prioritise them.\n\nBest regards,\n{sender}"
        ),
        "order_line": "- {number}: was to ship {old_date}, now expected {new_date}",
        "unknown_date": "not yet known",
    },
    "zh": {
        "delay_subject_new": "关于您的订单 {number} 的最新消息：新的出货日期为 {new_date}",
        "delay_subject_same": "关于您的订单 {number} 的最新消息：仍预计于 {previous_date} 出货",
        "delay_subject_unknown": "关于您的订单 {number} 的最新消息：新的出货日期待定",
        "delay_intro_first": (
            "我们想在您询问之前主动告知：您的订单 {number} 无法按原定的 {promised_date} 出货。"
        ),
        "delay_intro_later": "以下是您的订单 {number}（原定 {promised_date} 出货）的最新进展。",
        "delay_intro_unpromised": "以下是您的订单 {number} 的最新进展。",
        "delay_first_new": "新的预计出货日期为 {new_date}。",
        "delay_first_unknown": "新的出货日期尚未确定，一经确定我们会立即通知您。",
        "delay_later_new": (
            "订单无法按我们上次告知的 {previous_date} 出货，新的预计出货日期为 {new_date}。"
        ),
        "delay_later_earlier": (
            "订单可以早于我们上次告知的 {previous_date} 出货，新的预计出货日期为 {new_date}。"
        ),
        "delay_later_same": "订单仍预计按我们上次告知的 {previous_date} 出货。",
        "delay_later_unknown": (
            "订单无法按我们上次告知的 {previous_date} 出货，新的出货日期尚未确定，"
            "一经确定我们会立即通知您。"
        ),
        "delay_now_known": "现预计出货日期为 {new_date}。",
        "delay_still_unknown": "新的出货日期仍未确定，一经确定我们会立即通知您。",
        "delay_body": (
            "尊敬的{name}：\n\n{intro}{change}\n\n"
            "原因：{reason}\n\n"
            "对于延误我们深表歉意，在货物出运之前我们会持续向您通报进展。"
            "如果延误给您带来不便，请告诉我们，我们一起寻找解决办法。\n\n此致\n{sender}"
        ),
        "disruption_subject": "{title}：对您订单的影响",
        "disruption_body": (
            "尊敬的{name}：\n\n{description}\n\n受影响的订单：\n{order_lines}\n\n"
            "我们会随时向您通报进展。请告诉我们哪些订单对您最重要，我们将优先安排。\n\n此致\n{sender}"
        ),
        "order_line": "- {number}：原定 {old_date} 出货，现预计 {new_date}",
        "unknown_date": "待定",
    },
}


# Each language by its own name, as the preview shows which one a message is in.
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def language_for(code: str) -> str:
    return code if code in TEMPLATES else "en"


def fmt_date(value: date | None, language: str) -> str:
    if value is None:
        return TEMPLATES[language]["unknown_date"]
    return value.isoformat()


def render(language: str, key: str, **values) -> str:
    return TEMPLATES[language_for(language)][key].format(**values)


@dataclass(frozen=True)
class DelayStep:
    """Where a late order stands when we write (``today``): the date first promised, whether
    the customer has had an update before and which date it gave (None: "not yet known"), and
    the current estimate."""

    promised: date | None
    told: bool
    previous: date | None
    estimate: date | None
    today: date

    @property
    def replaced(self) -> date | None:
        """The date the customer holds now, which this update replaces."""
        return self.previous if self.told else self.promised

    @property
    def new_date(self) -> date | None:
        """The estimate, when it is a date to give. A stale one gives nothing: a day already
        past, or, on a first update, a day no later than the promise being broken."""
        if self.estimate is None or self.estimate < self.today:
            return None
        if not self.told and self.promised is not None and self.estimate <= self.promised:
            return None
        return self.estimate

    @property
    def change(self) -> str:
        """Which sentence tells the customer what moved."""
        new, replaced = self.new_date, self.replaced
        if not self.told:
            if self.promised is None:
                return "now_known" if new else "first_unknown"
            return "first_new" if new else "first_unknown"
        if replaced is None:
            return "now_known" if new else "still_unknown"
        if new is None:
            return "later_unknown"
        if new == replaced:
            return "later_same"
        return "later_new" if new > replaced else "later_earlier"

    @property
    def intro(self) -> str:
        if self.promised is None:
            return "unpromised"
        return "later" if self.told else "first"

    @property
    def subject(self) -> str:
        if self.change == "later_same":
            return "same"
        return "new" if self.new_date else "unknown"


def delay_message(
    language: str, *, step: DelayStep, number: str, name: str, reason: str, sender: str
) -> tuple[str, str]:
    """The subject and body of an update about a late order, at any step of the delay."""
    language = language_for(language)
    values = {
        "number": number,
        "promised_date": fmt_date(step.promised, language),
        "previous_date": fmt_date(step.replaced, language),
        "new_date": fmt_date(step.new_date, language),
    }
    body = render(
        language,
        "delay_body",
        name=name,
        reason=reason,
        sender=sender,
        intro=render(language, f"delay_intro_{step.intro}", **values),
        change=render(language, f"delay_{step.change}", **values),
    )
    return render(language, f"delay_subject_{step.subject}", **values), body
